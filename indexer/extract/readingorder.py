"""Reading order of a PDF text layer: glyphs → words → columns → lines → blocks.

Why our own: pdfplumber's word and layout helpers are slow and read two columns across
(line 1 of the left column, then line 1 of the right), which scrambles the articles of a
bulletin. Here the page is read as a person reads it:

1. Glyphs are grouped into words (content-stream strings cut at spaces and wide gaps); a
   contents line whose page number stands at the far right stays one piece, so the numbers
   are not read as a column of their own.
2. Running heads and feet are taken off first: a few small lines at the top or bottom edge
   of the page, set apart by a clear gap, are read in their place (first or last) whichever
   side they are aligned to (a right-aligned head is not the right column's first line).
3. The rest is cut into columns by :mod:`indexer.extract.columns` (recursive XY-cut on the word
   boxes: 1–3 columns, banners and titles within a column or across the page, boxed items
   and sections between rules drawn across them, ragged and unbalanced columns).
4. Each column's words are gathered into lines (glyphs overlapping vertically), and lines
   into blocks where the gap between them is wider than line spacing.

Units are PDF points, origin top left. Pure geometry: no PDF or encoding knowledge, so it
is tested on synthetic glyphs too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from statistics import median
from typing import NamedTuple

from indexer.extract import columns
from indexer.extract.columns import Box, Rule

MARGIN_ZONE = 0.12  # running heads and feet lie within this share of the page height
MARGIN_GAP = 0.8  # ... are set apart from the body by at least this × body size
MARGIN_GAP_SAME = 1.5  # ... or this when set in the body's own face and size
MARGIN_ROWS = 3  # ... are at most this many rows
MARGIN_SIZE = 1.2  # ... and are set no larger than this × body size
BLOCK_GAP = 0.7  # a gap between lines larger than this × font size starts a block
WORD_SPLIT = 0.5  # a gap wider than this × body size inside a string splits it
_PAGE_NUMBER = re.compile(r"[-–—(\[]?\s*(trang\s*)?\d{1,4}\s*[-–—)\]]?", re.IGNORECASE)


class Glyph(NamedTuple):
    """One extracted character; ``index`` is its order in the content stream."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    font: str
    index: int  # type: ignore[assignment]  # (shadows tuple.index, on purpose)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


class Line:
    """Glyphs on one row, left to right, with their extent and font size (points)."""

    __slots__ = ("bottom", "glyphs", "size", "top")

    def __init__(self, glyphs: list[Glyph]) -> None:
        self.glyphs = glyphs
        self.top = min(g.top for g in glyphs)
        self.bottom = max(g.bottom for g in glyphs)
        sizes = [g.size for g in glyphs if not g.text.isspace()] or [glyphs[0].size]
        self.size = float(median(sizes))


Word = Box[list[Glyph]]  # a word's glyphs (spaces included) and the box of its ink


def reading_order(glyphs: Sequence[Glyph], width: float, height: float | None = None,
                  top: float = 0.0, rules: Sequence[Rule] = ()) -> list[list[Line]]:
    """Blocks of lines in reading order (see the module doc). ``width`` and ``height`` are
    the page's in points (height None: the extent of the text stands for the page), ``top``
    the page's top edge in the glyphs' coordinates; ``rules`` the horizontal rules drawn
    on the page, (x0, x1, y) in the same coordinates (see :func:`indexer.extract.columns.order`)."""
    ink = [g for g in glyphs if not g.text.isspace()]
    if not ink:
        return []
    size = float(median(g.size for g in ink))
    words = _contents_rows(_words(glyphs, size), size)
    if height is None:
        top = min(w.top for w in words)
        height = max(w.bottom for w in words) - top
    head, body, foot = _margins(words, size, top, max(height, 1.0))
    groups = head + columns.order(body, size, rules) + foot
    return [block for group in groups if group for block in _blocks(_lines(group))]


# --- words --------------------------------------------------------------------------------
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


def _word(glyphs: list[Glyph]) -> Word:
    ink = [g for g in glyphs if not g.text.isspace()] or glyphs
    return Box(glyphs, min(g.x0 for g in ink), min(g.top for g in ink),
               max(g.x1 for g in ink), max(g.bottom for g in ink), max(g.size for g in ink))


def _words(glyphs: Sequence[Glyph], size: float) -> list[Word]:
    """Strings cut at spaces and at gaps wider than :data:`WORD_SPLIT` × body size: the
    units a page is cut between. A space stays with the word before it (or after it, at
    the start of a string); a space drawn on its own joins the word it follows on its row
    (it has no ink, so it never narrows a gutter)."""
    out: list[Word] = []
    alone: list[Glyph] = []
    split = WORD_SPLIT * size
    for run in _runs(glyphs):
        words: list[list[Glyph]] = []
        pending: list[Glyph] = []
        ended = True
        right = -1e9
        for g in run:
            if g.text.isspace():
                (words[-1] if words else pending).append(g)
                ended = True
                continue
            if ended or g.x0 - right > split:
                words.append(pending + [g])
                pending = []
                right = g.x1
            else:
                words[-1].append(g)
                right = max(right, g.x1)
            ended = False
        if pending:
            if words:
                words[-1].extend(pending)
            else:
                alone.extend(pending)
        out.extend(_word(w) for w in words if w)
    if alone and out:
        _attach_spaces(alone, out)
    return out


def _attach_spaces(spaces: list[Glyph], words: list[Word]) -> None:
    """Give each lone space to the nearest word on its row left of it (else right of it)."""
    rows: dict[int, list[Word]] = {}
    for w in words:
        rows.setdefault(round(w.bottom), []).append(w)
    for row in rows.values():
        row.sort(key=lambda w: w.x1)
    for g in spaces:
        near = [w for k in (-1, 0, 1) for w in rows.get(round(g.bottom) + k, ())
                if abs(w.bottom - g.bottom) < 0.3 * max(g.size, 0.1)]
        if near:
            before = [w for w in near if w.x1 <= g.x0 + 0.01]
            target = max(before, key=lambda w: w.x1) if before else min(
                near, key=lambda w: w.x0)
            target.item.append(g)


def _contents_rows(words: list[Word], size: float) -> list[Word]:
    """A contents line (a title, white space, its page number at the right edge) becomes one
    word, so that the numbers are not read as a column of their own."""
    if len(words) < 2:
        return words
    right_edge = max(w.x1 for w in words)
    out: list[Word] = []
    for row in columns.rows(words):
        gaps = [b.x0 - a.x1 > 1.5 * size for a, b in pairwise(row)]
        if (gaps and gaps[-1] and sum(gaps) == 1 and row[-1].x1 >= right_edge - size
                and _is_page_number(row[-1].item)):
            out.append(_word([g for w in row for g in w.item]))
        else:
            out.extend(row)
    return out


def _is_page_number(glyphs: list[Glyph]) -> bool:
    text = "".join(g.text for g in glyphs).strip()
    return bool(text) and _PAGE_NUMBER.fullmatch(text) is not None


# --- running heads and feet ---------------------------------------------------------------
def _margins(words: list[Word], size: float, top: float, height: float
             ) -> tuple[list[list[Word]], list[Word], list[list[Word]]]:
    """(running-head strips, body words, running-foot strips).

    A head or foot is at most :data:`MARGIN_ROWS` rows set no larger than
    :data:`MARGIN_SIZE` × body size, within :data:`MARGIN_ZONE` of the page's edge, set
    apart from the body by a gap: :data:`MARGIN_GAP` × body size when it is set in another
    face or size than the body, :data:`MARGIN_GAP_SAME` × when not (so that a column's
    last line after a paragraph space is not taken for a foot), 0.3 × for a page number
    alone. The widest such head and foot are taken."""
    strips = columns.strips(words)
    n = len(strips)
    text_width = max(w.x1 for w in words) - min(w.x0 for w in words)
    body_face = _face([g for w in words for g in w.item])
    small = [max(w.size for w in s) <= MARGIN_SIZE * size for s in strips]
    # a strip with a gutter in it is a row of columns, unless it is the outermost and its
    # parts stand far apart (a head with the title on the left and the number on the right)
    gaps = [columns.widest_gap(s) for s in strips]
    split = [g >= columns.MIN_WHITE for g in gaps]
    wide = [g >= 0.25 * text_width for g in gaps]
    head = 0  # strips[:head] are the running head
    total = 0
    for i in range(n - 1):
        total += len(columns.rows(strips[i]))
        if (not small[i] or total > MARGIN_ROWS or (split[i] and not (i == 0 and wide[i]))
                or max(w.bottom for w in strips[i]) > top + MARGIN_ZONE * height):
            break
        gap = min(w.top for w in strips[i + 1]) - max(w.bottom for w in strips[i])
        if _apart(strips[i], gap, size, body_face):
            head = i + 1
    foot = n  # strips[foot:] are the running foot
    total = 0
    for j in range(n - 1, head, -1):
        total += len(columns.rows(strips[j]))
        if (not small[j] or total > MARGIN_ROWS or (split[j] and not (j == n - 1 and wide[j]))
                or min(w.top for w in strips[j]) < top + (1 - MARGIN_ZONE) * height):
            break
        gap = min(w.top for w in strips[j]) - max(w.bottom for w in strips[j - 1])
        if _apart(strips[j], gap, size, body_face):
            foot = j
    body = [w for s in strips[head:foot] for w in s]
    return strips[:head], body, strips[foot:]


def _face(glyphs: list[Glyph]) -> tuple[str, float]:
    """The font and size (to half a point) most of ``glyphs`` are set in."""
    counts = Counter((g.font, round(2 * g.size) / 2) for g in glyphs if not g.text.isspace())
    return counts.most_common(1)[0][0] if counts else ("", 0.0)


def _apart(edge: list[Word], gap: float, size: float, body_face: tuple[str, float]) -> bool:
    """Whether a margin strip ``edge`` stands far enough from the body (see _margins)."""
    glyphs = [g for w in edge for g in w.item]
    if len(edge) <= 3 and _is_page_number(glyphs):
        return gap >= 0.3 * size
    return gap >= (MARGIN_GAP if _face(glyphs) != body_face else MARGIN_GAP_SAME) * size


# --- lines and blocks ---------------------------------------------------------------------
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


def _lines(words: list[Word]) -> list[Line]:
    """Lines of a group of words read as one column, top to bottom."""
    return [Line(r) for r in _rows([g for w in words for g in w.item])]


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
