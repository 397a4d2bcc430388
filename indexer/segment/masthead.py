"""The parts of an issue that are about the issue, not articles: masthead and colophon.

The masthead (page 1, top) reads publisher, title, *Số N – tháng M/YYYY*, *Lưu hành nội bộ*;
the colophon (last page) names the editor in charge, print run, format, printer and licence.
Neither is an article. The masthead also dates the issue when the catalog has no date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from archive.vntext import fold, match_key
from indexer.segment.lines import Line

_MASTHEAD = tuple(re.compile(p) for p in (
    r"\bluu hanh noi bo\b",
    r"^so\s*\d+\b",
    r"^so (dac biet|xuan|tet)\b",
    r"\bthang\s*\d{1,2}\s*(nam)?\s*\d{4}\b",
    r"^thong (tin|bao) (sinh hoat chi bo|noi bo)\b",
    r"^(ban )?(tuyen giao|tu tuong van hoa|tu tuong van hoa|tuyen giao va dan van)\b",
    r"^dang cong san viet nam$",
    r"^(dang bo )?(tinh|thanh) uy\b",
    r"^dang bo (tinh|thanh pho)\b",
    r"^(ban chap hanh trung uong|trung uong dang)$",
    r"^nam thu\s*\w+",
    r"^(phat hanh|xuat ban) (hang thang|dinh ky|\d)",
))
_DATE = re.compile(r"thang\s*(\d{1,2})\s*(?:nam)?\s*(\d{4})\b")
_COLOPHON = tuple(re.compile(p) for p in (
    r"chiu trach nhiem (xuat \w+|noi dung|phat hanh)",  # OCR: xuất hẳn
    r"^\W*chiu\b.{0,12}\bnhiem (xuat \w+|noi dung|phat hanh)",  # OCR: Chịu thá nhiệm xuất bản
    r"\bgiay phep (xuat ban|so)\b",
    r"\w?iay phep xuat ban\b",  # OCR: 6iấy phép xuất bản
    r"\bin \d[\d .,]* ban\b",
    r"^\W*[itl1]n\W*\d[\d .,_]* ban\b",  # OCR: 1n 19.500 bản, Tn_42.690 bản
    r"\bban\W+kho \d+",  # ... bản, khổ 19 x 27 cm
    r"\bso luong in\b",
    r"\bkho \d+\s*x\s*\d+",
    r"^in tai\b",
    r"\bnop luu chieu\b",
    r"^(ban )?bien tap( vien)?\s*(:|$)",  # "Biên tập: ...", or the heading BAN BIÊN TẬP
    r"^(tong|truong ban|pho ban) bien tap\b",
    r"^dia chi\s*(toa soan|lien he|lien lac)?\s*:",  # not "địa chỉ người viết" in a notice
    r"^dien thoai\s*:?\s*[\d(+]",
    r"^email\b",
    r"^tri su\b",
))


def is_masthead_line(text: str, series_titles: Sequence[str] = ()) -> bool:
    key = match_key(text)
    return any(p.search(key) for p in _MASTHEAD) or key in {match_key(t) for t in series_titles}


def mark_running_titles(per_page: Sequence[Sequence[Line]],
                        series_titles: Sequence[str] = ()) -> None:
    """A line at the very top or bottom of a page (pages after the masthead's) that reads
    like the masthead (the bulletin's title, *Số N*) is a running header, even on the one
    page of a short issue where it cannot be seen to repeat."""
    for lines in per_page:
        for ln in lines:
            edge = ln.y1 <= 0.1 or ln.y0 >= 0.9
            if edge and ln.role == "body" and ln.letters <= 80 and \
                    is_masthead_line(ln.text, series_titles):
                ln.role = "running"


def masthead_date(lines: Sequence[Line], year: int) -> str:
    """``YYYY-MM`` from *tháng M/YYYY* (or *tháng M năm YYYY*) near the top of page 1, when
    the year is the issue's (or next to it, for a December issue printed in January)."""
    for ln in lines:
        if ln.y0 > 0.5:
            continue
        m = _DATE.search(match_key(ln.text).replace("/", " "))
        if m:
            month, printed = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12 and abs(printed - year) <= 1:
                return f"{printed:04d}-{month:02d}"
    return ""


def mark_masthead(lines: Sequence[Line], series_titles: Sequence[str] = (),
                  ends: Callable[[str], bool] | None = None) -> bool:
    """Tag the masthead of the first page (role ``masthead``): everything in the top half
    down to the last masthead line, when at least two lines look like a masthead. A line
    for which ``ends`` is true (a section banner) ends it: what follows is the first article,
    whose byline may read like the publisher (*Ban Tuyên giáo Tỉnh uỷ*). Returns whether
    one was found."""
    top = sorted((ln for ln in lines if ln.role in ("body", "toc") and ln.y1 <= 0.55),
                 key=lambda ln: ln.y0)
    hits: list[Line] = []
    last = -1
    for i, ln in enumerate(top):
        if ln.role == "toc" or i - last > 3 or (not hits and i > 6) or \
                (hits and ends is not None and ends(ln.text)):
            break  # the masthead is one block at the top: three other lines end it
        if is_masthead_line(ln.text, series_titles):
            hits.append(ln)
            last = i
    if len(hits) < 2:
        return False
    bottom = max(ln.y1 for ln in hits)
    for ln in lines:
        if ln.role == "body" and ln.y1 <= bottom + 0.005:
            ln.role = "masthead"
    return True


def is_colophon_line(text: str) -> bool:
    """A line of the colophon (editor in charge, print run, format, licence ...)."""
    key, bare = fold(text.strip()), match_key(text)  # bare: OCR's stray quotes and dots gone
    return any(p.search(key) or p.search(bare) for p in _COLOPHON)


def mark_colophon(lines: Sequence[Line]) -> bool:
    """Tag the colophon of the last page (role ``colophon``): the run of lines from the first
    to the last colophon line, when there are at least two."""
    body = [ln for ln in lines if ln.role == "body"]
    idx = [i for i, ln in enumerate(body) if is_colophon_line(ln.text)]
    if len(idx) < 2:
        return False
    first, last = idx[0], idx[-1]
    if last - first > 3 * len(idx) + 4:  # scattered mentions, not a colophon block
        return False
    head = body[first - 1] if first > 0 else None
    flush_right = head is not None and head.right_space <= 1.0 and \
        head.x0 > head.col_x0 + 0.5 * (head.col_x1 - head.col_x0)
    if head is not None and head.letters < 40 and head.caps > 0.8 and not flush_right and \
            body[first].gap < 1.0:
        first -= 1  # its heading right above it, e.g. BAN BIÊN TẬP (not a signature: BTG)
    block = [body[i] for i in idx]
    left, right = min(ln.x0 for ln in block), max(ln.x1 for ln in block)
    for ln in body[first:last + 1]:
        if ln.x1 <= left or ln.x0 >= right:
            continue  # beside the block, not in it: the last line of an article run over
        ln.role = "colophon"
    for ln in body[last + 1:]:  # short lines right after it (a name, the rest of a date)
        if ln.page != body[last].page or (ln.letters > 3 and (ln.gap > 0.6 or ln.width_share > 0.7)):
            break
        ln.role = "colophon"
    return True
