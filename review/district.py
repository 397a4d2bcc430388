"""The districts' reports in the review (issue 21): who reported, when, and the figures they
gave, consolidated per unit and in total.

Tables for the web page ``/bao-cao?review=…`` and the report's appendix. Every name and
number links to its source: a unit's name and figures to its report's page
(``/bao-cao/<review>/<unit>``, the figures marked ``data-count`` with the figure's name as
unit, the sentence each was read from beside it); the counts of received / late / missing and
the totals to the status page, which marks them (units ``units``, ``units-received``,
``units-late``, ``units-missing``, ``total-<figure>``). A figure counts once an editor has
confirmed it; an unconfirmed prefill is shown as such and left out of the totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from archive import reporters
from archive.catalog import Catalog
from archive.reporters import FIGURE_LABELS, FIGURES, STATUS_LABELS, Register, UnitStatus
from review.evidence import Evidence
from review.tables import Cell, Column, Table


def status_path(review: str) -> str:
    return "/bao-cao?" + urlencode([("review", review)])


def report_path(review: str, unit: str) -> str:
    return f"/bao-cao/{quote(review, safe='')}/{quote(unit, safe='')}"


@dataclass(frozen=True)
class Summary:
    review: reporters.Review
    rows: tuple[UnitStatus, ...]
    figures: dict[str, dict[str, dict[str, object]]]  # unit → figure → row
    counts: dict[str, int]  # received / late / missing
    totals: dict[str, int]  # figure → sum of confirmed values

    def confirmed(self, unit: str, name: str) -> int | None:
        value = self.figures.get(unit, {}).get(name, {}).get("value")
        return int(value) if isinstance(value, int) else None


def summary(catalog: Catalog, register: Register, review_code: str) -> Summary | None:
    review = register.review(review_code)
    if review is None:
        return None
    rows = tuple(reporters.statuses(catalog, register, review_code))
    figures = {s.unit.code: reporters.figures(catalog, s.report["id"]) for s in rows if s.report}
    counts = {k: sum(1 for s in rows if s.status == k) for k in STATUS_LABELS}
    totals = {name: sum(int(f[name]["value"]) for f in figures.values() if f[name]["value"] is not None)
              for name in FIGURES}
    return Summary(review, rows, figures, counts, totals)


COLUMNS = (Column("unit", "Đơn vị"), Column("status", "Tình trạng"), Column("received", "Ngày nhận", "date"),
           Column("days_late", "Muộn (ngày)", "int"), Column("file", "Tệp"),
           *(Column(name, label, "int") for name, label in FIGURE_LABELS.items()))


def status_table(s: Summary) -> Table:
    rows = []
    for u in s.rows:
        link = Evidence(report_path(s.review.code, u.unit.code)) if u.report else None
        where = link or Evidence(status_path(s.review.code) + f"#u-{u.unit.code}")
        cells = [Cell(u.unit.code, where, text=u.unit.name), Cell(u.status, text=STATUS_LABELS[u.status]),
                 Cell(u.received or None), Cell(u.days_late if u.status == "late" else None,
                                                 link.showing(("days-late", u.days_late))
                                                 if link and u.status == "late" else None),
                 Cell(u.report["path"].rsplit("/", 1)[-1] if u.report else None, link)]
        for name in FIGURES:
            value = s.confirmed(u.unit.code, name)
            cells.append(Cell(value, link.showing((name, value)) if link and value is not None else None))
        rows.append(tuple(cells))
    total = Evidence(status_path(s.review.code))
    rows.append((Cell("", text="Tổng cộng"), Cell(None), Cell(None), Cell(None), Cell(None),
                 *(Cell(s.totals[n], total.showing((f"total-{n}", s.totals[n]))) for n in FIGURES)))
    return Table("district_reports", f"Báo cáo của các đơn vị — hạn nộp {s.review.deadline}", COLUMNS, tuple(rows),
                 note="Số liệu là số đã được biên tập viên xác nhận; số máy đọc từ văn bản chờ xác nhận không "
                      "được cộng vào tổng.")


def appendix(b: Any, catalog: Catalog, home: Path) -> None:
    """The report's appendix (``b``: the report's builder, ``review.report._Builder``): per
    review of ``reporters.toml``, the counts of received / late / missing, the table of units
    with their confirmed figures, and each report listed with a link."""
    register = reporters.load_register(home)
    if not register.reviews:
        return
    b.h(1, "Phụ lục. Báo cáo của các đơn vị")
    for review in register.reviews:
        s = summary(catalog, register, review.code)
        if s is None:
            continue
        path = status_path(review.code)
        b.h(2, review.name)
        b.p(f"Hạn nộp {review.deadline[8:10]}/{review.deadline[5:7]}/{review.deadline[:4]}: ",
            b.link(f"{len(s.rows)} đơn vị", path, ("units", len(s.rows))), " phải báo cáo; ",
            b.link(f"{s.counts['received']} đơn vị", path, ("units-received", s.counts["received"])),
            " đã nộp đúng hạn, ", b.link(f"{s.counts['late']} đơn vị", path, ("units-late", s.counts["late"])),
            " nộp muộn, ", b.link(f"{s.counts['missing']} đơn vị", path, ("units-missing", s.counts["missing"])),
            " chưa nộp.")
        b.table(status_table(s), tuple(c.key for c in COLUMNS),
                page=(path + "#units", "/bao-cao/bang.csv?" + urlencode([("review", review.code)])))
        for u in s.rows:
            if u.report is None:
                b.p(f"{u.unit.name}: chưa nộp.", style="bullet")
                continue
            when = f"nhận ngày {u.received[8:10]}/{u.received[5:7]}/{u.received[:4]}"
            b.p(b.link(u.unit.name, report_path(review.code, u.unit.code)), f", {when}"
                + (f" (muộn {u.days_late} ngày)" if u.status == "late" else "") + ".", style="bullet")
