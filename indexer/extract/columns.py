"""Columns of a page region by recursive XY-cut over word boxes: which boxes are read
together, top to bottom, and in what order.

The rules (units: points, origin top left; ``size`` is the body font size):

* A region with a vertical gutter through its whole height (white space at least
  :data:`MIN_GUTTER` × size wide, with text rows side by side, see :func:`gutters`) is cut
  into columns, read left to right, each column recursively.
* Otherwise the region is cut at its horizontal gaps into strips. Strips with text on both
  sides of a gap ("anchors") start a set of columns; the set takes in the strips above and
  below it that leave its gutter free (a banner, a title, a byline or a picture caption within
  one column, the first lines of a column that starts higher than its neighbour) and ends at
  a strip that crosses the gutter (a heading over both columns, a contents box, a masthead).
  So column lengths do not matter (ragged, unbalanced, short columns), nor where a column's
  paragraphs happen to end.
* Strips outside any set of columns are read top to bottom.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import pairwise
from typing import Generic, TypeVar

MIN_COLUMN_SHARE = 0.15  # a column narrower than this share of its region's width is not one
MIN_COLUMN_SIZES = 4.0  # ... nor one narrower than this × body size
MIN_GUTTER = 0.8  # a gutter is wider than this × the size of the type on either side
MIN_WHITE = 1.0  # points of white space that must remain once boxes are padded by that
LEVEL = 0.3  # columns whose first lines start within this × body size start level
HEAD_GAP = 0.8  # ... a heading over them stands this × body size clear of the text above
END_ROWS = 2  # an end note below the columns is at most this many rows...
END_GAP = 1.0  # an end note stands further than this × body size below its column's text

T = TypeVar("T")
Intervals = list[tuple[float, float]]


class Box(Generic[T]):
    """What the cut works on: the ink box of a word (points) and what it carries.
    ``core_top``/``core_bottom`` trim a tenth of the height, so that lines set solid part;
    ``left``/``right`` pad the box by half :data:`MIN_GUTTER` × its size, so that white
    space between words of large type (a masthead) is not taken for a gutter."""

    __slots__ = ("bottom", "core_bottom", "core_top", "item", "left", "right", "size", "top",
                 "x0", "x1")

    def __init__(self, item: T, x0: float, top: float, x1: float, bottom: float,
                 size: float) -> None:
        self.item = item
        self.x0, self.top, self.x1, self.bottom, self.size = x0, top, x1, bottom, size
        trim = 0.1 * (bottom - top)
        self.core_top, self.core_bottom = top + trim, bottom - trim
        pad = 0.5 * MIN_GUTTER * size
        self.left, self.right = x0 - pad, x1 + pad


def strips(boxes: Sequence[Box]) -> list[list[Box]]:
    """Boxes cut at every horizontal gap that no box crosses, top to bottom."""
    out: list[list[Box]] = []
    bottom = -1e18
    for b in sorted(boxes, key=lambda b: b.core_top):
        if out and b.core_top < bottom:
            out[-1].append(b)
            bottom = max(bottom, b.core_bottom)
        else:
            out.append([b])
            bottom = b.core_bottom
    return out


def rows(boxes: Sequence[Box]) -> list[list[Box]]:
    """Boxes grouped into rows (overlapping cores), top to bottom, each left to right."""
    out: list[list[Box]] = []
    bounds: list[list[float]] = []
    for b in sorted(boxes, key=lambda b: b.core_top):
        for i in range(len(out) - 1, max(len(out) - 4, -1), -1):
            if b.core_top < bounds[i][1] and b.core_bottom > bounds[i][0]:
                out[i].append(b)
                bounds[i][1] = max(bounds[i][1], b.core_bottom)
                break
        else:
            out.append([b])
            bounds.append([b.core_top, b.core_bottom])
    for row in out:
        row.sort(key=lambda b: b.x0)
    return out


Rule = tuple[float, float, float]  # a horizontal rule drawn on the page: x0, x1, y (points)


def order(boxes: list[Box], size: float, rules: Sequence[Rule] = ()) -> list[list[Box]]:
    """Groups of boxes in reading order; each group is read as one column, top to bottom.
    ``rules``: horizontal rules drawn on the page; one across a whole region, between its
    lines, ends everything above it (the frame of a boxed item, a rule between sections)."""
    if not boxes:
        return []
    bands = _ruled(boxes, rules)
    if len(bands) > 1:
        return [group for band in bands for group in order(band, size, rules)]
    cut = strips(boxes)
    cuts = gutters(boxes, size)
    if cuts:
        pieces = _breaks(cut, cuts, size)
        if len(pieces) > 1:
            return _gather(pieces, size, rules)
        columns: list[list[Box]] = [[] for _ in range(len(cuts) + 1)]
        for b in boxes:
            columns[bisect_right(cuts, b.left)].append(b)
        return [group for column in columns for group in order(column, size, rules)]
    if len(cut) == 1:
        return [boxes]
    return _gather(_runs(cut, size), size, rules)


def _ruled(boxes: list[Box], rules: Sequence[Rule]) -> list[list[Box]]:
    """The region cut at the rules that cross it from side to side (within a tenth of its
    width) in white space between its lines, top to bottom."""
    if not rules:
        return [boxes]
    left, right = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
    slack = 0.1 * (right - left)
    top, bottom = min(b.core_top for b in boxes), max(b.core_bottom for b in boxes)
    ys = sorted(y for x0, x1, y in rules
                if x0 <= left + slack and x1 >= right - slack and top < y < bottom
                and not any(b.top < y < b.bottom for b in boxes))  # not underlines
    if not ys:
        return [boxes]
    bands: list[list[Box]] = [[] for _ in range(len(ys) + 1)]
    for b in boxes:
        bands[bisect_right(ys, b.core_top)].append(b)
    return [band for band in bands if band]


def _gather(pieces: list[tuple[list[list[Box]], bool]], size: float,
            rules: Sequence[Rule] = ()) -> list[list[Box]]:
    """Groups from pieces of a region: sets of columns ordered on their own, consecutive
    plain strips read together."""
    groups: list[list[Box]] = []
    plain = False  # whether the last group is plain strips that the next plain strip continues
    for members, is_run in pieces:
        union = [b for s in members for b in s]
        if is_run and len(members) > 1 and gutters(union, size):
            groups += order(union, size, rules)
            plain = False
        elif plain:
            groups[-1].extend(union)
        else:
            groups.append(union)
            plain = True
    return groups


def _breaks(cut: list[list[Box]], cuts: list[float], size: float
            ) -> list[tuple[list[list[Box]], bool]]:
    """The strips of a region with columns, split at the strips that stand within one column
    but are read across the page (plain, False) between sets of columns (True):

    * a heading over the columns: every column below it starts level (within
      :data:`LEVEL` × size) and it stands clear of all text above and of its own
      column's text below by :data:`HEAD_GAP` × size, as a title set across the page
      does; a title within a column seldom has all three (the other column runs on beside
      it), nor has a line of a column set on a baseline grid that happens to fall into
      the other column's paragraph space (it is as close to its neighbours as lines are);
    * an end note: at most :data:`END_ROWS` rows at the end, no larger than the body
      text, below the end of every other column, and further than :data:`END_GAP` × size
      from the text above it in its own column (a column's own last lines follow at line
      or paragraph spacing, a title has its text after it)."""
    side = [{bisect_right(cuts, b.left) for b in s} for s in cut]
    pieces: list[tuple[list[list[Box]], bool]] = []
    current: list[list[Box]] = []
    for i, strip in enumerate(cut):
        if len(side[i]) == 1 and _is_break(cut, side, i, cuts, size):
            if current:
                pieces.append((current, True))
                current = []
            pieces.append(([strip], False))
        else:
            current.append(strip)
    if current:
        pieces.append((current, True))
    return pieces


def _is_break(cut: list[list[Box]], side: list[set[int]], i: int, cuts: list[float],
              size: float) -> bool:
    """Whether strip ``i`` (within one column) is read across the page: see :func:`_breaks`."""
    column = next(iter(side[i]))
    top = min(b.top for b in cut[i])
    tops: dict[int, float] = {}
    for s in cut[i + 1:]:
        for b in s:
            c = bisect_right(cuts, b.left)
            if c not in tops or b.top < tops[c]:
                tops[c] = b.top
    if len(tops) > 1:
        above = max((b.bottom for s in cut[:i] for b in s), default=-1e18)
        bottom = max(b.bottom for b in cut[i])
        return (max(tops.values()) - min(tops.values()) <= LEVEL * size
                and top - above >= HEAD_GAP * size
                and tops.get(column, 1e18) - bottom >= HEAD_GAP * size)
    if set(tops) - {column} or len(set().union(*side[:i])) < 2:
        return False
    rest = [b for s in cut[i:] for b in s]
    if len(rows(rest)) > END_ROWS or max(b.size for b in rest) > 1.05 * size:
        return False
    own = [b.bottom for s in cut[:i] for b in s if bisect_right(cuts, b.left) == column]
    return not own or top - max(own) > END_GAP * size


def _runs(cut: list[list[Box]], size: float) -> list[tuple[list[list[Box]], bool]]:
    """The strips in order, gathered into sets of columns (True) and plain strips (False)."""
    min_gap = MIN_WHITE
    lo = min(b.left for s in cut for b in s)
    hi = max(b.right for s in cut for b in s)
    free = [_free(_cover(s), lo, hi, min_gap) for s in cut]
    extent = [(min(b.left for b in s), max(b.right for b in s)) for s in cut]
    anchor = [_interior(f, *e) for f, e in zip(free, extent)]
    owner = [-1] * len(cut)  # run number of each strip
    runs: list[tuple[int, int, Intervals, float, float]] = []  # first, last, channel, extent

    def grow(run: int, k: int) -> bool:
        first, last, channel, left, right = runs[run]
        meet = _meet(channel, free[k], min_gap)
        left, right = min(left, extent[k][0]), max(right, extent[k][1])
        if not _interior(meet, left, right):
            return False
        runs[run] = (min(first, k), max(last, k), meet, left, right)
        owner[k] = run
        return True

    for k in range(len(cut)):  # anchors, each joined to the run above when it can be
        if not anchor[k]:
            continue
        if runs:  # reach this anchor from the last run through the strips between them
            run = len(runs) - 1
            saved = (runs[run], owner[:])
            j = runs[run][1] + 1
            while j <= k and grow(run, j):
                j += 1
            if j > k:
                continue
            runs[run], owner = saved
        runs.append((k, k, free[k], extent[k][0], extent[k][1]))
        owner[k] = len(runs) - 1
    for run in range(len(runs)):  # heads: strips above that leave the gutter free (a title,
        j = runs[run][0] - 1       # a banner, a column that starts higher than its neighbour)
        while j >= 0 and owner[j] < 0 and grow(run, j):
            j -= 1
    for run in range(len(runs)):  # tails: strips below that leave the gutter free
        j = runs[run][1] + 1
        while j < len(cut) and owner[j] < 0 and grow(run, j):
            j += 1
    out: list[tuple[list[list[Box]], bool]] = []
    k = 0
    while k < len(cut):
        if owner[k] < 0:
            out.append(([cut[k]], False))
            k += 1
            continue
        run = owner[k]
        members = []
        while k < len(cut) and owner[k] == run:
            members.append(cut[k])
            k += 1
        out.append((members, True))
    return out


def widest_gap(boxes: Sequence[Box]) -> float:
    """Width of the widest white space between the padded boxes of one strip or row
    (points; 0 when they touch): what tells a row of two columns from a line of text."""
    cover = _cover(boxes)
    return max((b - a for (_, a), (b, _) in pairwise(cover)), default=0.0)


def _cover(boxes: Sequence[Box]) -> Intervals:
    """The x-intervals covered by the padded boxes, merged, left to right."""
    spans = sorted((b.left, b.right) for b in boxes)
    out = [spans[0]]
    for x0, x1 in spans[1:]:
        if x0 <= out[-1][1]:
            if x1 > out[-1][1]:
                out[-1] = (out[-1][0], x1)
        else:
            out.append((x0, x1))
    return out


def _free(cover: Intervals, lo: float, hi: float, min_gap: float) -> Intervals:
    """The parts of [lo, hi] that ``cover`` leaves free, at least ``min_gap`` wide."""
    out: Intervals = []
    x = lo
    for a, b in cover:
        if a - x >= min_gap:
            out.append((x, a))
        x = max(x, b)
    if hi - x >= min_gap:
        out.append((x, hi))
    return out


def _meet(a: Intervals, b: Intervals, min_gap: float) -> Intervals:
    """Intersection of two interval lists, keeping parts at least ``min_gap`` wide."""
    out: Intervals = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi - lo >= min_gap:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _interior(channel: Intervals, left: float, right: float) -> bool:
    """Whether some free interval has text on both sides within [left, right]."""
    return any(a > left + 1e-6 and b < right - 1e-6 for a, b in channel)


def gutters(boxes: Sequence[Box], size: float) -> list[float]:
    """x of each vertical cut through the whole region (the middle of its gutter), left to
    right; [] when the region is one column.

    Columns on both sides must be at least :data:`MIN_COLUMN_SHARE` of the region wide and
    :data:`MIN_COLUMN_SIZES` × body size (so that list numbers or a contents page's numbers
    are not a column), unless the narrow side is one line at the top (the short end of an
    article at the head of a column); and they must stand side by side (:func:`_side_by_side`)."""
    if len(boxes) < 2:
        return []
    cover = _cover(boxes)
    left_edge, right_edge = cover[0][0], cover[-1][1]
    min_col = max(MIN_COLUMN_SHARE * (right_edge - left_edge), MIN_COLUMN_SIZES * size)
    cuts: list[float] = []
    start = left_edge
    for (_, a), (b, _) in pairwise(cover):
        if b - a < MIN_WHITE:
            continue
        left = rows([x for x in boxes if x.right <= a])
        right = rows([x for x in boxes if x.left >= b])
        column = [r for r in left if r[0].left >= start - 1e-6]
        if ((a - start >= min_col or _top_line(column, right, size))
                and (right_edge - b >= min_col or _top_line(right, left, size))
                and _side_by_side(left, right)):
            cuts.append((a + b) / 2)
            start = b
    return cuts


def _top_line(side: list[list[Box]], other: list[list[Box]], size: float) -> bool:
    """Whether ``side`` is a single line level with or above the other side's first."""
    return (len(side) == 1 and bool(other)
            and min(x.top for x in side[0]) <= min(x.top for x in other[0]) + 0.5 * size)


def _side_by_side(left: list[list[Box]], right: list[list[Box]]) -> bool:
    """Whether the rows on either side of a gutter stand as columns: rows beside each
    other, and either three rows on one side or columns whose edges line up (two rows of
    justified text whose wide word spaces happen to line up are not columns)."""
    if not left or not right or max(len(left), len(right)) < 2:
        return False
    spans = sorted([(min(x.core_top for x in r), max(x.core_bottom for x in r), 0) for r in left]
                   + [(min(x.core_top for x in r), max(x.core_bottom for x in r), 1)
                      for r in right])
    beside = False
    last_bottom = [-1e18, -1e18]
    for t, bottom, side in spans:
        if t < last_bottom[1 - side]:
            beside = True
            break
        last_bottom[side] = max(last_bottom[side], bottom)
    if not beside:
        return False
    if max(len(left), len(right)) >= 3:
        return True
    starts = [r[0].x0 for r in right]
    ends = [r[-1].x1 for r in left]
    return (len(starts) > 1 and max(starts) - min(starts) < 1.0) or (
        len(ends) > 1 and max(ends) - min(ends) < 1.0)
