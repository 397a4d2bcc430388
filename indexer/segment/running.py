"""Running headers and footers: the lines at the top and bottom of pages that belong to no
article (the bulletin's title and issue, page numbers, the footer line).

Found by position and repetition: a line in the top or bottom zone of a page, apart from the
text, that is a page number, or whose text (numbers aside, a few OCR errors allowed) recurs in
those zones on other pages; or a line there set smaller than the page's text (a footer even
on a page of its own).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz.distance import Levenshtein

from archive.vntext import match_key
from indexer.segment.lines import Line

RUNNING_ZONE = 0.12  # top and bottom share of the page where running headers/footers live

_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^(trang\s+)?[-–—\s]*(\d{1,3}|[ivxlc]{1,6})[-–—\s]*$")


def running_key(text: str) -> str:
    """A line's text for repetition: folded, numbers replaced by '#'."""
    return _DIGITS.sub("#", match_key(text))


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(match_key(text) or text.strip().lower())) and any(
        ch.isdigit() or ch in "ivxlcIVXLC" for ch in text)


def mark_running(pages: Sequence[list[Line]]) -> None:
    """Tag running headers and footers (role ``running``): lines at the top or bottom of a
    page that are page numbers, or whose text (numbers aside) recurs near the top or bottom
    of other pages. Their words belong to no article."""
    candidates: list[tuple[Line, str]] = []
    for lines in pages:
        for ln in _edge_lines(lines):
            candidates.append((ln, running_key(ln.text)))
    n_pages = sum(1 for lines in pages if lines)
    need = max(2, -(-n_pages // 4))  # on at least a quarter of the pages, and two
    for lines in pages:
        _mark_small_edges(lines)
    for ln, key in candidates:
        if is_page_number(ln.text):
            ln.role = "running"
            continue
        if len(key) < 3:
            continue
        seen = {ln.page}
        for other, okey in candidates:
            if other.page in seen or abs(len(okey) - len(key)) > 0.2 * len(key) + 2:
                continue
            if okey == key or Levenshtein.normalized_distance(okey, key) <= 0.15:
                seen.add(other.page)
        if len(seen) >= need:
            ln.role = "running"


def _mark_small_edges(lines: list[Line]) -> None:
    """The first or last line of a page, set smaller than most lines and apart from them
    (a footer even on a page of its own)."""
    if len(lines) < 6:
        return
    sizes = sorted(ln.size for ln in lines)
    usual = sizes[len(sizes) // 2]
    by_y = sorted(lines, key=lambda ln: ln.y0)
    for ln, neighbour in ((by_y[0], by_y[1]), (by_y[-1], by_y[-2])):
        in_zone = ln.y1 <= RUNNING_ZONE + 0.02 or ln.y0 >= 1 - RUNNING_ZONE - 0.02
        h = ln.y1 - ln.y0
        apart = (neighbour.y0 - ln.y1 if ln is by_y[0] else ln.y0 - neighbour.y1) > 1.2 * h
        if in_zone and apart and ln.size <= 0.85 * usual and ln.letters <= 80:
            ln.role = "running"


def _edge_lines(lines: list[Line]) -> list[Line]:
    """The top three and bottom three lines of a page when they lie in the running zones
    and white space parts them from the text (a header is not the first line of a column)."""
    if not lines:
        return []
    by_y = sorted(lines, key=lambda ln: ln.y0)
    top = [ln for ln in by_y[:3] if ln.y1 <= RUNNING_ZONE + 0.02]
    bottom = [ln for ln in by_y[-3:] if ln.y0 >= 1 - RUNNING_ZONE - 0.02]
    heights = sorted(ln.y1 - ln.y0 for ln in by_y)
    line_h = heights[len(heights) // 2]
    whites = sorted(b.y0 - a.y1 for a, b in zip(by_y, by_y[1:]) if 0 < b.y0 - a.y1 < 1.5 * line_h)
    usual = whites[len(whites) // 2] if whites else 0.0  # the white between lines of text

    def apart(white: float, ln: Line) -> bool:
        h = ln.y1 - ln.y0
        return white >= max(0.4 * h, usual + 0.3 * h)

    # the lines above the innermost white space that parts them from the text (not simply
    # the top three: three lines of text in a row are no header because the fourth is far)
    head: list[Line] = []
    for k, ln in enumerate(top):
        if k + 1 == len(by_y) or apart(by_y[k + 1].y0 - ln.y1, ln):
            head = top[:k + 1]
    foot: list[Line] = []
    for k in range(1, len(bottom) + 1):  # a signature closing the page's text is not apart
        ln = bottom[-k]
        if k == len(by_y) or apart(ln.y0 - by_y[-k - 1].y1, ln):
            foot = bottom[-k:]
    # and a short line among them that the rest of the page's text keeps apart from (a
    # header OCR set close above a title); a full line of text is never one
    loose = []
    for ln in top:
        below = [o.y0 for o in by_y if o.y0 > ln.y1 - 0.2 * (ln.y1 - ln.y0) and o not in top]
        if ln.width_share < 0.85 and (not below or apart(min(below) - ln.y1, ln)):
            loose.append(ln)
    for ln in bottom:
        above = [o.y1 for o in by_y if o.y1 < ln.y0 + 0.2 * (ln.y1 - ln.y0) and o not in bottom]
        if ln.width_share < 0.85 and (not above or apart(ln.y0 - max(above), ln)):
            loose.append(ln)
    return list(dict.fromkeys(head + foot + loose))
