"""Reading order of a PDF text layer: glyphs → columns → lines → blocks.

Why our own: pdfplumber's word and layout helpers are slow and read two columns across
(line 1 of the left column, then line 1 of the right), which scrambles the articles of a
two-column bulletin. Here the gutter is found from the x-distribution of the glyphs (a strip
that body lines of both columns leave empty), lines that cross it (headings, mastheads,
footers set across both columns) cut the page into bands, and each band is read column by
column, top to bottom. Units are PDF points, origin top left.

Pure geometry: no PDF or encoding knowledge, so it is tested on synthetic glyphs too.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from statistics import median
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MIN_COLUMN_SHARE = 0.2  # a column narrower than this share of the text width is not one
MIN_SIDE_ROWS = 3  # parallel rows needed on both sides of a gutter
GUTTER_SHARE = 0.4  # a gutter's ink is below this share of the columns' densest
BLOCK_GAP = 0.7  # a gap between lines larger than this × font size starts a block


class Glyph(NamedTuple):
    """One extracted character; ``index`` is its order in the content stream."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    font: str
    index: int

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


class Line:
    """Glyphs on one row, left to right, with their extent and font size (points)."""

    __slots__ = ("glyphs", "top", "bottom", "size")

    def __init__(self, glyphs: list[Glyph]) -> None:
        self.glyphs = glyphs
        self.top = min(g.top for g in glyphs)
        self.bottom = max(g.bottom for g in glyphs)
        sizes = [g.size for g in glyphs if not g.text.isspace()] or [glyphs[0].size]
        self.size = float(median(sizes))


def find_gutters(glyphs: Sequence[Glyph], width: float) -> list[tuple[float, float]]:
    """Vertical strips (x0, x1) between columns of text, left to right; [] for one column.

    The ink at each x (glyphs covering it, about one per text row) is compared with the
    densest x within a quarter of the text width on each side: inside a column of prose
    most rows have ink anywhere (words are wider than spaces); in a gutter only the lines
    set across the page do (masthead, contents box, headings, footer), as long as the
    columns' own rows outnumber them. A gutter is a strip at least 0.9 font size wide whose
    ink is below :data:`GUTTER_SHARE` of both sides' densest, with columns of at least
    :data:`MIN_COLUMN_SHARE` of the text width on both sides and at least
    :data:`MIN_SIDE_ROWS` rows side by side."""
    ink = [g for g in glyphs if not g.text.isspace()]
    if len(ink) < 40 or width <= 0:
        return []
    size = median(g.size for g in ink)
    bins = int(max(width, max(g.x1 for g in ink))) + 2
    xs = np.array([(g.x0, g.x1) for g in ink])
    starts = np.clip(xs[:, 0].astype(int), 0, bins - 1)
    ends = np.clip(np.maximum(np.ceil(xs[:, 1]).astype(int), starts + 1), 0, bins)
    covered = np.zeros(bins + 1)
    np.add.at(covered, starts, 1)
    np.add.at(covered, ends, -1)
    cover = np.cumsum(covered)[:bins]
    left_edge = int(min(g.x0 for g in ink))
    right_edge = int(max(g.x1 for g in ink))
    text_width = right_edge - left_edge
    if text_width <= 0:
        return []
    window = max(int(0.25 * text_width), 1)
    padded = np.concatenate([np.zeros(window), cover, np.zeros(window + 1)])
    densest = sliding_window_view(padded, window).max(axis=1)
    xs_all = np.arange(bins)
    left, right = densest[xs_all], densest[xs_all + 1 + window]
    low = cover <= GUTTER_SHARE * np.minimum(left, right)
    gutters: list[tuple[float, float]] = []
    first = left_edge + MIN_COLUMN_SHARE * text_width
    last_end = right_edge - MIN_COLUMN_SHARE * text_width
    x = left_edge
    while x < right_edge:
        if not low[x]:
            x += 1
            continue
        start = x
        while x < right_edge and low[x]:
            x += 1
        if first <= start and x <= last_end and x - start >= max(0.9 * size, 6.0):
            previous = gutters[-1][1] if gutters else left_edge
            if start - previous >= MIN_COLUMN_SHARE * text_width:
                gutters.append((float(start), float(x)))
    return [g for g in gutters if _parallel_rows(ink, g) >= MIN_SIDE_ROWS]


def _parallel_rows(ink: Sequence[Glyph], gutter: tuple[float, float]) -> int:
    """How many text rows just left of the gutter have a row beside them on the right."""
    left = [(r[0].top, r[0].bottom) for r in _rows([g for g in ink if g.x1 <= gutter[0]])]
    right = [(r[0].top, r[0].bottom) for r in _rows([g for g in ink if g.x0 >= gutter[1]])]
    return sum(1 for top, bottom in left
               if any(min(bottom, b) - max(top, t) > 0.3 * (bottom - top) for t, b in right))


def _runs(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Glyphs drawn one after another on the same baseline, moving right: the strings of
    the content stream. Grouping them first makes row finding cost per string, not per glyph."""
    runs: list[list[Glyph]] = []
    p_top = p_bottom = p_x0 = p_x1 = -1e9
    for g in sorted(glyphs, key=lambda g: g.index):
        _, x0, top, x1, bottom, size, _, _ = g
        tol = 0.05 * size
        if (-tol < top - p_top < tol and -tol < bottom - p_bottom < tol
                and p_x0 - 0.01 <= x0 <= p_x1 + 2 * size):
            runs[-1].append(g)
        else:
            runs.append([g])
        p_top, p_bottom, p_x0, p_x1 = top, bottom, x0, x1
    return runs


def _rows(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Group glyphs into rows by vertical overlap (at least half the smaller height)."""
    rows: list[list[Glyph]] = []
    bounds: list[tuple[float, float]] = []
    runs = _runs(glyphs)
    runs.sort(key=lambda r: (r[0].top, r[0].x0))
    for run in runs:
        run_top, run_bottom = run[0].top, run[0].bottom
        height = max(run_bottom - run_top, 0.1)
        placed = False
        for i in range(len(rows) - 1, max(len(rows) - 4, -1), -1):  # recent rows only
            top, bottom = bounds[i]
            overlap = min(bottom, run_bottom) - max(top, run_top)
            if overlap >= 0.5 * min(height, bottom - top):
                rows[i].extend(run)
                bounds[i] = (min(top, run_top), max(bottom, run_bottom))
                placed = True
                break
        if not placed:
            rows.append(list(run))
            bounds.append((run_top, run_bottom))
    for row in rows:
        row.sort(key=lambda g: (g.x0, g.index))
    order = sorted(range(len(rows)), key=lambda i: bounds[i][0])
    return [rows[i] for i in order]


def _split_at_gaps(row: list[Glyph], gap: float) -> list[list[Glyph]]:
    parts: list[list[Glyph]] = [[row[0]]]
    right = row[0].x1
    for g in row[1:]:
        if g.x0 - right > gap:
            parts.append([g])
        else:
            parts[-1].append(g)
        right = max(right, g.x1)
    return parts


def reading_order(glyphs: Sequence[Glyph], width: float) -> list[list[Line]]:
    """Blocks of lines in reading order (see the module doc)."""
    if not glyphs:
        return []
    gutters = find_gutters(glyphs, width)
    if not gutters:
        return _blocks([Line(r) for r in _rows(glyphs)])
    mids = [(a + b) / 2 for a, b in gutters]
    size = median(g.size for g in glyphs)
    chain = min(0.8 * min(b - a for a, b in gutters), 1.5 * size)
    spanning: list[Line] = []
    columns: dict[int, list[Glyph]] = {}
    for row in _rows(glyphs):
        parts = _split_at_gaps(row, chain)
        if (any(any(p[0].x0 < m < max(g.x1 for g in p) for m in mids) for p in parts)
                or (len(parts) > 1 and _page_number(parts[-1]))):
            spanning.append(Line(row))  # a line across the page, with all that is beside it
            continue
        for part in parts:
            for g in part:
                columns.setdefault(bisect_right(mids, g.cx), []).append(g)
    col_rows = {c: [Line(r) for r in _rows(gs)] for c, gs in columns.items()}
    kept: list[tuple[int, Glyph]] = []
    for c, rows in col_rows.items():
        others = [ln for c2, rs in col_rows.items() if c2 != c for ln in rs]
        for ln, cut in zip(rows, _lone_rows(rows, others, size)):
            if cut:
                spanning.append(ln)
            else:
                kept.extend((c, g) for g in ln.glyphs)
    spanning.sort(key=lambda ln: ln.top)
    cuts = [ln.top for ln in spanning]
    bands: dict[tuple[int, int], list[Glyph]] = {}
    for c, g in kept:
        bands.setdefault((bisect_right(cuts, g.cy), c), []).append(g)
    blocks: list[list[Line]] = []
    spanning_run: list[Line] = []
    for band in range(len(cuts) + 1):
        if band > 0:
            spanning_run.append(spanning[band - 1])
        parts = [bands.get((band, col), []) for col in range(len(gutters) + 1)]
        if any(parts) and spanning_run:
            blocks.extend(_blocks(spanning_run))
            spanning_run = []
        for part in parts:
            if part:
                blocks.extend(_blocks([Line(r) for r in _rows(part)]))
    if spanning_run:
        blocks.extend(_blocks(spanning_run))
    return blocks


def _page_number(part: list[Glyph]) -> bool:
    """A contents entry's page number: up to four digits alone at the end of a row."""
    text = "".join(g.text for g in part).strip()
    return 0 < len(text) <= 4 and text.isdigit()


def _lone_rows(rows: list[Line], others: list[Line], size: float) -> list[bool]:
    """Which rows of one column stand across the page though they do not cross the gutter:
    a heading between two sections of columns (the other columns are empty around it and
    have text above and below), a footer (nothing follows in any column and a clear gap
    separates it from the column above), or a running head (the mirror image)."""
    margin = 1.2 * size
    flags: list[bool] = []
    # a running head: the column's first rows, above everything in the other columns and
    # separated from the column below by a clear gap
    head = 0
    while head < len(rows) and not any(o.top < rows[head].bottom + 0.2 * size for o in others):
        head += 1
    head_cut = 0
    for i in range(min(head, len(rows) - 1)):
        if rows[i + 1].top - rows[i].bottom > 1.5 * size:
            head_cut = i + 1
            break
    for i, ln in enumerate(rows):
        clear = not any(o.bottom > ln.top - margin and o.top < ln.bottom + margin
                        for o in others)
        above = any(o.bottom <= ln.top for o in others)
        below = any(o.top >= ln.bottom for o in others)
        cut = False
        if clear and above and below:
            cut = True
        elif above and not any(o.bottom > ln.top - 0.2 * size for o in others):
            gap = ln.top - rows[i - 1].bottom if i else margin * 2
            cut = gap > 1.5 * size or (i > 0 and flags[-1] and gap < 1.5 * size)
        flags.append(cut or i < head_cut)
    return flags


def _blocks(lines: list[Line]) -> list[list[Line]]:
    """Split lines (already in order) where the gap between them is clearly larger than
    line spacing (a paragraph or heading space)."""
    blocks: list[list[Line]] = []
    for line in lines:
        if blocks:
            prev = blocks[-1][-1]
            gap = line.top - prev.bottom
            if gap <= BLOCK_GAP * max(prev.size, line.size):
                blocks[-1].append(line)
                continue
        blocks.append([line])
    return blocks
