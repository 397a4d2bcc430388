"""Colophon facts: what the last page says about the issue's print run, format and licence.

A colophon reads, in some order and wording::

    Chịu trách nhiệm xuất bản: Mai Xuân Lộc
    In 15.000 bản, khổ 19 x 27 cm, tại Xưởng in Ban Tư tưởng – Văn hóa Trung ương.
    (or: Số lượng in: 1.500 bản. Khổ 19 x 27 cm. In tại ...)
    Giấy phép xuất bản số 19/GP-BVHTT, cấp ngày 17/12/1988.
    In xong và nộp lưu chiểu tháng 3/1989.

The segmenter recognises these lines (``masthead.is_colophon_line``) and keeps them out of
articles; this module reads them into facts. Each fact keeps the words it was read from
(``evidence``, the colophon line as read) and a confidence 0..100: the lowest OCR confidence
of the words the value came from, lowered when the value needed a repair (an OCR ``O`` read
as ``0``, ``l`` as ``1``, a separator out of place). A value that cannot be read is absent,
never guessed: an issue whose colophon prints no run has ``print_run`` missing.

Tolerance: matching is done on folded text (no diacritics, lower case: ``bẩn`` reads as
``ban``), the first letter of *In* may be OCR'd ``1``, ``l``, ``T`` or ``Ì``; thousands are
grouped with ``.`` (Vietnamese), ``,`` or a space, or not at all (``1500 bản``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from archive.vntext import fold, nfc
from indexer.segment.lines import Line, PageWords, page_lines
from indexer.segment.masthead import is_colophon_line

READER_VERSION = "colophon-5"

FIELDS = ("print_run", "format", "printer", "licence", "licence_date", "deposit", "editor")
"""The facts read, in the order the export and the desk show them."""

_DIGITLIKE = str.maketrans({"o": "0", "O": "0", "l": "1", "I": "1", "i": "1", "|": "1", "]": "1",
                            "s": "5", "S": "5", "b": "6", "B": "8", "z": "2", "Z": "2"})


@dataclass(frozen=True)
class Fact:
    value: str | int
    evidence: str  # the colophon line (as read) the value came from
    page: int  # 1-based page of the issue
    conf: float  # 0..100

    def as_dict(self) -> dict[str, object]:
        return {"value": self.value, "evidence": self.evidence, "page": self.page,
                "conf": round(self.conf, 1)}


@dataclass(frozen=True)
class Colophon:
    found: bool  # a colophon block was found
    page: int = 0
    text: str = ""  # the colophon's lines as read, joined by newlines
    facts: dict[str, Fact] = field(default_factory=dict)


def _flat(text: str) -> str:
    """Folded text of the same length as ``text`` (so offsets map back to the original)."""
    out = []
    for ch in text:
        f = fold(ch)
        out.append(f if len(f) == 1 else (ch.lower() if len(ch.lower()) == 1 else " "))
    return "".join(out)


@dataclass
class _Text:
    """The colophon as one string, with each character's line and word confidence."""

    text: str = ""
    lines: list[str] = field(default_factory=list)
    line_of: list[int] = field(default_factory=list)
    conf_of: list[float] = field(default_factory=list)

    def add(self, words: Sequence[tuple[str, float]]) -> None:
        if self.text:
            self.text += " "
            self.line_of.append(len(self.lines) - 1)
            self.conf_of.append(100.0)
        start = len(self.text)
        for i, (w, conf) in enumerate(words):
            if i:
                self.text += " "
                self.conf_of.append(100.0)
            self.text += w
            self.conf_of += [conf] * len(w)
        self.lines.append(" ".join(w for w, _ in words))
        self.line_of += [len(self.lines) - 1] * (len(self.text) - start)

    def span(self, start: int, end: int) -> tuple[str, float]:
        """(the line(s) the span lies on, the lowest word confidence in it)."""
        first, last = self.line_of[start], self.line_of[max(start, end - 1)]
        conf = min(self.conf_of[start:end], default=100.0)
        return " / ".join(self.lines[first:last + 1]), conf


_RUN = re.compile(r"(?:(?<![a-z])[itl1]n|so\s*luong\s*in\s*:?)[\W_]{0,3}([\dolis|][\dolis|., ]*?[\dolis|])"
                  r"[\W_]{0,3}(?:ban|cuon)\b")
_FORMAT = re.compile(r"\bkho\W{0,2}(\d{2}(?:[.,]\d)?)\s*[x×*]\s*(\d{2}(?:[.,]\d)?)\s*(cm)?")
_PRINTER = re.compile(r"(?:(?:\bcm\W{0,3}|,\W{0,3}|(?<![a-z])[itl1]n\s+)tai|\bnoi\s*in\s*:)[\s:;,.]+"
                      r"(.+?)\s*(?:\.\s|\.$|$|giay phep|in xong)")
_LICENCE = re.compile(r"\w?iay\s*phep\s*(?:xuat ban)?\s*(?:so)?\W{0,2}([0-9olis][\w.–-]*?/+\s*gp\s*-?\s*[a-z]+)")
_LICENCE_DATE = re.compile(r"cap\s*ngay\W{0,2}(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")
_DEPOSIT = re.compile(r"luu\s*chieu\W{0,4}(?:thang)?\W{0,3}(\d{1,2})\s*[/-]\s*(\d{4})")
_EDITOR = re.compile(r"chiu\W*\w{0,5}\W*nhiem\s*(?:xuat\s*\w+|noi dung)\W{0,3}(.+?)\s*(?:$|\s(?=[itl1]n\s+\d)|"
                     r"\sso\s*luong|\sgiay phep)")


def _number(raw: str) -> tuple[int, float] | None:
    """An integer print run from OCR'd digits, and how much the repair costs in confidence:
    ``15.000``, ``15,000``, ``15 000`` and ``15000`` are 15000; ``1S.OOO`` too, less sure."""
    text = raw.strip().rstrip(".,")
    if not any(ch.isdigit() for ch in text):
        return None
    fixed = text.translate(_DIGITLIKE)
    penalty = 0.0 if fixed == text else 25.0
    groups = [g for g in re.split(r"[.,  ]+", fixed) if g]
    if not groups or not all(g.isdigit() for g in groups):
        return None
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        return None  # digits grouped in a way no number is printed: not read
    value = int("".join(groups))
    if not 10 <= value <= 5_000_000:
        return None
    return value, penalty


def number_of(raw: str) -> tuple[int, float] | None:
    """A print run from a number read alone (``29.500``), as :func:`_number`."""
    return _number(raw.strip())


def parse_colophon(text: _Text, page: int) -> dict[str, Fact]:
    """The facts a colophon's text states plainly."""
    flat = _flat(text.text)
    facts: dict[str, Fact] = {}

    def put(name: str, value: str | int, start: int, end: int, penalty: float = 0.0) -> None:
        evidence, conf = text.span(start, end)
        facts[name] = Fact(value, nfc(evidence), page, max(0.0, conf - penalty))

    m = _RUN.search(flat)
    if m:
        read = _number(flat[m.start(1):m.end(1)])
        if read is not None:
            put("print_run", read[0], m.start(1), m.end(1), read[1])
    m = _FORMAT.search(flat)
    if m:
        w, h = (g.replace(".", ",") for g in m.group(1, 2))
        put("format", f"{w} x {h} cm", m.start(1), m.end(2))
    m = _PRINTER.search(flat)
    if m:
        name = text.text[m.start(1):m.end(1)].strip(" .,;:")
        if len(name) >= 4:
            put("printer", nfc(name), m.start(1), m.end(1))
    m = _LICENCE.search(flat)
    if m:
        raw = re.sub(r"\s+", "", text.text[m.start(1):m.end(1)])
        number, _, rest = re.sub(r"\s+", "", flat[m.start(1):m.end(1)]).partition("/")
        rest = raw.partition("/")[2].lstrip("/")
        fixed = number.translate(_DIGITLIKE)
        if fixed.isdigit():
            put("licence", f"{int(fixed)}/{rest.upper()}", m.start(1), m.end(1),
                0.0 if fixed == number else 25.0)
    m = _LICENCE_DATE.search(flat)
    if m:
        d, mo, y = (int(g) for g in m.group(1, 2, 3))
        if 1 <= d <= 31 and 1 <= mo <= 12:
            put("licence_date", f"{y:04d}-{mo:02d}-{d:02d}", m.start(1), m.end(3))
    m = _DEPOSIT.search(flat)
    if m:
        mo, y = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            put("deposit", f"{y:04d}-{mo:02d}", m.start(1), m.end(2))
    m = _EDITOR.search(flat)
    if m:
        name = text.text[m.start(1):m.end(1)].strip(" .,;:–-")
        if 3 <= len(name) <= 60:
            put("editor", nfc(name), m.start(1), m.end(1))
    return facts


def colophon_text(lines: Sequence[Sequence[tuple[str, float]]]) -> _Text:
    out = _Text()
    for words in lines:
        out.add(words)
    return out


def read_colophon(pages: Sequence[PageWords]) -> Colophon:
    """The colophon of an issue: the run of colophon lines on its last page that has one
    (the last two pages are looked at), from the first such line to the last, plus the short
    lines continuing it (a printer's name run over). A colophon that opens its page (a
    table broken across two pages) takes in the previous page's colophon lines too."""
    ordered = sorted(pages, key=lambda p: -p.seq)
    for k, page in enumerate(ordered[:2]):
        lines = page_lines(page)
        span = _block(lines)
        if span is None:
            continue
        first, last = span
        block = [[(w.text, w.conf) for w in ln.words] for ln in lines[first:last + 1]]
        if first <= 2 and k + 1 < len(ordered):
            before = page_lines(ordered[k + 1])
            prev = _block(before)
            if prev is not None and prev[1] >= len(before) - 3:
                block = [[(w.text, w.conf) for w in ln.words] for ln in before[prev[0]:prev[1] + 1]] + block
        text = colophon_text(_untable(block))
        return Colophon(True, page.seq, "\n".join(text.lines), parse_colophon(text, page.seq))
    return Colophon(False)


def _block(lines: Sequence[Line]) -> tuple[int, int] | None:
    """(first, last) index of the colophon lines of a page, or None."""
    idx = [i for i, ln in enumerate(lines) if is_colophon_line(ln.text) or _label([(ln.text, 0.0)])]
    if not any(is_colophon_line(lines[i].text) for i in idx):
        return None
    first, last = idx[0], idx[-1]
    if last - first > 3 * len(idx) + 4:
        first = last - 3 * len(idx) - 4 if len(idx) > 1 else last
        first = min(i for i in idx if i >= first)
    table = sum(1 for i in idx if _label([(lines[i].text, 0.0)])) >= 2
    while last + 1 < len(lines) and (_continues(lines[last + 1].text) or table and _value(lines[last + 1].text)):
        last += 1
    return first, last


def _value(text: str) -> bool:
    """A table cell's value below the colophon's labels: not the page number or the footer."""
    stripped = text.strip()
    return bool(stripped) and not stripped.isdigit() and "du lieu mau" not in fold(stripped) and len(stripped) <= 80


_LABELS = {"chiu trach nhiem xuat ban", "chiu trach nhiem noi dung", "so luong in", "noi in", "giay phep",
           "giay phep xuat ban", "nop luu chieu", "kho", "kho giay"}
_CONTINUATION = re.compile(r"^(cap ngay|thang\s*\d)")


def _label(words: Sequence[tuple[str, float]]) -> bool:
    return " ".join(fold(" ".join(w for w, _ in words)).replace(":", " ").split()) in _LABELS


def _untable(block: list[list[tuple[str, float]]]) -> list[list[tuple[str, float]]]:
    """A colophon set as a two-column table (the Word issues) reads as its labels, then its
    values: pair them again (``Nơi in: Công ty ...``), a value's second line joining it."""
    labels = [ln for ln in block if _label(ln)]
    if len(labels) < 2:
        return block
    values: list[list[tuple[str, float]]] = []
    for ln in block:
        if _label(ln):
            continue
        if values and fold(" ".join(w for w, _ in ln)).startswith("cap ngay"):
            values[-1] = values[-1] + ln
        else:
            values.append(list(ln))
    if len(values) != len(labels):
        return block
    return [[*lab, (":", 100.0), *val] for lab, val in zip(labels, values)]


def _continues(text: str) -> bool:
    """A short line right after the colophon that finishes one of its lines (``ương.``,
    ``22/12/2004.``, ``cấp ngày 3/12/2006``, ``Tháng 6/2007``), not the page number or the
    sample's footer."""
    stripped = text.strip()
    if not stripped or stripped.isdigit() or "du lieu mau" in fold(stripped):
        return False
    if _CONTINUATION.match(fold(stripped)):
        return True
    return len(stripped) <= 40 and (stripped.endswith(".") or bool(re.match(r"\d{1,2}/\d{1,2}/\d{4}", stripped)))
