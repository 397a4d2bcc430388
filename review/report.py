"""The statistical appendix: what it says, in order, independent of the file format.

``render_report`` (the stage's one public verb) builds a :class:`Report`, a list of blocks
(headings, paragraphs with links, tables, figures), from the same computations as the
coverage pages, and hands it to :mod:`review.report_docx` or :mod:`review.report_html`.
Every number is a link: tables carry their cells' evidence, paragraphs their own; links are
absolute under ``base_url`` so they work from a document read years later, on another machine.

The content follows the review plan: the archive held (completeness); structure and layout
over time (*cơ cấu, bố cục*); content and topic coverage with the gaps; cited documents and
lags; the editors' evidence collections; example articles per topic and period;
distribution (print runs, formats and page counts from the colophons); and how to check every
number (query keys, index version).

Why one module of a little over 400 lines: the appendix is read top to bottom in the order of
the review plan, one short function per section over one builder; splitting the sections
across modules would scatter that order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from archive.catalog import Catalog
from archive.collections import list_collections
from archive.config import Config
from archive.errors import UsageError
from archive.permalinks import (
    absolute,
    article_path,
    basis_path,
    colophons_path,
    describe_search,
    saved_search_path,
    series_path,
)
from archive.vnformat import issue_number, number, page_range
from review import coverage, distribution, district, documents, examples, figures, shares, structure
from review.agreement import agreement, method_sentences
from review.charts import Chart, HeatChart, png
from review.corpus import Corpus, load_corpus
from review.evidence import coverage_path
from review.filters import Filters
from review.tables import Cell, Column, Table, display

log = logging.getLogger(__name__)

FORMATS = ("docx", "html")


@dataclass(frozen=True)
class Link:
    text: str
    url: str  # absolute
    shows: tuple[tuple[str, float], ...] = ()  # figures the target shows (see review.evidence.Evidence)


@dataclass(frozen=True)
class Heading:
    level: int  # 1..3
    text: str


@dataclass(frozen=True)
class Para:
    parts: tuple[str | Link, ...]
    style: str = ""  # "" | "note" | "bullet"


@dataclass(frozen=True)
class TableBlock:
    table: Table
    columns: tuple[str, ...]  # keys of the columns shown, in order
    page: str = ""  # absolute permalink of the web page showing the table
    csv: str = ""  # absolute URL of its CSV download


@dataclass(frozen=True)
class Figure:
    chart: Chart | HeatChart
    image: bytes  # PNG
    caption: str
    page: str = ""  # absolute permalink of the web page showing the chart


Block = Heading | Para | TableBlock | Figure


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    base_url: str
    index_version: str
    generated: str
    filters: Filters
    blocks: tuple[Block, ...] = field(default=())

    def tables(self) -> list[TableBlock]:
        return [b for b in self.blocks if isinstance(b, TableBlock)]

    def links(self) -> list[str]:
        """Every URL the report links to (tables' cells, paragraphs, captions)."""
        out: list[str] = []
        for b in self.blocks:
            if isinstance(b, Para):
                out += [p.url for p in b.parts if isinstance(p, Link)]
            elif isinstance(b, TableBlock):
                out += [b.page, b.csv]
                keys = [b.table.columns[b.table.column(k)] for k in b.columns]
                for row in b.table.rows:
                    for col in keys:
                        cell = row[b.table.column(col.key)]
                        if cell.link:
                            out.append(cell.link.url(self.base_url))
            elif isinstance(b, Figure) and b.page:
                out.append(b.page)
        return [u for u in dict.fromkeys(out) if u]


def header(block: TableBlock) -> list[str]:
    return [block.table.columns[block.table.column(k)].label for k in block.columns]


def body(block: TableBlock, base_url: str) -> list[list[tuple[str, str, str]]]:
    """The shown cells of a table block as (display text, absolute link or '', flag)."""
    table = block.table
    index = [table.column(k) for k in block.columns]
    out = []
    for row in table.rows:
        line = []
        for k in index:
            cell = row[k]
            url = cell.link.url(base_url) if cell.link else ""
            line.append((display(table.columns[k], cell), url, cell.flag))
        out.append(line)
    return out


class _Builder:
    def __init__(self, catalog: Catalog, config: Config, corpus: Corpus, filters: Filters,
                 base_url: str, *, threshold: float, per_period: int) -> None:
        self.catalog = catalog
        self.config = config
        self.corpus = corpus
        self.filters = filters
        self.base = base_url.rstrip("/")
        self.threshold = threshold
        self.per_period = per_period
        self.blocks: list[Block] = []

    def url(self, path: str) -> str:
        return absolute(self.base, path)

    def h(self, level: int, text: str) -> None:
        self.blocks.append(Heading(level, text))

    def p(self, *parts: str | Link, style: str = "") -> None:
        self.blocks.append(Para(tuple(parts), style))

    def table(self, table: Table, columns: tuple[str, ...], extra: list[tuple[str, str]] | None = None,
              *, page: tuple[str, str] | None = None) -> None:
        """A table; ``page``: its (page, CSV) paths when it is not one of the coverage pages'."""
        params = self.filters.params() + (extra or [])
        view, data = page or (coverage_path(table.name, params), coverage_path(table.name, params, csv=True))
        self.blocks.append(TableBlock(table, columns, self.url(view), self.url(data)))
        if table.note:
            self.p(table.note, style="note")

    def figure(self, chart: Chart | HeatChart, caption: str, table: str,
               extra: list[tuple[str, str]] | None = None) -> None:
        params = self.filters.params() + (extra or [])
        self.blocks.append(Figure(chart, png(chart), caption,
                                  self.url(coverage_path(table, params))))

    def link(self, text: str, path: str, *shows: tuple[str, float]) -> Link:
        return Link(text, self.url(path), tuple((u, float(v)) for u, v in shows))


def render_report(catalog: Catalog, config: Config, filters: Filters, *, base_url: str,
                  threshold: float = coverage.DEFAULT_THRESHOLD,
                  per_period: int = 2) -> Report:
    """Build the appendix for ``filters`` (its blocks, images rendered)."""
    if not base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url {base_url!r} phải là địa chỉ tuyệt đối, ví dụ "
                         "https://bantin.tinhuy.vn (các liên kết trong báo cáo dùng địa chỉ này)")
    corpus = load_corpus(catalog, config)
    if not corpus.issues:
        raise UsageError("kho chưa có số bản tin nào: chạy `bantin build` trước khi lập báo cáo")
    b = _Builder(catalog, config, corpus, filters, base_url, threshold=threshold,
                 per_period=per_period)
    _intro(b)
    _holdings(b)
    _structure(b)
    _topics(b)
    _documents(b)
    _collections(b)
    _examples(b)
    _distribution(b)
    _method(b)
    district.appendix(b, catalog, config.home)
    names = ", ".join(corpus.series_title(s) for s in filters.chosen_series(corpus))
    return Report(title="Phụ lục thống kê", subtitle=f"{names} ({filters.label()})",
                  base_url=b.base, index_version=corpus.index_version,
                  generated=datetime.now().strftime("%d/%m/%Y %H:%M"), filters=filters,
                  blocks=tuple(b.blocks))


def _intro(b: _Builder) -> None:
    c = b.corpus
    b.p("Phụ lục này được lập tự động từ kho lưu trữ số Bản tin. Mỗi số liệu là một liên kết tới "
        "trang tìm kiếm hoặc trang thống kê của kho liệt kê các số, tin, bài được đếm; mỗi bài "
        "tiêu biểu liên kết tới bài gốc. Cần đăng nhập kho để mở các liên kết.")
    v = c.index_version or "(chưa có chỉ mục)"
    b.p(f"Phiên bản chỉ mục tìm kiếm: {v}. Mã truy vấn (query key) của từng số liệu có trong các "
        "tệp CSV đi kèm mỗi bảng, để đối chiếu về sau.", style="note")


def _holdings(b: _Builder) -> None:
    c, f = b.corpus, b.filters
    b.h(1, "1. Kho lưu trữ hiện có")
    stats = structure.period_stats(c, f)
    for code in f.chosen_series(c):
        rows = [st for st in stats if st.series == code]
        held = sum(st.held for st in rows)
        expected = sum(st.expected for st in rows)
        done = sum(st.held_expected for st in rows)
        pct = display(Column("x", "", "percent", 1), Cell(round(100 * done / expected, 1))) if expected else ""
        span = f.span(c, code)
        path = basis_path(code, span[0], span[1], "issues") if span else series_path(code)
        b.p(f"{c.series_title(code)}: kho có ",
            b.link(f"{held} số", path, ("issues", held)),
            f" trên {expected} số theo kế hoạch phát hành" + (f" ({pct})." if pct else "."))
    b.figure(figures.completeness_chart(c, f), "Hình 1. Mức đầy đủ của kho theo thời kỳ, "
             "bên cạnh tỷ lệ trang đọc kém.", "structure")
    b.table(structure.structure_table(c, f),
            ("series", "period", "issues_held", "issues_expected", "completeness", "pages",
             "low_ocr_pages", "corrected_pages"))


def _structure(b: _Builder) -> None:
    c, f = b.corpus, b.filters
    b.h(1, "2. Cơ cấu và bố cục qua các thời kỳ")
    b.h(2, "2.1. Số trang, số tin, bài và độ dài")
    b.figure(figures.articles_chart(c, f), "Hình 2. Số tin, bài mỗi số.", "structure")
    b.figure(figures.words_chart(c, f), "Hình 3. Số chữ trung bình mỗi tin, bài.", "structure")
    b.table(structure.structure_table(c, f),
            ("series", "period", "pages_per_issue", "articles", "articles_per_issue",
             "words_per_article", "low_ocr_pages", "orphan_pages"))
    b.h(2, "2.2. Chuyên mục")
    b.table(structure.sections_table(c, f), ("series", "period", "section", "articles", "share"))
    b.h(2, "2.3. Thể loại")
    b.table(structure.kinds_table(c, f), ("series", "period", "kind", "articles", "share"))


def _topics(b: _Builder) -> None:
    c, f = b.corpus, b.filters
    extra = [("measure", "articles"), ("threshold", f"{b.threshold:g}")]
    b.h(1, "3. Nội dung và mức độ bao quát chủ đề")
    maps = coverage.heatmaps(c, f, threshold=b.threshold)
    for k, hm in enumerate(maps, 1):
        b.h(2, f"3.{k}. {hm.title}")
        b.figure(figures.heat_chart(hm, "articles"), f"Hình {3 + k}. {hm.title}: tỷ lệ tin, bài "
                 "theo chủ đề và thời kỳ (số trong ô: số tin, bài).", "topics", extra)
        matrix = matrix_table(c, hm)
        b.table(matrix, tuple(col.key for col in matrix.columns), extra)
    b.h(2, f"3.{len(maps) + 1}. Khoảng trống về chủ đề")
    gaps = coverage.gaps_table(c, f, threshold=b.threshold)
    b.table(gaps, ("series", "topic", "from", "to", "periods", "articles", "kind", "values"), extra)


def matrix_table(corpus: Corpus, hm: coverage.SeriesHeatmap, measure: str = "articles") -> Table:
    """One series' heatmap as a topic × period table (share, with the count in brackets)."""

    columns = (Column("topic", "Chủ đề"),) + tuple(Column(p.key, p.short) for p in hm.periods)
    rows = []
    for slug, name, cells in hm.rows:
        row = [Cell(slug, text=name)]
        for cell in cells:
            value = cell.share(measure)
            if cell.flag == "nodata":
                row.append(Cell(None, flag="nodata", text="–"))
            else:
                text = f"{number(value or 0, 1)} % ({cell.articles})"
                row.append(Cell(value, cell.share_link(measure), cell.flag, text))
        rows.append(tuple(row))
    return Table(f"topics-{hm.series}", f"{hm.title}: chủ đề theo thời kỳ", columns, tuple(rows),
                 "Ô tô đậm: trống hoặc mỏng; –: kho chưa có dữ liệu thời kỳ này.", corpus.index_version)


def _documents(b: _Builder) -> None:
    c, f = b.corpus, b.filters
    b.h(1, "4. Văn bản được dẫn và độ trễ")
    rows = documents.mentions(c, f)
    b.h(2, "4.1. Lần đầu nhắc tới và độ trễ")
    if any(m.lag_months is not None for m in rows):
        b.figure(figures.lag_chart(c, rows), "Hình. Độ trễ (tháng) từ khi ban hành đến lần đầu "
                 "bản tin nhắc tới.", "documents")
    full = documents.documents_table(c, f)
    mentioned = Table(full.name, full.title, full.columns,
                      tuple(r for r in full.rows if r[full.column("first_mention")].value),
                      full.note, full.index_version)
    b.table(mentioned, ("document", "issued", "series", "first_mention", "lag_months", "mentions"))
    b.h(2, "4.2. Văn bản chưa được nhắc tới")
    b.table(documents.unmentioned_table(c, f), ("document", "kind", "title", "issued", "note"))
    unknown = documents.unregistered_table(c, f)
    if unknown.rows:
        b.h(2, "4.3. Văn bản được dẫn nhưng chưa có trong danh mục")
        b.table(unknown, ("document", "series", "first_mention", "mentions"))


def _collections(b: _Builder) -> None:
    b.h(1, "5. Bộ sưu tập minh chứng")
    try:
        found = list_collections(b.catalog)
    except Exception as e:  # noqa: BLE001  (an older catalog without the editorial tables)
        log.warning("no collections: %s", e)
        found = []
    if not found:
        b.p("Chưa có bộ sưu tập minh chứng nào (biên tập viên tạo trên trang Bàn biên tập).")
        return
    for k, col in enumerate(found, 1):
        b.h(2, f"5.{k}. {col.name}")
        if col.description:
            b.p(col.description)
        for item in col.items:
            if item.kind == "article":
                target = b.link(item.title or item.ref, article_path(item.ref))
            else:
                target = b.link(item.title or "Tìm kiếm", saved_search_path(item.ref))
            parts: list[str | Link] = [target]
            if item.kind == "search":  # the filters, not only the words
                parts.append(f" ({describe_search(item.ref)})")
            if item.note:
                parts.append(f" — {item.note}")
            b.p(*parts, style="bullet")


def _examples(b: _Builder) -> None:
    c, f = b.corpus, b.filters
    b.h(1, "6. Bài viết tiêu biểu theo chủ đề và thời kỳ")
    chosen = {slug: examples.examples(b.catalog, c, f, slug, per_period=b.per_period) for slug, _ in c.topics()}
    b.p("Với mỗi chủ đề và thời kỳ: những bài mang nhãn chủ đề, "
        + examples.selection_claim(c, [ex.article.id for found in chosen.values() for ex in found]) + ".",
        style="note")
    k = 0
    for slug, name in c.topics():
        found = chosen[slug]
        if not found:
            continue
        k += 1
        b.h(2, f"6.{k}. {name}")
        for period in dict.fromkeys(ex.period for ex in found):
            b.h(3, period.label)
            for ex in (e for e in found if e.period == period):
                a = ex.article
                where = f"{c.series_title(a.series)}, {issue_number(a.number, a.year)}, " \
                        f"{page_range(a.first_page, a.last_page)}"
                parts: list[str | Link] = [b.link(f"“{a.title}”", article_path(a.id)), f", {where}"]
                if a.refs:
                    parts.append(f"; dẫn: {', '.join(a.refs)}")
                b.p(*parts, style="bullet")


def _distribution(b: _Builder) -> None:
    """Distribution (*phát hành*): print runs per year from the colophons, issues without a
    run counted apart, format and page-count changes (``review.distribution``)."""
    c, f = b.corpus, b.filters
    b.h(1, "7. Phát hành: số lượng in, khổ và số trang")
    rows = distribution.year_runs(b.catalog, c, f)
    for code in f.chosen_series(c):
        mine = [r for r in rows if r.series == code]
        if not mine:
            continue
        lo, hi = mine[0].year, mine[-1].year
        path = colophons_path(code, lo, hi)
        held, with_run = sum(len(r.issues) for r in mine), sum(r.with_run for r in mine)
        without, copies = held - with_run, sum(r.copies for r in mine)
        b.p(f"{c.series_title(code)} ({lo}–{hi}): ",
            b.link(f"{with_run} số", path, ("issues-run", with_run)), f" trên {held} số ghi số lượng in, "
            "cộng lại ", b.link(f"{number(copies)} bản", path, ("copies", copies)), "; ",
            b.link(f"{without} số", path, ("issues-norun", without)),
            " không ghi hoặc không đọc được số lượng in (được đếm riêng, không ước đoán).")
    b.table(distribution.distribution_table(b.catalog, c, f),
            ("series", "year", "issues", "with_run", "without_run", "mean_run", "format",
             "pages_per_issue", "cells", "per_cell"))
    changes = distribution.changes_table(b.catalog, c, f)
    if changes.rows:
        b.h(2, "7.1. Thay đổi khổ và số trang")
        b.table(changes, ("series", "date", "what", "before", "after", "issue"))


def _method(b: _Builder) -> None:
    b.h(1, "8. Nguồn số liệu và cách kiểm chứng")
    b.p("Số lượng số, trang, tin, bài, chủ đề và văn bản được đếm từ danh mục của kho (đã áp dụng "
        "các hiệu đính của biên tập viên); tần suất từ ngữ được đếm trên chỉ mục tìm kiếm. Mỗi bảng "
        "có trang thống kê và tệp CSV tương ứng trên kho, cho cùng số liệu với cùng bộ lọc:")
    seen = set()
    for block in b.blocks:
        if isinstance(block, TableBlock) and block.table.name not in seen:
            seen.add(block.table.name)
            b.p(Link(block.table.title, block.page), " — ", Link("CSV", block.csv), style="bullet")
    b.p("Độ tin cậy của nhãn chủ đề:")
    slugs = [slug for slug, _name in b.corpus.topics()]
    for line in method_sentences(agreement(b.catalog, slugs)):
        b.p(line)
    if b.corpus.calibration:
        b.p(shares.METHOD)

