"""Reading order of an OCR page, from Tesseract's own layout: its paragraphs put in order again.

Why: Tesseract's automatic layout (``--psm 3``) finds the words well but sometimes orders its
blocks badly, and then the page text (what segmentation, search snippets and CER see) reads
out of order although every word is right: a contents page whose entries are split into
blocks read before the heading *MỤC LỤC*, its column of page numbers a block of its own; a
colophon read before the column above it. On seed 1's 300-dpi pages one such contents page
held 177 of 244 wrong characters (README, "Old scans").

Four steps, on Tesseract's own words, lines and paragraphs:

0. **A column of marks read as one word** is dropped: a "word" taller than
   :data:`TALL_WORD` lines that Tesseract read with (almost) no confidence is no word (on a
   contents page the whole column of page numbers came out as ``œ®œằœCI+r>C)'`2t)2E``, one
   word 411 pixels high, confidence 0, read after the entries).
1. **Contents lines**: a line that is only a page number, standing apart at the right of a
   line of text on the same row (a contents entry's number, which Tesseract puts in a block of
   its own), joins that line at its end, so each entry keeps its number.
1b. **A line cut in two on its row** (v2): a line starting less than :data:`WORD_GAP` × size
   right of another line's end, on the same row and of the same height, joins it (a centred
   footer or heading Tesseract cut in two paragraphs and read far apart: on seed 1's photos
   *Dữ liệu mẫu* read high up the page, *– nội dung hư cấu* at its foot). A gutter is wider.
2. **Two columns read across**: a paragraph whose lines all leave white space at one x (a
   gutter, in two lines or more; the lines right of it starting level, as a column's do) is
   cut there, and a run of such paragraphs gives all its
   left parts first (an article's last lines beside a colophon, read line by line across).
3. **Paragraphs in order**: a paragraph above another one that it overlaps horizontally (the
   same column, or a heading or colophon across the columns) is read first; otherwise
   Tesseract's order stands. That is a topological sort of Tesseract's paragraphs under
   "above, in the same column, comes first", taking Tesseract's earliest paragraph whenever
   there is a choice, so a page Tesseract read in order keeps its order exactly, and only
   the paragraphs read out of order move.

An XY-cut over the line boxes (:mod:`indexer.extract.columns`, which orders PDF text layers) was
tried first and not kept: on phone photos the keystone slants the columns, no straight gutter
runs through the page, and the cut read the columns' lower halves as a band of their own
(a photo page 0.8 % → 23 % CER); on typewriter pages it found rivers of aligned spaces.

Only the order and the block and line numbers change: every word keeps its text, box and
confidence (the page viewer and the API mark hits by the boxes). Pure geometry on boxes in
one unit. :data:`VERSION` is part of the OCR settings key.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Sequence
from statistics import median
from typing import TypeVar

VERSION = "2"  # part of the OCR settings key (indexer.extract.ocr.settings_key)
SIZE_OF_LINE = 0.8  # a type size is about this × the height of Tesseract's line box
CONTENTS_GAP = 1.5  # a contents title and its number stand further apart than this × size
ROW_OVERLAP = 0.5  # lines on one row overlap vertically by more than this × the shorter
WORD_GAP = 0.75  # a line starting less than this × size right of another on its row continues it
SAME_COLUMN = 0.3  # paragraphs overlapping horizontally by this × the narrower are one column
SPLIT_GAP = 1.2  # white space this × size wide at one x in two lines of a paragraph: a gutter
ALIGNED = 0.3  # ... and the lines right of it start within this × size of each other
TALL_WORD = 3.0  # a word taller than this × the page's median line height...
TALL_CONF = 10.0  # ... read below this confidence is a column of marks, not a word
ABOVE_SLACK = 0.5  # ... and one is above the other when it ends within this × size of its top
# a page number as OCR reads it: 1-4 digits (l, I, O, | for 1 and 0), maybe in dashes
_PAGE_NUMBER = re.compile(r"[-–—(\[]?(trang\s*)?[0-9lIO|]{0,3}[0-9][0-9lIO|]{0,3}[-–—)\]]?",
                          re.IGNORECASE)

W = TypeVar("W")
Rect = tuple[float, float, float, float]
# (text, box, block, line, confidence): box x0, y0, x1, y1 with y downwards, in one unit
Geometry = tuple[str, Rect, int, int, float]


def reorder(words: Sequence[W], geometry: Callable[[W], Geometry], *,
            columns: bool = True) -> list[tuple[W, int, int]]:
    """The words in reading order, each with its new block and line number (1-based); a
    column of marks read as one word is left out.

    ``words`` come in Tesseract's order; ``geometry(word)`` gives its text, box, Tesseract's
    block (a paragraph) and line numbers, and its confidence. ``columns=False``: the page was
    read as one column (``--psm 4``: preprocessing found no gutter), so no paragraph is cut as
    two columns read across (typewritten lines leave rivers of spaces that can look like
    one). Sizes are measured on the boxes
    (a line's height: from its highest word top to its lowest word bottom), so the words
    stored for a page (page fractions scaled back to its pixels) order as the TSV's did."""
    geo = [geometry(w) for w in words]
    if not geo:
        return []
    spans: dict[int, tuple[float, float]] = {}
    for g in geo:
        top, bottom = spans.get(g[3], (g[1][1], g[1][3]))
        spans[g[3]] = (min(top, g[1][1]), max(bottom, g[1][3]))
    height = float(median(spans[g[3]][1] - spans[g[3]][0] for g in geo))
    keep = [i for i, g in enumerate(geo)
            if g[4] >= TALL_CONF or g[1][3] - g[1][1] <= TALL_WORD * height]
    if len(keep) < len(geo):
        words, geo = [words[i] for i in keep], [geo[i] for i in keep]
        if not geo:
            return []
    size = max(height * SIZE_OF_LINE, 1e-6)
    line_of = [g[3] for g in geo]
    para_of = [g[2] for g in geo]
    lines: dict[int, list[int]] = {}
    for i, line in enumerate(line_of):
        lines.setdefault(line, []).append(i)
    for number, title in _contents_numbers(lines, geo, size):
        for i in lines.pop(number):
            line_of[i], para_of[i] = title, para_of[lines[title][0]]
            lines[title].append(i)
    for right, left in _one_row(lines, geo, size):
        for i in lines.pop(right):
            line_of[i], para_of[i] = left, para_of[lines[left][0]]
            lines[left].append(i)
    paras: dict[int, list[int]] = {}  # paragraph -> its lines, in Tesseract's order
    for line, members in sorted(lines.items(), key=lambda kv: min(kv[1])):
        paras.setdefault(para_of[members[0]], []).append(line)
    if columns:
        paras = _split_side_by_side(paras, lines, geo, size)
    order = _topological(list(paras), {p: _rect([i for ln in ls for i in lines[ln]], geo)
                                       for p, ls in paras.items()}, size)
    out: list[tuple[W, int, int]] = []
    line_no = 0
    for block, para in enumerate(order, start=1):
        for line in paras[para]:
            line_no += 1
            out.extend((words[i], block, line_no)
                       for i in sorted(lines[line], key=lambda i: geo[i][1][0]))
    return out


def _split_side_by_side(paras: dict[int, list[int]], lines: dict[int, list[int]],
                        geo: list[Geometry], size: float) -> dict[int, list[int]]:
    """Paragraphs that are two columns read across (each line a left part, a gutter, a right
    part) cut in two at the gutter; consecutive paragraphs cut at one gutter (their white
    space between the parts overlaps) give all
    their left parts first, then their right parts. ``lines`` gets the right parts' lines;
    returns the paragraphs in Tesseract's order so amended."""
    next_para, next_line = max(paras) + 1, max(lines) + 1
    out: dict[int, list[int]] = {}
    rights: list[tuple[int, list[int]]] = []
    last: tuple[float, float] | None = None
    for para, plines in paras.items():
        x = _gutter([lines[ln] for ln in plines], geo, size)
        white = x and (max(geo[i][1][2] for ln in plines for i in lines[ln] if geo[i][1][2] <= x),
                       min(geo[i][1][0] for ln in plines for i in lines[ln] if geo[i][1][0] >= x))
        if rights and (not white or not last or min(white[1], last[1]) <= max(white[0], last[0])):
            out.update(rights)
            rights = []
        last = white or None
        if x is None:
            out[para] = plines
            continue
        left_lines, right_lines = [], []
        for ln in plines:
            left = [i for i in lines[ln] if geo[i][1][2] <= x]
            right = [i for i in lines[ln] if geo[i][1][0] >= x]
            if left and right:
                lines[ln], lines[next_line] = left, right
                left_lines.append(ln)
                right_lines.append(next_line)
                next_line += 1
            else:
                (left_lines if left else right_lines).append(ln)
        out[para] = left_lines
        rights.append((next_para, right_lines))
        next_para += 1
    out.update(rights)
    return {p: ls for p, ls in out.items() if ls}


def _gutter(plines: list[list[int]], geo: list[Geometry], size: float) -> float | None:
    """x of a gutter through a paragraph of at least two lines: white space wider than
    :data:`SPLIT_GAP` × size in two or more of its lines at the same x, crossed by no word,
    with text on its right (not a contents list's page numbers)."""
    if len(plines) < 2:
        return None
    gaps: list[list[tuple[float, float]]] = []
    for members in plines:
        xs = sorted((geo[i][1][0], geo[i][1][2]) for i in members)
        gaps.append([(a1, b0) for (_a0, a1), (b0, _b1) in zip(xs, xs[1:])
                     if b0 - a1 > SPLIT_GAP * size])
    best, best_count = None, 1
    words = [i for members in plines for i in members]
    for x in sorted({(a + b) / 2 for line_gaps in gaps for a, b in line_gaps}):
        if any(geo[i][1][0] < x < geo[i][1][2] for i in words):
            continue
        count = sum(any(a <= x <= b for a, b in line_gaps) for line_gaps in gaps)
        # columns of text on both sides: two words or more a line, in all lines but one (a
        # contents list's page numbers, read right or wrong, are one word a line)
        sides = [(sum(geo[i][1][2] <= x for i in m), sum(geo[i][1][0] >= x for i in m))
                 for m in plines]
        short = [sum(0 < side[k] < 2 for side in sides) for k in (0, 1)]
        # the right column's lines start level, as a column does (a river of spaces down
        # typewritten lines, one character cell or more apart, does not)
        starts = [min(geo[i][1][0] for i in m if geo[i][1][0] >= x) for m in plines
                  if any(geo[i][1][0] >= x for i in m)]
        level = max(starts) - min(starts) <= ALIGNED * size
        if count > best_count and max(short) <= 1 and level:
            best, best_count = x, count
    return best


def _rect(indices: list[int], geo: list[Geometry]) -> Rect:
    return (min(geo[i][1][0] for i in indices), min(geo[i][1][1] for i in indices),
            max(geo[i][1][2] for i in indices), max(geo[i][1][3] for i in indices))


def _contents_numbers(lines: dict[int, list[int]], geo: list[Geometry], size: float
                      ) -> list[tuple[int, int]]:
    """(number line, title line) pairs: a line that is only a page number, with a line of
    text ending left of it on its row (the nearest), further than :data:`CONTENTS_GAP` × size,
    at the right edge of the text (within 2 × size), where contents pages set their numbers."""
    rects = {line: _rect(members, geo) for line, members in lines.items()}
    right_edge = max(r[2] for r in rects.values())
    pairs = []
    for line, members in lines.items():
        x0, top, x1, bottom = rects[line]
        if x1 < right_edge - 2 * size or not all(_PAGE_NUMBER.fullmatch(geo[i][0])
                                                 for i in members):
            continue
        best = None
        for other, (_ox0, otop, ox1, obottom) in rects.items():
            if other == line or ox1 > x0 - CONTENTS_GAP * size:
                continue
            overlap = min(bottom, obottom) - max(top, otop)
            if overlap <= ROW_OVERLAP * min(bottom - top, obottom - otop):
                continue
            if best is None or ox1 > rects[best][2]:
                best = other
        if best is not None and not all(_PAGE_NUMBER.fullmatch(geo[i][0]) for i in lines[best]):
            pairs.append((line, best))
    return pairs


def _one_row(lines: dict[int, list[int]], geo: list[Geometry], size: float
             ) -> list[tuple[int, int]]:
    """(right line, left line) pairs, in the order to join them: a line that starts a word
    space (less than :data:`WORD_GAP` × size) right of where another line of the same height
    ends, on the same row, is the rest of that line (a centred footer or heading Tesseract cut
    in two paragraphs, its halves read far apart)."""
    rects = {line: _rect(members, geo) for line, members in lines.items()}
    pairs = []
    for line in sorted(rects, key=lambda ln: rects[ln][0]):
        x0, top, _x1, bottom = rects[line]
        best = None
        for other, (ox0, otop, ox1, obottom) in rects.items():
            if other == line or ox0 >= x0 or not -WORD_GAP * size < x0 - ox1 < WORD_GAP * size:
                continue
            heights = sorted((bottom - top, obottom - otop))
            if heights[1] > 1.5 * heights[0] or \
                    min(bottom, obottom) - max(top, otop) <= ROW_OVERLAP * heights[0]:
                continue
            if best is None or ox1 > rects[best][2]:
                best = other
        if best is not None:
            pairs.append((line, best))
            rects[best] = (min(rects[best][0], x0), min(rects[best][1], top),
                           max(rects[best][2], rects[line][2]), max(rects[best][3], bottom))
            del rects[line]
    return pairs  # (each left line is one not joined itself: lines go left to right)


def _topological(paras: list[int], rects: dict[int, Rect], size: float) -> list[int]:
    """Paragraphs (in Tesseract's order) sorted so that one above another in the same column
    comes first, Tesseract's earliest first whenever there is a choice."""
    rank = {p: k for k, p in enumerate(paras)}
    after: dict[int, list[int]] = {p: [] for p in paras}
    waiting = dict.fromkeys(paras, 0)
    for a in paras:
        ax0, atop, ax1, abottom = rects[a]
        for b in paras:
            bx0, btop, bx1, _ = rects[b]
            if a == b or not atop < btop or abottom > btop + ABOVE_SLACK * size:
                continue
            overlap = min(ax1, bx1) - max(ax0, bx0)
            if overlap > SAME_COLUMN * min(ax1 - ax0, bx1 - bx0):
                after[a].append(b)
                waiting[b] += 1
    ready = [(rank[p], p) for p in paras if waiting[p] == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, p = heapq.heappop(ready)
        out.append(p)
        for q in after[p]:
            waiting[q] -= 1
            if waiting[q] == 0:
                heapq.heappush(ready, (rank[q], q))
    return out
