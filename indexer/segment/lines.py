"""Page layout for segmentation: words → lines in reading order, with what headings show.

Why re-derive the layout here: the extractors number blocks and lines, but a PDF text layer
may run one line across both columns, and OCR blocks may cut a column in pieces. Lines are
rebuilt from the words' boxes (split at wide gaps; a tilted scan is levelled first, see
:mod:`indexer.segment.skew`), columns are found where many line pieces start at the same x with
text beside them and next to nothing crossing that x (a gutter), and the page is read band
by band (a band ends at a line that crosses a gutter: a full-width title, banner or
masthead), each band column by column, top to bottom. Running headers and footers are
:mod:`indexer.segment.running`'s.

Units: boxes are page fractions (origin top left); ``size`` is in points; gaps and indents
are in body line heights and ems so that the same thresholds hold at any resolution and
for every extraction method.

Why one module of a little over 400 lines: words to lines, lines to reading order and the line
measures headings read are one pipeline over one page's words.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from archive.models import Word
from archive.vntext import match_key, nfc
from indexer.extract.syllable import valid_counts
from indexer.segment import skew

A4_PT = (595.0, 842.0)


@dataclass(frozen=True)
class PageWords:
    """One page's effective words as segmentation reads them (see indexer.segment.stage)."""

    seq: int  # 1-based page number in the issue
    words: tuple[Word, ...]
    method: str = "text"  # text | legacy | ocr
    width_pt: float = 0.0  # page size in points; 0 when unknown (A4 assumed)
    height_pt: float = 0.0
    page_id: str = ""


@dataclass(eq=False)
class Line:
    """A line (or the part of it in one column) with the features segmentation uses."""

    page: int
    words: list[Word]
    x0: float
    y0: float
    x1: float
    y1: float
    size: float  # points
    bold: float  # share of the line's letters and digits set in bold (0..1)
    conf: float  # mean word confidence, 0..100
    text: str
    band: int = 0
    column: int = 0  # -1 when the line crosses a gutter
    col_x0: float = 0.0  # the column's (or the page's text) left and right edges
    col_x1: float = 1.0
    gap: float = -1.0  # white space above, beyond the usual leading, in body line heights;
    #                    -1 for the first line of a column (unknown)
    em: float = 0.01  # the line's em (its size) as a fraction of the page width
    order: int = 0  # reading order within the page
    role: str = "body"
    tags: set[str] = field(default_factory=set)
    row: int = -1  # the extractor's row this line was cut from
    style: str = "plain"  # strong | bold | plain (see indexer.segment.headings.style_of)
    rel: float = 1.0  # size over the page's body text size
    cw: float = 0.0  # mean width of a character inside its words, points (spaces left out)
    wrel: float = 1.0  # cw over the page's body text cw: larger or bold type is wider
    outline: tuple[float, float, float, float] | None = None  # box on the tilted original

    @cached_property
    def key(self) -> str:
        return match_key(self.text)

    @cached_property
    def letters(self) -> int:
        return sum(ch.isalpha() for ch in self.text)

    @cached_property
    def plausible(self) -> bool:
        """Whether the line reads as Vietnamese: at least half of its words that can be
        judged are valid syllables (:mod:`indexer.extract.syllable`). Lines OCR made of a picture,
        a stamp or a smudge are not, and are never headings."""
        valid, judged = valid_counts(self.text)
        return judged < 2 or valid >= 0.5 * judged

    @cached_property
    def caps(self) -> float:
        """Share of the letters in capitals (0..1)."""
        letters = [ch for ch in self.text if ch.isalpha()]
        return sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0

    @property
    def width_share(self) -> float:
        """Line width over its column's width."""
        return (self.x1 - self.x0) / max(self.col_x1 - self.col_x0, 1e-6)

    @property
    def indent(self) -> float:
        """Left indent from the column edge, in ems."""
        return (self.x0 - self.col_x0) / max(self.em, 1e-6)

    @property
    def right_space(self) -> float:
        """White space between the line's end and the column's right edge, in ems."""
        return (self.col_x1 - self.x1) / max(self.em, 1e-6)

    def box(self) -> tuple[float, float, float, float]:
        """The line's box on the page as it is (before any levelling), page fractions."""
        x0, y0, x1, y1 = self.outline or (self.x0, self.y0, self.x1, self.y1)
        return (round(x0, 5), round(y0, 5), round(x1, 5), round(y1, 5))


def page_size(page: PageWords) -> tuple[float, float]:
    if page.width_pt > 0 and page.height_pt > 0:
        return page.width_pt, page.height_pt
    return A4_PT


def page_lines(page: PageWords) -> list[Line]:
    """The page's lines in reading order, with columns, bands, gaps and indents set."""
    width_pt, height_pt = page_size(page)
    words = [w for w in page.words if w.text.strip()]
    if not words:
        return []
    rows = _rows(words)
    originals: dict[int, Word] = {}
    slope = skew.page_slope(rows, width_pt, height_pt)
    if abs(slope) >= skew.MIN_SLOPE:  # a tilted scan: read it level, outline it as it is
        flat = skew.level(words, slope, width_pt, height_pt)
        originals = {id(f): w for f, w in zip(flat, words)}
        rows = _rows(flat)
    if page.method == "ocr":
        rows = skew.join_rows([_row_size(row, height_pt) for row in rows])
    pieces = []
    for r, row in enumerate(rows):
        for part in _split_row(row, width_pt, height_pt):
            piece = _line(page.seq, part, width_pt, height_pt)
            piece.row = r
            if any(ch.isalnum() for ch in piece.text):  # specks read as ':' or '|' go
                pieces.append(piece)
    if page.method != "ocr":
        _check_sizes(pieces, width_pt, height_pt)
    gutters = find_gutters(pieces)
    lines = _merge_pieces(pieces, gutters, width_pt, height_pt)
    _order(lines, gutters)
    _column_edges(lines, gutters)
    set_gaps(lines)
    if originals:
        for ln in lines:
            source = [originals.get(id(w), w) for w in ln.words]
            ln.outline = (min(w.box[0] for w in source), min(w.box[1] for w in source),
                          max(w.box[2] for w in source), max(w.box[3] for w in source))
    return lines


# --- lines -----------------------------------------------------------------------------

def _rows(words: list[Word]) -> list[list[Word]]:
    """Words grouped into rows: the extractor's (block, line) numbers, re-clustered by height
    where a group is not one row (an extractor that gives no line numbers)."""
    groups: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        groups.setdefault((w.block, w.line), []).append(w)
    rows: list[list[Word]] = []
    for group in groups.values():
        heights = sorted(w.box[3] - w.box[1] for w in group)
        h = heights[len(heights) // 2]
        centres = [(w.box[1] + w.box[3]) / 2 for w in group]
        if max(centres) - min(centres) <= 0.8 * h:
            rows.append(group)
        else:
            rows.extend(_cluster_rows(group))
    return rows


def _cluster_rows(words: list[Word]) -> list[list[Word]]:
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.box[1] + w.box[3]) / 2):
        yc = (w.box[1] + w.box[3]) / 2
        h = w.box[3] - w.box[1]
        for row in reversed(rows[-6:]):
            ry = statistics.fmean((r.box[1] + r.box[3]) / 2 for r in row)
            if abs(ry - yc) <= 0.5 * h and not any(_overlap_x(r, w) for r in row):
                row.append(w)
                break
        else:
            rows.append([w])
    return rows


def _overlap_x(a: Word, b: Word) -> bool:
    return min(a.box[2], b.box[2]) - max(a.box[0], b.box[0]) > 0.3 * min(
        a.box[2] - a.box[0], b.box[2] - b.box[0])


def _split_row(row: list[Word], width_pt: float, height_pt: float) -> list[list[Word]]:
    """Cut a row where the space between two words is wider than about an em: a gutter
    between columns, or a tab; pieces of one column are joined again later."""
    row = sorted(row, key=lambda w: w.box[0])
    size = _size(row, height_pt)
    limit = 1.0 * size / width_pt
    parts = [[row[0]]]
    for w in row[1:]:
        if w.box[0] - parts[-1][-1].box[2] > limit:
            parts.append([w])
        else:
            parts[-1].append(w)
    return parts


def _size(words: list[Word], height_pt: float) -> float:
    sizes = sorted(w.size for w in words if w.size > 0)
    if sizes:
        return sizes[len(sizes) // 2]
    heights = sorted(w.box[3] - w.box[1] for w in words)
    return max(heights[len(heights) // 2] * height_pt, 1.0)


def _line(seq: int, words: list[Word], width_pt: float, height_pt: float) -> Line:
    words = sorted(words, key=lambda w: w.box[0])
    letters = [sum(ch.isalnum() for ch in w.text) for w in words]
    total = sum(letters) or 1
    size = _size(words, height_pt)
    return Line(
        page=seq, words=words,
        x0=min(w.box[0] for w in words), y0=min(w.box[1] for w in words),
        x1=max(w.box[2] for w in words), y1=max(w.box[3] for w in words),
        size=size,
        bold=sum(n for w, n in zip(words, letters) if w.bold) / total,
        conf=statistics.fmean(w.conf for w in words),
        text=nfc(" ".join(w.text.strip() for w in words)),
        em=size / width_pt, cw=_char_width(words, width_pt))


def _char_width(words: list[Word], width_pt: float) -> float:
    """Mean width of a character in points, over the words of two characters or more: it
    grows with the size and the weight of the type, and justification does not touch it."""
    long = [w for w in words if len(w.text) >= 2] or words
    chars = sum(len(w.text) for w in long)
    return sum(w.box[2] - w.box[0] for w in long) * width_pt / chars if chars else 0.0


def _row_size(row: list[Word], height_pt: float) -> list[Word]:
    """OCR words take the median height of their row's words as their size: the extractor's
    line height also measures a tilt (and a speck joined to the line), a word's box hardly."""
    sure = [w for w in row if w.conf >= 30] or row  # a smudge read as a word has no height
    heights = sorted(w.box[3] - w.box[1] for w in sure)
    size = round(heights[len(heights) // 2] * height_pt, 2)
    return [replace(w, size=size) for w in row]


def _check_sizes(pieces: list[Line], width_pt: float, height_pt: float) -> None:
    """Correct sizes that an extractor gave a whole row across columns (a title beside body
    text): a piece whose words are much taller or shorter than its size says, by the page's
    own ratio of size to box height, takes the size its boxes show."""
    ratios = []
    heights: dict[int, float] = {}
    for i, p in enumerate(pieces):
        hs = sorted(w.box[3] - w.box[1] for w in p.words)
        h = hs[len(hs) // 2] * height_pt
        heights[i] = h
        if h > 0 and p.size > 0:
            ratios.append(p.size / h)
    if len(ratios) < 5:
        return
    ratios.sort()
    k = ratios[len(ratios) // 2]
    for i, p in enumerate(pieces):
        shown = heights[i] * k
        if shown > 0 and abs(p.size - shown) > 0.12 * shown:
            p.size = round(shown, 2)
            p.em = p.size / width_pt
            p.words = [replace(w, size=p.size) for w in p.words]


# --- columns ---------------------------------------------------------------------------

def find_gutters(pieces: Sequence[Line]) -> list[float]:
    """x positions (page fractions) of the gutters between columns, left to right.

    A gutter is where at least three line pieces of text start at the same x (within 1.2 %
    of the width) in the middle of the page, with pieces ending left of that
    x over the same height (two or more), and next to nothing crossing it there: columns side by side,
    whether or not their baselines line up. A one-column page has no such x, whatever its
    indents, centred titles or right-aligned signatures, because its lines cross it.
    """
    texty = [p for p in pieces if sum(ch.isalpha() for ch in p.text) >= 4]
    starts = Counter(round(p.x0 * 100) for p in texty if 0.2 < p.x0 < 0.85)
    accepted: list[float] = []
    for bin_, count in starts.most_common():
        if count < 3:
            break
        b = bin_ / 100
        if any(abs(b - g) < 0.1 for g in accepted):
            continue
        aligned = [p for p in texty if abs(p.x0 - b) <= 0.012]
        anchor = min(p.x0 for p in aligned)
        top, bottom = min(p.y0 for p in aligned), max(p.y1 for p in aligned)
        inside = [p for p in pieces if top <= (p.y0 + p.y1) / 2 <= bottom]
        lefts = [p for p in inside if p.x1 < anchor - 0.002]
        crossing = [p for p in inside if p.x0 < anchor - 0.01 and p.x1 > anchor + 0.01]
        # rows with a word over the white space left of the x: justified text whose wide
        # spaces cut its rows into pieces that happen to start there has them, columns not
        rows = {p.row for p in inside}
        covered = {p.row for p in inside for w in p.words
                   if w.box[0] < anchor - 0.006 and w.box[2] > anchor - 0.002}
        if len(lefts) >= 2 and len(crossing) <= 0.2 * (len(lefts) + len(aligned)) and \
                len(covered) <= 0.2 * len(rows):
            accepted.append(anchor - 0.003)
    return sorted(accepted)


def _column_of(line: Line, gutters: list[float]) -> int:
    """Index of the column holding the line, or -1 when it crosses a gutter."""
    col = 0
    for g in gutters:
        tol = max(0.6 * line.em, 0.004)
        if line.x1 <= g + tol:
            return col
        if line.x0 < g - tol:
            return -1
        col += 1
    return col


def _merge_pieces(pieces: list[Line], gutters: list[float], width_pt: float,
                  height_pt: float) -> list[Line]:
    """Pieces of one row that fall in the same column are one line again."""
    out: list[Line] = []
    by_row: dict[int, list[Line]] = {}
    for p in pieces:
        by_row.setdefault(p.row, []).append(p)
    for group in by_row.values():
        if len(group) == 1:
            group[0].column = _column_of(group[0], gutters)
            out.append(group[0])
            continue
        cols: dict[int, list[Line]] = {}
        for p in sorted(group, key=lambda p: p.x0):
            cols.setdefault(_column_of(p, gutters), []).append(p)
        numbers_only = [c for c, parts in cols.items()
                        if all(sum(ch.isalpha() for ch in p.text) == 0 and len(p.text) <= 5
                               and c > 0 and p.x0 > gutters[c - 1] + 0.15 for p in parts)]
        # a row across the page: keep it whole; so too a title and its page number at the
        # far right (a table of contents)
        if -1 in cols or not gutters or (len(cols) > 1 and numbers_only == [max(cols)]):
            merged = _line(group[0].page, [w for p in group for w in p.words], width_pt, height_pt)
            merged.column = _column_of(merged, gutters) if gutters else 0
            merged.row = group[0].row
            out.append(merged)
            continue
        for col, parts in cols.items():
            merged = _line(group[0].page, [w for p in parts for w in p.words], width_pt,
                           height_pt)
            merged.column = col
            merged.row = group[0].row
            out.append(merged)
    return out


def _order(lines: list[Line], gutters: list[float]) -> None:
    """Sort in reading order: bands split by lines crossing a gutter; in a band, columns
    left to right, each top to bottom."""
    spanning = sorted((ln for ln in lines if ln.column < 0), key=lambda ln: ln.y0)
    marks = [(ln.y0 + ln.y1) / 2 for ln in spanning]
    for ln in lines:
        yc = (ln.y0 + ln.y1) / 2
        if ln.column < 0:
            ln.band = 1 + spanning.index(ln)
        else:
            ln.band = sum(1 for m in marks if m < yc)
    lines.sort(key=lambda ln: (ln.band, ln.column, ln.y0, ln.x0))
    for i, ln in enumerate(lines):
        ln.order = i


def _column_edges(lines: list[Line], gutters: list[float]) -> None:
    by_col: dict[int, list[Line]] = {}
    for ln in lines:
        by_col.setdefault(ln.column, []).append(ln)
    edges: dict[int, tuple[float, float]] = {}
    for col, group in by_col.items():
        x0s = sorted(ln.x0 for ln in group)
        x1s = sorted(ln.x1 for ln in group)
        edges[col] = (_mode_edge(x0s, low=True), _mode_edge(x1s, low=False))
    if -1 in edges or not gutters:
        left = min(e[0] for e in edges.values())
        right = max(e[1] for e in edges.values())
        edges[-1] = (left, right)
    for ln in lines:
        ln.col_x0, ln.col_x1 = edges[ln.column]


def _mode_edge(values: list[float], *, low: bool) -> float:
    """The edge of a column: the most common start (or end) of its lines, rounded to 0.5 %
    of the width; ties go to the outermost. Falls back to a percentile for few lines."""
    if len(values) < 4:
        return values[0] if low else values[-1]
    counts = Counter(round(v * 200) for v in values)
    best = max(counts.values())
    if best < 2:
        return values[len(values) // 10] if low else values[-1 - len(values) // 10]
    bins = [b for b, c in counts.items() if c >= max(2, best // 2)]
    edge = (min(bins) if low else max(bins)) / 200
    near = [v for v in values if abs(v - edge) <= 0.005]
    return (min(near) if low else max(near)) if near else edge


def set_gaps(lines: list[Line]) -> None:
    """White space above each line beyond the page's usual leading, in body line heights
    (lines of one page in reading order; called again once running lines are set aside)."""
    heights = sorted(ln.y1 - ln.y0 for ln in lines)
    h = heights[len(heights) // 2] if heights else 0.01
    whites = []
    prev: Line | None = None
    for ln in lines:
        if prev is not None and prev.band == ln.band and prev.column == ln.column:
            whites.append(ln.y0 - prev.y1)
        prev = ln
    positive = sorted(w for w in whites if w > -0.5 * h)
    usual = positive[len(positive) // 2] if positive else 0.0
    prev = None
    for ln in lines:
        same_flow = prev is not None and (prev.band == ln.band and prev.column == ln.column)
        if same_flow and prev is not None or prev is not None and ln.column < 0 and prev.column < 0:
            ln.gap = max(0.0, (ln.y0 - prev.y1 - usual) / h)
        else:
            ln.gap = -1.0
        prev = ln
