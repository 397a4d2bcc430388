"""What a line is: a heading (banner, title), a byline, or body text.

Signals, all relative to the page's own body text so they hold for any font, size and
method: size over the body size (the most common line size, weighted by letters), bold
(PDF font names; OCR says nothing), capitals, white space above, alignment, and whether the
line stands alone (it ends a paragraph without a full stop, and the next line starts one).
OCR sizes are noisy, so OCR pages need a larger size step before a line counts as larger.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from archive.vntext import canonical_tones
from indexer.segment.articletext import fold, is_qa_lead
from indexer.segment.lines import Line
from indexer.segment.masthead import is_colophon_line

_NUMBERED = re.compile(r"^((\d{1,2}|[ivxlc]{1,5}|[a-zđ])[.)]|[-–+•*▪●○■□]\s|(phan|chuong|muc|dieu)\s+"
                       r"(\d+|[ivxlc]+)\b)", re.IGNORECASE)
_NAME_PREFIX = re.compile(
    r"^((pgs|gs|ts|ths|cn|ks|bs|ls|nb|ncs|ts\.bs)\.?\s*(\.?\s*(ts|ths|bs))?\.?\s+|"
    r"(dai ta|thuong ta|trung ta|thieu ta|dai uy|dong chi|nha bao|luat su|nha giao|cuu chien binh)\s+)",
    re.IGNORECASE)
# words that start place names, dates and sentences, never a person's name
_NOT_NAMES = frozenset("""thôn xã huyện tỉnh phường quận ấp làng xóm buôn đầu cuối ngày tháng năm
sáng chiều tối đêm hôm tuần quý các những một nhiều mỗi theo tại trong ngoài đảng chi hội ủy uỷ
sở phòng nhà việc để khi sau trước từ ở lễ tết mùa chủ tổ cuộc họp tổng cục viện
bộ nghị luật kế về với cho trên dưới khu vùng sông núi biển đảo""".split())
_SPECKS = ".'\"`:‘’“”"
_SIGNATURE_TOKEN = re.compile(r"^[A-ZĐ0-9][A-ZĐ0-9.\-]{1,6}$")
_ROMAN = re.compile(r"^[IVXLC]+$")
_SOURCE = re.compile(r"^\(?\s*(theo|nguon|trich theo|luoc trich theo)\b[:\s]+\S")


@dataclass(frozen=True)
class Thresholds:
    """Size steps (ratio to the body size) that make a line a heading, per method."""

    big: float  # clearly larger: a title on its own
    larger: float  # larger, and bold: a title

    @classmethod
    def for_method(cls, method: str) -> Thresholds:
        if method == "ocr":
            return cls(big=1.3, larger=1.18)
        return cls(big=1.2, larger=1.06)


def body_size(lines: Sequence[Line]) -> float:
    """The body text size in points: the letter-weighted median size of full lines."""
    weighted: list[tuple[float, int]] = []
    for ln in lines:
        if ln.role != "body" or ln.letters < 12 or ln.width_share < 0.55:
            continue
        weighted.append((ln.size, ln.letters))
    if not weighted:
        sizes = [ln.size for ln in lines if ln.letters]
        return statistics.median(sizes) if sizes else 10.0
    weighted.sort()
    half = sum(w for _, w in weighted) / 2
    acc = 0
    for size, w in weighted:
        acc += w
        if acc >= half:
            return size
    return weighted[-1][0]


def is_numbered(text: str) -> bool:
    return bool(_NUMBERED.match(fold(text.strip())))


def body_char_width(lines: Sequence[Line]) -> float:
    """The body text's character width in points: the letter-weighted median over full lines."""
    weighted = sorted((ln.cw, ln.letters) for ln in lines
                      if ln.role == "body" and ln.letters >= 12 and ln.width_share >= 0.55)
    if not weighted:
        return 0.0
    half, acc = sum(w for _, w in weighted) / 2, 0
    for cw, w in weighted:
        acc += w
        if acc >= half:
            return cw
    return weighted[-1][0]


WIDE = 1.28  # character width over the body's: a title's type (larger, bold) on an OCR page
WIDER = 1.12  # wider than body text: bold or a little larger (a brief's title, a byline)
TALL_WIDTH = 1.05  # an OCR line much taller than the body is larger type only this wide


def style_of(line: Line, body: float, method: str) -> str:
    """``strong`` (larger, or in capitals), ``bold`` (body size in bold), or ``plain``.

    OCR says nothing of bold and its sizes are rough, so there the width of the characters
    speaks instead (``Line.wrel``): type that is larger or bolder is wider.
    """
    if line.letters < 2:
        return "plain"
    t = Thresholds.for_method(method)
    rel = line.size / body if body else 1.0
    caps = line.caps >= 0.8 and line.letters >= 6
    if method == "ocr":
        # OCR line heights grow with a speck or a row merged across columns; larger type is
        # also wider, so a taller line counts only when its characters are not narrow
        if rel >= t.big and line.wrel >= TALL_WIDTH:
            return "strong"
    elif rel >= t.big or (rel >= t.larger and line.bold >= 0.6):
        return "strong"
    if method == "ocr" and line.letters >= 6:
        if line.wrel >= WIDE or (rel >= t.larger and line.wrel >= WIDER):
            return "strong"
        if caps:
            return "strong"
        if line.wrel >= WIDER:
            return "bold"
        return "plain"
    if caps and (line.bold >= 0.6 or rel >= 1.04):
        return "strong"
    if line.bold >= 0.6:
        return "bold"
    return "plain"


def can_start_title(line: Line, *, lower: bool = False) -> bool:
    """Lines that never start a title: Q&A leads, numbered points, lines with no words, lines
    that start in lower case (unless ``lower``: the layout proves a heading OCR misread)."""
    text = line.text.strip()
    first = next((ch for ch in text if ch.isalnum()), "")
    if first.islower() and not lower:
        return False  # a title starts with a capital (or a digit): this line goes on a sentence
    if not line.plausible:
        return False  # not words: what OCR made of a picture or a smudge
    if is_colophon_line(text):
        return False  # the editor in charge, the print run, the licence: no article
    return line.letters >= 3 and not is_qa_lead(text) and not is_numbered(text)


def can_continue_title(line: Line) -> bool:
    """Lines that never carry on a title's wording: Q&A leads, numbered points, names."""
    text = line.text.strip()
    return bool(text) and not is_qa_lead(text) and not is_numbered(text) and \
        not looks_like_name(text) and line.plausible


def can_end_title(line: Line, *, strong: bool) -> bool:
    """A title does not end a clause: a run in the body size ending with a full stop or a
    colon is a lead-in, not a title (a larger title may end with a colon only when wrapped,
    and this is its last line)."""
    text = line_end(line.text)
    return not text.endswith((",", ";") if strong else tuple(".;,:"))


def line_end(text: str) -> str:
    """The text without the specks OCR reads at the end of a line (" .", " -", " '")."""
    tokens = text.split()
    while len(tokens) > 1 and not any(ch.isalnum() for ch in tokens[-1]):
        tokens.pop()
    return " ".join(tokens)


def stands_alone(prev: Line | None, line: Line, nxt: Line | None) -> bool:
    """A short run set off like a heading in plain type (what OCR leaves of a bold title):
    white space above, not ending a sentence, and the next line starting a paragraph."""
    if line.gap < 0.3 and line.gap != -1.0:
        return False
    if prev is not None and line.gap == -1.0 and not prev.text.rstrip().endswith(tuple(".!?…\"”")):
        return False
    if line.text.rstrip().endswith(tuple(".;,:")) or line.width_share > 0.97:
        return False
    if nxt is None:
        return False
    return nxt.indent >= 0.8 or nxt.gap >= 0.3


def looks_like_name(text: str) -> bool:
    """A person's name as a byline: two to five capitalised syllables, after an optional
    title (TS., ThS., Đại tá ...), before an optional affiliation (after ' - ' or ',')."""
    text = text.strip().strip("()")
    if text.endswith((".", ",", ";", ":")):
        return False  # the end of a sentence ("... ở Hà Nội.")
    head = re.split(r"\s+[-–—]\s+|,\s*|\s+\(", text, maxsplit=1)[0]
    folded = fold(head)
    m = _NAME_PREFIX.match(folded)
    if m:
        head = head[len(m.group(0)):] if len(head) >= len(m.group(0)) else head
    # quotes, dots and colons OCR reads in specks between the syllables (Hà 'Đức Chiến)
    parts = [p for p in (t.strip(_SPECKS) for t in head.split()) if p]
    if not 2 <= len(parts) <= 5 or canonical_tones(parts[0].lower()) in _NOT_NAMES:
        return False
    for p in parts:
        if not p[0].isupper() or not all(ch.isalpha() for ch in p):
            return False
        if len(p) > 1 and not (p[1:].islower() or p.isupper()):
            return False
    return True


def is_source_line(text: str) -> bool:
    """*(Theo báo Nhân Dân)*, *Nguồn: ...*: an attribution that closes an article."""
    text = text.strip()
    if not text or not (text[0] == "(" or text[0].isupper()):
        return False  # lower case: the sentence goes on ("... theo quy định.")
    return bool(_SOURCE.match(fold(text))) and len(text) <= 80


def is_signature_token(text: str) -> bool:
    """One short token in capitals (or capitals and digits OCR confused), such as *PV*,
    *BTG*, *B1G*, *TTXVN*: a signature, unless it is a Roman numeral (*XIII*)."""
    text = text.strip()
    letters = sum(ch.isalpha() for ch in text)
    return bool(_SIGNATURE_TOKEN.match(text)) and letters >= 2 and not _ROMAN.match(text)
