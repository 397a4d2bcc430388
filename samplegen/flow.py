"""The flow of an issue: articles set as column-wide lines, poured into columns and pages.

Articles are set once for the column width (all columns of an issue are equally wide),
then poured: column 1 top to bottom, column 2, next page. A title keeps with the first two
lines of its text, a banner with its title, a byline at the end with the last line; the
space before a line is dropped at the top of a column. The last page's two columns are
balanced, as a typesetter would. Units: points, y from the top of the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from samplegen.plan import ArticlePlan, IssueStyle
from samplegen.typeset import Measure, Span, break_lines, paragraph_words, set_line, set_text

Frames = Callable[[int], list[tuple[float, float, float]]]  # page → [(x, top, bottom)] per column


class Blocks(Protocol):
    def next(self) -> int: ...


@dataclass(frozen=True)
class FlowLine:
    spans: tuple[Span, ...]  # x relative to the column's left edge
    height: float  # advance in points
    before: float  # space above, points; dropped at the top of a column
    block: int
    article: str  # ArticlePlan.key, '' for banners and the colophon
    keep: bool  # keep on the same column as the next line
    deco: str  # '' | box | rules (section banner) | over (a rule above: the colophon)
    size: float


@dataclass(frozen=True)
class Placed:
    page: int
    column: int
    x: float  # the column's left edge
    baseline: float
    line: FlowLine


def article_flow(a: ArticlePlan, style: IssueStyle, measure: Measure, colw: float, blocks: Blocks,
                 new_section: bool) -> list[FlowLine]:
    """One article as flow lines: banner (when its section starts), title, byline, text."""
    out: list[FlowLine] = []
    size = style.body_size
    lead = round(size * style.leading, 3)
    title_before = 14.0 if a.kind != "tin" else 9.0
    if new_section and a.section:
        text = a.banner or a.section
        text = text.upper() if style.banner_caps else text
        bsize = size + 1
        inset = 6.0
        block = blocks.next()
        align = "center" if style.banner == "box" else "left"
        banner = set_text(text, "bold", bsize, colw - 2 * inset, measure, align=align, x0=inset)
        for i, spans in enumerate(banner):
            first, last = i == 0, i == len(banner) - 1
            height = bsize * 1.25 + (5.0 if first else 0.0) + (3.0 if last else 0.0)
            out.append(FlowLine(spans, round(height, 3), 18.0 if first else 0.0, block, "", True,
                                style.banner, bsize))
        title_before = 12.0
    if a.kind == "tin":
        tsize, caps, align = size + 0.5, False, "left"
    else:
        tsize, caps = style.title_size, style.title_caps
        align = "center" if a.kind == "van-ban" else style.title_align
    title = a.title.upper() if caps else a.title
    block = blocks.next()
    for i, spans in enumerate(set_text(title, "bold", tsize, colw, measure, align=align)):
        out.append(FlowLine(spans, round(tsize * 1.22, 3), title_before if i == 0 else 0.0, block,
                            a.key, True, "", tsize))
    byline_end = style.byline == "end" or a.kind == "tin"
    if a.byline and not byline_end:
        block = blocks.next()
        for spans in set_text(a.byline, "italic", size, colw, measure, align=align):
            out.append(FlowLine(spans, lead, 2.0, block, a.key, True, "", size))
    indent = round(size * 1.5, 3) if style.indent else 0.0
    for pi, para in enumerate(a.paragraphs):
        lines = break_lines(paragraph_words(para), size, colw, measure, first_indent=indent)
        block = blocks.next()
        for li, ln in enumerate(lines):
            last = li == len(lines) - 1
            spans = set_line(ln, size, colw, measure, justify=style.justified and not last,
                             indent=indent if li == 0 else 0.0)
            if li:
                before = 0.0
            elif pi == 0:
                before = 4.0
            else:
                before = 1.5 if style.indent else round(size * 0.5, 3)
            keep = (pi == 0 and li == 0) or (last and pi == len(a.paragraphs) - 1 and bool(a.byline)
                                             and byline_end)
            out.append(FlowLine(spans, lead, before, block, a.key, keep, "", size))
    if a.byline and byline_end:
        block = blocks.next()
        face = "bold" if len(a.byline) > 4 else "bold-italic"
        for spans in set_text(a.byline, face, size, colw, measure, align="right"):
            out.append(FlowLine(spans, lead, 3.0, block, a.key, False, "", size))
    return out


def colophon_flow(style: IssueStyle, measure: Measure, colw: float, blocks: Blocks) -> list[FlowLine]:
    """The colophon (who publishes, print run, format, licence) under a thin rule."""
    size = max(7.5, style.body_size - 2)
    block = blocks.next()
    out: list[FlowLine] = []
    rows = [spans for text in style.colophon
            for spans in set_text(text, "italic", size, colw, measure, align="left")]
    for i, spans in enumerate(rows):
        out.append(FlowLine(spans, round(size * 1.3, 3), 20.0 if i == 0 else 0.0, block, "",
                            i < len(rows) - 1, "over", size))
    return out


def pour(flow: list[FlowLine], frames: Frames, columns: int) -> list[Placed]:
    """Place every flow line; the last page's columns balanced when there are two."""
    placed = _pour(flow, frames, columns, 1)
    if columns < 2 or not placed:
        return placed
    last = placed[-1].page
    k = next(i for i, p in enumerate(placed) if p.page == last)
    top, bottom = frames(last)[0][1], frames(last)[0][2]
    lo, hi = 0.0, bottom - top
    best = placed[k:]
    for _ in range(14):
        mid = (lo + hi) / 2

        def limited(page: int, mid: float = mid) -> list[tuple[float, float, float]]:
            return [(x, t, min(b, t + mid)) for x, t, b in frames(page)]

        trial = _pour(flow[k:], limited, columns, last)
        if trial[-1].page == last:
            best, hi = trial, mid
        else:
            lo = mid
    return placed[:k] + best


def _pour(flow: list[FlowLine], frames: Frames, columns: int, page: int) -> list[Placed]:
    placed: list[Placed] = []
    col = 0
    x, top, bottom = frames(page)[col]
    y = top
    i, n = 0, len(flow)
    while i < n:
        line = flow[i]
        before = 0.0 if y == top else line.before
        chain, j = before + line.height, i
        while flow[j].keep and j + 1 < n:
            j += 1
            chain += flow[j].before + flow[j].height
        if y > top and (y + before + line.height > bottom or y + chain > bottom):
            col += 1
            if col >= columns:
                page, col = page + 1, 0
            x, top, bottom = frames(page)[col]
            y = top
            continue
        baseline = y + before + line.height * 0.8
        placed.append(Placed(page, col, round(x, 3), round(baseline, 3), line))
        y += before + line.height
        i += 1
    return placed
