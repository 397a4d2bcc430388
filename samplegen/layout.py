"""Layout of one bulletin issue into pages of positioned lines, shared by every renderer.

The page is 19×27 cm (a common size for these bulletins), measured in points from the top
left. Page 1 carries the masthead (publisher in capitals, the title, *Số N – tháng M/YYYY*,
*Lưu hành nội bộ*); later pages a running header (title – Số N/YYYY) and a page number; every
page ends with the footer line *Dữ liệu mẫu – nội dung hư cấu*. A *Mục lục* (table of
contents) sits on page 1 or 2 when the plan asks for one. Articles flow through one or two
columns and on to the next page: section banners (boxed or ruled), titles larger and bolder
than the body, bylines under the title or at the end, justified or ragged paragraphs, short
*tin*, Q&A with bold *Hỏi:* / *Đáp:*; a colophon closes some issues.

A renderer supplies the :class:`~samplegen.typeset.Measure` of the fonts it draws with, so
line breaks are exact for what is drawn. :meth:`PageLayout.text` is the page's truth: every
drawn line in reading order (full-width bands in place, column 1 top to bottom, then column
2), blank lines between blocks, NFC.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from archive.vntext import nfc
from samplegen.flow import FlowLine, article_flow, colophon_flow, pour
from samplegen.plan import IssuePlan, IssueStyle
from samplegen.typefaces import MONO, SERIF
from samplegen.typeset import Measure, Span, break_lines, fit_size, set_line, set_text, words_of

PT_PER_CM = 72 / 2.54
PAGE_W = round(19 * PT_PER_CM, 3)  # 538.583 pt
PAGE_H = round(27 * PT_PER_CM, 3)  # 765.354 pt
MARGIN_X = round(1.8 * PT_PER_CM, 3)
MARGIN_TOP = round(1.4 * PT_PER_CM, 3)
MARGIN_BOTTOM = round(1.2 * PT_PER_CM, 3)
GUTTER = round(0.6 * PT_PER_CM, 3)
TEXT_W = PAGE_W - 2 * MARGIN_X
FOOTER_TEXT = "Dữ liệu mẫu – nội dung hư cấu"
TOC_HEADING = "MỤC LỤC"
LEGACY_TYPEFACES = {"pdf-tcvn3": "vntime", "pdf-vni": "vnitimes"}


def choose_style(plan: IssuePlan) -> IssueStyle:
    """Era- and source-dependent typography, reproducible from the plan's seed."""
    rng = random.Random(f"{plan.seed}:{plan.issue_id}:style")
    old = plan.source == "scan-old"
    if old:
        face = rng.choice(MONO)
    elif plan.source in LEGACY_TYPEFACES:
        face = LEGACY_TYPEFACES[plan.source]
    else:
        face = rng.choice(SERIF)
    two = plan.columns == 2
    body = (10.0 if two else 10.5) if old else rng.choice((10.0, 10.5) if two else (10.5, 11.0, 11.5))
    colophon = colophon_lines(plan)
    return IssueStyle(
        typeface=face,
        columns=plan.columns,
        body_size=body,
        leading=1.3 if old else rng.choice((1.22, 1.25, 1.3)),
        justified=(rng.random() < 0.25) if old else (rng.random() < 0.85),
        indent=rng.random() < 0.7,
        title_size=rng.choice((13.0, 14.0, 15.0) if two else (14.0, 15.0, 16.0)),
        title_caps=rng.random() < (0.6 if old else 0.3),
        title_align=rng.choice(("left", "center")),
        banner=rng.choice(("box", "rules")),
        banner_caps=rng.random() < 0.6,
        byline=rng.choice(("end", "end", "under")),
        mast_caps=rng.random() < 0.4,
        header_align=rng.choice(("outer", "center")),
        toc_page=(1 if rng.random() < 0.6 else 2) if plan.toc else 0,
        colophon=colophon,
    )


def colophon_lines(plan: IssuePlan) -> tuple[str, ...]:
    """The colophon as printed, from the plan's editor, print run, format, printer, licence
    and deposit month (``samplegen.colophon`` draws them)."""
    lines = []
    if plan.editor:
        lines.append(f"Chịu trách nhiệm xuất bản: {plan.editor}")
    fmt = plan.format or "19 x 27 cm"
    if plan.print_run:
        run = f"{plan.print_run:,}".replace(",", ".")
        if plan.colophon_form == "so-luong":
            lines.append(f"Số lượng in: {run} bản. Khổ {fmt}." + (f" In tại {plan.printer}." if plan.printer else ""))
        else:
            lines.append(f"In {run} bản, khổ {fmt}" + (f", tại {plan.printer}." if plan.printer else "."))
    elif plan.printer:
        lines.append(f"In tại {plan.printer}.")
    if plan.licence:
        licence = plan.licence if plan.licence.startswith("Giấy phép") else f"Giấy phép xuất bản số {plan.licence}"
        lines.append(licence if licence.endswith(".") else licence + ".")
    if plan.deposit:
        year, month = plan.deposit.split("-")
        lines.append(f"In xong và nộp lưu chiểu tháng {int(month)}/{year}.")
    return tuple(nfc(x) for x in lines)


@dataclass(frozen=True)
class Line:
    spans: tuple[Span, ...]  # x in points from the page's left edge
    baseline: float  # points from the page's top edge
    block: int  # lines of one block are printed without a blank line between them
    region: int  # index into PageLayout.regions

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans).rstrip()


@dataclass(frozen=True)
class Rule:
    """A straight line from (x0, y0) to (x1, y1), points, ``width`` points thick."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.6


@dataclass(frozen=True)
class Frame:
    """A rectangle outline (section banners, the table of contents, the colophon)."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.7


@dataclass(frozen=True)
class PageLayout:
    number: int  # 1-based
    lines: tuple[Line, ...]  # in reading order
    rules: tuple[Rule, ...]
    frames: tuple[Frame, ...]
    regions: tuple[tuple[float, float, float, float], ...]  # (x0, y0, x1, y1) in reading order
    width: float = PAGE_W
    height: float = PAGE_H

    def text(self) -> str:
        """The truth: drawn lines in reading order, a blank line between blocks, NFC."""
        out: list[str] = []
        prev: tuple[int, int] | None = None
        for line in self.lines:
            key = (line.block, line.region)
            if prev is not None and key != prev:
                out.append("")
            out.append(line.text)
            prev = key
        return nfc("\n".join(out))


@dataclass(frozen=True)
class ArticleSpan:
    key: str
    first_page: int
    last_page: int


@dataclass(frozen=True)
class IssueLayout:
    style: IssueStyle
    pages: tuple[PageLayout, ...]
    spans: tuple[ArticleSpan, ...]


class _Page:
    """A page being assembled: lines, rules and frames in points, regions in reading order."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.lines: list[Line] = []
        self.rules: list[Rule] = []
        self.frames: list[Frame] = []
        self.regions: list[tuple[float, float, float, float]] = []

    def region(self, box: tuple[float, float, float, float], pad: float = 2.0) -> int:
        """Add a text region (a little larger than its text, by ``pad`` points)."""
        x0, y0, x1, y1 = box
        self.regions.append((round(x0 - pad, 3), round(y0 - pad, 3), round(x1 + pad, 3), round(y1 + pad, 3)))
        return len(self.regions) - 1

    def add(self, spans: tuple[Span, ...], x: float, baseline: float, block: int, region: int) -> None:
        moved = tuple(replace(s, x=round(s.x + x, 3)) for s in spans)
        self.lines.append(Line(moved, round(baseline, 3), block, region))

    def done(self) -> PageLayout:
        return PageLayout(self.number, tuple(self.lines), tuple(self.rules), tuple(self.frames),
                          tuple(self.regions))


# Steps tried when an issue comes out shorter than the planner's page count (points, leading).
_LOOSER = ((0.5, 0.0), (1.0, 0.03), (1.5, 0.05), (2.0, 0.08))


def layout_issue(plan: IssuePlan, measure: Measure, style: IssueStyle | None = None) -> IssueLayout:
    """Lay out every article of ``plan`` into pages, measuring text with ``measure``.

    When the plan says how many pages the issue should have (``pages_hint``) and the text
    comes out shorter, the body is set a little larger and looser, as an editor filling a
    fixed number of pages would (at most 2 points larger)."""
    style = style or choose_style(plan)
    layout = _layout(plan, measure, style)
    for grow, loosen in _LOOSER:
        if len(layout.pages) >= plan.pages_hint:
            break
        layout = _layout(plan, measure, replace(style, body_size=style.body_size + grow,
                                                leading=round(style.leading + loosen, 3)))
    return layout


def _layout(plan: IssuePlan, measure: Measure, style: IssueStyle) -> IssueLayout:
    cols = style.columns
    colw = (TEXT_W - GUTTER * (cols - 1)) / cols
    blocks = _Counter()
    flow: list[FlowLine] = []
    section = None
    for article in plan.articles:
        flow += article_flow(article, style, measure, colw, blocks,
                             new_section=article.section != section)
        section = article.section
    if style.colophon:
        flow += colophon_flow(style, measure, colw, blocks)

    mast_block = blocks.next()
    masthead = _masthead(plan, style, measure)
    toc_entries = [a for a in plan.articles if a.kind != "tin"][:14] if style.toc_page else []
    toc_block = blocks.next()
    toc_height = _toc(toc_entries, {}, style, measure, None, 0.0, toc_block) if toc_entries else 0.0
    header_block = blocks.next()
    footer_block = blocks.next()

    body_top_first = MARGIN_TOP + masthead[1] + 8
    body_top = MARGIN_TOP + 24
    body_bottom = PAGE_H - MARGIN_BOTTOM - 30

    def frames(page: int) -> list[tuple[float, float, float]]:
        top = body_top_first if page == 1 else body_top
        if page == style.toc_page and toc_entries:
            top += toc_height + 10
        return [(MARGIN_X + i * (colw + GUTTER), top, body_bottom) for i in range(cols)]

    placed = pour(flow, frames, cols)
    npages = max([p.page for p in placed] + [max(style.toc_page, 1)])
    pages = [_Page(n) for n in range(1, npages + 1)]

    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for p in placed:
        if p.line.article:
            first.setdefault(p.line.article, p.page)
            last[p.line.article] = p.page
    toc_pages = {a.key: first.get(a.key, 1) for a in toc_entries}

    for page in pages:
        n = page.number
        if n == 1:
            band = page.region((MARGIN_X, MARGIN_TOP - 12, PAGE_W - MARGIN_X, body_top_first - 4))
            for spans, baseline in masthead[0]:
                page.add(spans, MARGIN_X, MARGIN_TOP + baseline, mast_block, band)
            page.rules.extend(masthead[2])
        else:
            _running_header(page, plan, style, measure, header_block)
        if n == style.toc_page and toc_entries:
            top = frames(n)[0][1] - toc_height - 10
            _toc(toc_entries, toc_pages, style, measure, page, top, toc_block)
        cols_here = frames(n)
        col_regions = [page.region((x, top, x + colw, bottom)) for x, top, bottom in cols_here]
        for p in placed:
            if p.page == n:
                page.add(p.line.spans, p.x, p.baseline, p.line.block, col_regions[p.column])
        _decorations(page, [p for p in placed if p.page == n], colw)
        _footer(page, style, measure, footer_block)

    article_spans = tuple(ArticleSpan(a.key, first[a.key], last[a.key])
                          for a in plan.articles if a.key in first)
    return IssueLayout(style, tuple(p.done() for p in pages), article_spans)


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _masthead(plan: IssuePlan, style: IssueStyle, measure: Measure
              ) -> tuple[list[tuple[tuple[Span, ...], float]], float, list[Rule]]:
    """Masthead lines (spans relative to the left margin, baseline below the top margin),
    its height in points and its rules."""
    lines: list[tuple[tuple[Span, ...], float]] = []
    rules: list[Rule] = []
    y = 0.0
    for line_spans in set_text(nfc(plan.publisher.upper()), "bold", 9.0, TEXT_W, measure, align="center"):
        y += 11
        lines.append((line_spans, y))
    title = plan.title.upper() if style.mast_caps else plan.title
    size = fit_size(title, "display", 30.0 if not style.mast_caps else 26.0, TEXT_W, measure)
    for spans in set_text(title, "display", size, TEXT_W, measure, align="center"):
        y += size * 1.15
        lines.append((spans, y))
    y += 9
    rules.append(Rule(MARGIN_X, MARGIN_TOP + y, PAGE_W - MARGIN_X, MARGIN_TOP + y, 1.4))
    rules.append(Rule(MARGIN_X, MARGIN_TOP + y + 2.5, PAGE_W - MARGIN_X, MARGIN_TOP + y + 2.5, 0.5))
    y += 4
    for text, face, size in ((plan.printed_number, "bold", 11.0), ("Lưu hành nội bộ", "italic", 9.5)):
        for spans in set_text(text, face, size, TEXT_W, measure, align="center"):
            y += size * 1.35
            lines.append((spans, y))
    y += 6
    rules.append(Rule(MARGIN_X, MARGIN_TOP + y, PAGE_W - MARGIN_X, MARGIN_TOP + y, 0.8))
    return lines, y, rules


def _running_header(page: _Page, plan: IssuePlan, style: IssueStyle, measure: Measure, block: int) -> None:
    number = int(plan.number) if plan.number.isdigit() else plan.number
    text = f"{plan.title} – Số {number}/{plan.year}"
    size = 9.0
    align = "center" if style.header_align == "center" else ("left" if page.number % 2 == 0 else "right")
    region = page.region((MARGIN_X, MARGIN_TOP - 4, PAGE_W - MARGIN_X, MARGIN_TOP + 16))
    for spans in set_text(text, "italic", size, TEXT_W, measure, align=align):
        page.add(spans, MARGIN_X, MARGIN_TOP + 9, block, region)
    y = MARGIN_TOP + 13
    page.rules.append(Rule(MARGIN_X, y, PAGE_W - MARGIN_X, y, 0.5))


def _footer(page: _Page, style: IssueStyle, measure: Measure, block: int) -> None:
    region = page.region((MARGIN_X, PAGE_H - MARGIN_BOTTOM - 28, PAGE_W - MARGIN_X, PAGE_H - MARGIN_BOTTOM + 6))
    if page.number > 1:
        for spans in set_text(str(page.number), "regular", style.body_size, TEXT_W, measure, align="center"):
            page.add(spans, MARGIN_X, PAGE_H - MARGIN_BOTTOM - 14, block, region)
    for spans in set_text(FOOTER_TEXT, "italic", 8.0, TEXT_W, measure, align="center"):
        page.add(spans, MARGIN_X, PAGE_H - MARGIN_BOTTOM, block, region)


def _toc(entries: list, pages: dict[str, int], style: IssueStyle, measure: Measure,
         page: _Page | None, top: float, block: int) -> float:
    """Draw the *Mục lục* box at ``top`` on ``page`` (or only measure it when page is None);
    returns its height in points. Titles left, page numbers right-aligned on the last line."""
    size = style.body_size
    lead = size * 1.3
    number_w = 30.0
    inner = TEXT_W - 16
    y = 8 + 12 * 1.2
    rows: list[tuple[tuple[Span, ...], float]] = []
    rows.extend((s, y) for s in set_text(TOC_HEADING, "bold", 12.0, inner, measure, align="center"))
    y += 4
    for entry in entries:
        lines = break_lines(words_of(entry.title, "regular"), size, inner - number_w, measure)
        for i, ln in enumerate(lines):
            y += lead
            spans = set_line(ln, size, inner - number_w, measure)
            if i == len(lines) - 1:
                num = str(pages.get(entry.key, 0))
                last = spans[-1]
                spans = spans[:-1] + (replace(last, text=last.text + " "),
                                      Span(num, inner - measure.width(num, "regular", size), "regular", size))
            rows.append((spans, y))
    height = y + 8
    if page is not None:
        region = page.region((MARGIN_X, top, PAGE_W - MARGIN_X, top + height))
        for spans, baseline in rows:
            page.add(spans, MARGIN_X + 8, top + baseline, block, region)
        page.frames.append(Frame(MARGIN_X, top, PAGE_W - MARGIN_X, top + height, 0.8))
    return height


def _decorations(page: _Page, placed: list, colw: float) -> None:
    """Boxes and rules around banners and the colophon, drawn around their placed lines."""
    groups: dict[tuple[str, int, int], list] = {}
    for p in placed:
        if p.line.deco:
            groups.setdefault((p.line.deco, p.line.block, p.column), []).append(p)
    for (deco, _block, _col), members in groups.items():
        x = members[0].x
        size = members[0].line.size
        top = min(m.baseline for m in members) - size * 0.95 - 3
        bottom = max(m.baseline for m in members) + size * 0.3 + 3
        if deco == "box":
            page.frames.append(Frame(x, top, x + colw, bottom, 0.8))
        else:
            page.rules.append(Rule(x, top, x + colw, top, 1.2 if deco == "rules" else 0.5))
            if deco == "rules":
                page.rules.append(Rule(x, bottom, x + colw, bottom, 0.5))
