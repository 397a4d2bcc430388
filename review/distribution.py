"""Distribution over time (*phát hành*): print runs, formats and page counts from the colophons.

Per series and year: the issues held, how many of them print a run (an editor's correction
wins over the machine's reading: ``indexer.segment.colophons``), how many do not (a colophon
missing, damaged, or silent on the run: **counted, never guessed**), the mean print run of
those that print one, the format(s) printed, pages per issue, and, where editors entered the
number of Party cells (*chi bộ*) the series reaches that year, copies per cell.

Every number links to ``/coverage/colophons?series=…&from=…&to=…``
(``permalinks.colophons_path``): the issues it was computed from, one row each with the
colophon's words, and the year's totals marked ``data-count``/``data-unit`` (units
``issues``, ``issues-run``, ``issues-norun``, ``copies``, ``pages``, ``cells``), so that
``bantin report --check`` verifies every figure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from archive.catalog import Catalog
from archive.permalinks import colophons_path, page_path
from indexer.segment.colophons import IssueFacts, all_facts, party_cells
from review.corpus import Corpus, IssueRow
from review.evidence import Evidence
from review.filters import Filters, in_years
from review.tables import Cell, Column, Table, ratio


@dataclass
class YearRun:
    """One series in one year."""

    series: str
    year: int
    issues: list[IssueRow] = field(default_factory=list)
    facts: dict[str, IssueFacts] = field(default_factory=dict)
    cells: int | None = None

    @property
    def runs(self) -> list[int]:
        return [int(self.facts[i.id].values["print_run"]) for i in self.issues
                if self.facts[i.id].values.get("print_run") is not None]

    @property
    def with_run(self) -> int:
        return len(self.runs)

    @property
    def without_run(self) -> int:
        return len(self.issues) - self.with_run

    @property
    def copies(self) -> int:
        return sum(self.runs)

    @property
    def mean_run(self) -> float | None:
        return ratio(self.copies, self.with_run, 0)

    @property
    def pages(self) -> int:
        return sum(i.pages for i in self.issues)

    @property
    def formats(self) -> list[str]:
        seen = Counter(str(self.facts[i.id].values["format"]) for i in self.issues
                       if self.facts[i.id].values.get("format"))
        return [f for f, _n in seen.most_common()]

    @property
    def per_cell(self) -> float | None:
        mean = self.mean_run
        return None if mean is None or not self.cells else round(mean / self.cells, 2)


def year_runs(catalog: Catalog, corpus: Corpus, filters: Filters) -> list[YearRun]:
    """Per series (the filters') and year held, the issues and their colophon facts."""
    memo_key = ("distribution", filters)
    if memo_key in corpus._memo:
        return list(corpus._memo[memo_key])
    facts = all_facts(catalog)
    cells = party_cells(catalog)
    out: dict[tuple[str, int], YearRun] = {}
    chosen = set(filters.chosen_series(corpus))
    for issue in corpus.issues:
        if issue.series not in chosen or not in_years(issue.year, filters.year_from, filters.year_to):
            continue
        row = out.setdefault((issue.series, issue.year),
                             YearRun(issue.series, issue.year, cells=cells.get((issue.series, issue.year))))
        row.issues.append(issue)
        row.facts[issue.id] = facts.get(issue.id) or IssueFacts(issue.id, False, {})
    rows = [out[k] for k in sorted(out, key=lambda k: (filters.chosen_series(corpus).index(k[0]), k[1]))]
    corpus._memo[memo_key] = tuple(rows)
    return rows


def evidence(row: YearRun) -> Evidence:
    return Evidence(colophons_path(row.series, row.year, row.year))


COLUMNS = (
    Column("series", "Bản tin"), Column("year", "Năm", "year"),
    Column("issues", "Số có trong kho", "int"),
    Column("with_run", "Số ghi số lượng in", "int"),
    Column("without_run", "Số không ghi / không đọc được", "int"),
    Column("mean_run", "Số lượng in trung bình (bản/số)", "int"),
    Column("format", "Khổ"),
    Column("pages_per_issue", "Trang/số", "float", 1),
    Column("cells", "Số chi bộ", "int"),
    Column("per_cell", "Bản/chi bộ mỗi số", "float", 2),
)


def distribution_table(catalog: Catalog, corpus: Corpus, filters: Filters) -> Table:
    rows = []
    for r in year_runs(catalog, corpus, filters):
        link = evidence(r)
        rows.append((
            Cell(r.series, text=corpus.series_title(r.series)), Cell(r.year),
            Cell(len(r.issues), link.showing(("issues", len(r.issues)))),
            Cell(r.with_run, link.showing(("issues-run", r.with_run))),
            Cell(r.without_run, link.showing(("issues-norun", r.without_run))),
            Cell(r.mean_run, link.showing(("copies", r.copies), ("issues-run", r.with_run))
                 if r.mean_run is not None else None),
            Cell(", ".join(r.formats) or None, link if r.formats else None),
            Cell(ratio(r.pages, len(r.issues)), link.showing(("pages", r.pages), ("issues", len(r.issues)))),
            Cell(r.cells, link.showing(("cells", r.cells)) if r.cells else None),
            Cell(r.per_cell, link.showing(("copies", r.copies), ("issues-run", r.with_run), ("cells", r.cells or 0))
                 if r.per_cell is not None else None),
        ))
    missing = sum(r.without_run for r in year_runs(catalog, corpus, filters))
    return Table("distribution", "Số lượng in, khổ và số trang theo năm", COLUMNS, tuple(rows),
                 note=("Số lượng in đọc từ lời ghi cuối mỗi số (đã áp dụng hiệu đính của biên tập viên). "
                       f"Các số không ghi số lượng in hoặc không đọc được được đếm riêng ({missing} số), "
                       "không ước đoán. Bản/chi bộ = số lượng in trung bình chia số chi bộ do biên tập viên nhập."),
                 index_version=corpus.index_version)


CHANGE_COLUMNS = (Column("series", "Bản tin"), Column("date", "Từ số", "month"), Column("what", "Thay đổi"),
                  Column("before", "Trước"), Column("after", "Sau"), Column("issue", "Số báo"))


def changes_table(catalog: Catalog, corpus: Corpus, filters: Filters) -> Table:
    """Changes of format (as printed) and of the usual page count (a year's most common
    count against the previous year's), each linking to the first issue or year showing it."""
    rows: list[tuple[Cell, ...]] = []
    by_series: dict[str, list[YearRun]] = {}
    for r in year_runs(catalog, corpus, filters):
        by_series.setdefault(r.series, []).append(r)
    for code, years in by_series.items():
        title = Cell(code, text=corpus.series_title(code))
        last_format: str | None = None
        last_pages: int | None = None
        for r in years:
            for issue in sorted(r.issues, key=lambda i: (i.date, i.number)):
                fmt = r.facts[issue.id].values.get("format")
                if fmt and last_format and fmt != last_format:
                    link = Evidence(page_path(issue.id, r.facts[issue.id].page or issue.pages))
                    rows.append((title, Cell(issue.date or str(r.year)), Cell("khổ"), Cell(last_format),
                                 Cell(str(fmt)), Cell(issue.id, link)))
                if fmt:
                    last_format = str(fmt)
            usual = Counter(i.pages for i in r.issues).most_common(1)[0][0] if r.issues else None
            if usual is not None and last_pages is not None and usual != last_pages:
                link = evidence(r).showing(("pages", r.pages), ("issues", len(r.issues)))
                rows.append((title, Cell(f"{r.year:04d}-01", text=str(r.year)), Cell("số trang thường gặp"),
                             Cell(last_pages), Cell(usual, link), Cell(None)))
            last_pages = usual if usual is not None else last_pages
    return Table("format_changes", "Thay đổi khổ và số trang", CHANGE_COLUMNS, tuple(rows),
                 note="Khổ theo lời ghi cuối số; số trang thường gặp là số trang phổ biến nhất trong năm.",
                 index_version=corpus.index_version)


def basis(catalog: Catalog, corpus: Corpus, series: str, lo: int, hi: int | None) -> dict[str, Any]:
    """What ``/coverage/colophons`` shows: the issues of a series and years with their facts,
    and the totals (each a ``data-count`` of the page)."""
    rows = [r for r in year_runs(catalog, corpus, Filters(series=(series,), year_from=lo, year_to=hi))]
    issues = [(i, r.facts[i.id]) for r in rows for i in r.issues]
    cells = [r.cells for r in rows if r.cells]
    return {"rows": rows, "issues": issues, "held": len(issues),
            "with_run": sum(r.with_run for r in rows), "without_run": sum(r.without_run for r in rows),
            "copies": sum(r.copies for r in rows), "pages": sum(r.pages for r in rows),
            "cells": cells[0] if len(cells) == 1 and len(rows) == 1 else None}
