"""The table of contents (*Mục lục*, *Trong số này*): its entries, and where they point.

Why read it: it is the editors' own list of what the issue holds. Its titles confirm the
titles found from the page layout, and find those the layout missed (a title set in the body
face, a noisy OCR line); its section lines give the section of what follows them.

An entry is a title followed (or preceded) by a printed page number, with or without dot
leaders, possibly wrapped over several lines. The table ends at the last entry that is
followed by three lines that are not entries, or at a line set larger than its entries.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from archive.vntext import match_key, nfc
from indexer.extract.syllable import is_syllable, letter_words
from indexer.segment.lines import Line
from indexer.segment.sections import SectionList

_HEAD = re.compile(r"^(muc luc|trong so nay|noi dung chinh|noi dung so nay|doc trong so nay)$")
_END_NUMBER = re.compile(r"^(?P<title>.*?\S)[\s.…·_\-–]*?(?:\s|\.|…|_)(?:trang\s*)?(?P<page>\d{1,3})$")
_START_NUMBER = re.compile(r"^(?:trang\s*)?(?P<page>\d{1,3})[\s.…·_\-–]+(?P<title>\D.*)$")
_LEADER = re.compile(r"[\s.…·_]{2,}$")


@dataclass(frozen=True)
class TocEntry:
    title: str  # NFC, as printed in the table
    page: int  # printed page number
    section: str = ""  # canonical section of the section line above it, if any


def is_toc_heading(line: Line) -> bool:
    """*Mục lục* and the like, also as OCR spaces it (*MỤC L ỤC*)."""
    return bool(_HEAD.match(line.key)) or line.key.replace(" ", "") in _HEAD_SOLID


_HEAD_SOLID = frozenset(("mucluc", "trongsonay", "noidungchinh", "noidungsonay", "doctrongsonay"))


def parse_entry(text: str, *, wrapped: bool = False) -> tuple[str, int] | None:
    """(title, printed page) of one table line, or None when it carries no page number.
    ``wrapped``: the line ends a title begun on the lines above, so it may be a word or two."""
    text = nfc(text.strip())
    least = 1 if wrapped else 3
    m = _END_NUMBER.match(text)
    if m and _has_words(m.group("title"), least):
        return _clean(m.group("title")), int(m.group("page"))
    m = _START_NUMBER.match(text)
    if m and _has_words(m.group("title"), least):
        return _clean(m.group("title")), int(m.group("page"))
    return None


def _has_words(text: str, least: int = 3) -> bool:
    return sum(ch.isalpha() for ch in text) >= least


def _clean(title: str) -> str:
    return _LEADER.sub("", title).strip(" .…·_-–")


def find_toc(lines: Sequence[Line], sections: SectionList, *,
             max_page: int = 999) -> list[TocEntry]:
    """Find the table in ``lines`` (one page, reading order), tag its lines with role
    ``toc`` and return its entries; [] when the page has none."""
    for start, ln in enumerate(lines):  # noqa: B007 - `start` is read after the loop
        if ln.role == "body" and is_toc_heading(ln):
            break
    else:
        return []
    entries: list[TocEntry] = []
    pending: list[Line] = []  # lines since the last entry: wrapped titles or section lines
    section = ""
    misses = 0
    entry_size = 0.0
    sizes: list[float] = []  # of the entries so far, points
    widths: list[float] = []  # their character widths over the body's
    starts: list[float] = []  # where their lines start, page fractions
    for ln in lines[start + 1:]:
        if ln.role != "body":
            continue
        if sizes and ln.size > 1.25 * statistics.median(sizes) and \
                ln.wrel > 1.15 * statistics.median(widths):
            break  # a title in larger type than the entries (*... THÁNG 5* is no entry)
        titled = [p for p in pending if "toc-section" not in p.tags]
        parsed = parse_entry(ln.text, wrapped=bool(titled))
        if parsed is None and titled and ln.text.strip().isdigit():
            parsed = ("", int(ln.text.strip()))  # OCR read the page number as a line of its own
        if parsed is None and entries:
            parsed = _garbled_number(ln)
        if parsed and 0 <= parsed[1] <= max_page:
            wrapped: list[Line] = []
            for p in pending:
                if "toc-section" in p.tags:
                    section, wrapped = str(sections.match(p.text).name), []  # type: ignore[union-attr]
                else:
                    wrapped.append(p)
                p.role = "toc"
            ln.role = "toc"
            title = " ".join([p.text for p in wrapped] + [parsed[0]]).strip()
            entries.append(TocEntry(nfc(title), parsed[1], section))
            pending, misses = [], 0
            entry_size = ln.size
            sizes.append(ln.size)
            widths.append(ln.wrel)
            starts.append(ln.x0)
            continue
        if entry_size and ln.size > 1.25 * entry_size:
            break  # a title set larger than the table: the table is over
        if sections.match(ln.text):
            ln.tags.add("toc-section")
        else:
            misses += 1
        pending.append(ln)
        if misses >= 3 or len(pending) > 5:
            break
    for p in pending:
        p.tags.discard("toc-section")
    if entries:  # the last entries, whose page numbers OCR dropped: set like the others
        x0 = statistics.median(starts)
        for p in pending:
            if abs(p.x0 - x0) > 0.012 or not 0 <= p.gap < 0.6 or p.letters < 4 or \
                    p.text.rstrip().endswith((".", ";", ":")) or "toc-section" in p.tags:
                break
            p.role = "toc"
            garbled = _garbled_number(p)
            entries.append(TocEntry(nfc(garbled[0] if garbled else p.text.strip()), 0, section))
    if not entries:
        entries = _unnumbered(lines, start)
    if entries:
        lines[start].role = "toc"
    return entries


def _garbled_number(line: Line) -> tuple[str, int] | None:
    """(title, 0) for an entry whose page number OCR garbled (*... một cửa C:*): its last
    token stands apart from the title (two ems or more, where the leaders or the number
    column are) and is no word and no number."""
    words = sorted(line.words, key=lambda w: w.box[0])
    if len(words) < 3:
        return None
    last, before = words[-1], words[-2]
    apart = last.box[0] - before.box[2] >= 2 * line.em
    token = last.text.strip()
    letters = [w for w in letter_words(token) if len(w) > 1]
    if not apart or token.isdigit() or any(is_syllable(w) for w in letters) or len(token) > 4:
        return None
    title = _clean(" ".join(w.text for w in words[:-1]))
    return (title, 0) if _has_words(title) else None


def _unnumbered(lines: Sequence[Line], start: int) -> list[TocEntry]:
    """A table whose page numbers are lost (OCR drops a right-aligned column of digits):
    the short lines right under the heading, down to white space or a heading. Their
    entries have page 0 (anywhere in the issue)."""
    heading = lines[start]
    run: list[Line] = []
    for ln in lines[start + 1:]:
        if ln.role != "body":
            continue
        close = ln.y0 - (run[-1].y1 if run else heading.y1) < 2.5 * (ln.y1 - ln.y0)
        if not close or ln.style == "strong" or ln.text.rstrip().endswith((".", ";", ":")) \
                or len(ln.text.split()) > 25 or ln.page != heading.page:
            break
        if ln.letters >= 8:  # a page number, or a speck, read as a line of its own is no entry
            run.append(ln)
        else:
            ln.role = "toc"
    if len(run) < 2 or sum(1 for ln in run if parse_entry(ln.text, wrapped=True)) > len(run) // 2:
        return []  # numbered after all (an entry that could not be read): no guessing
    for ln in run:
        ln.role = "toc"
    return [TocEntry(nfc(ln.text.strip()), 0) for ln in run]


def title_similarity(entry_title: str, text: str) -> float:
    """1 - normalized edit distance of folded forms; a table title may be a shortened form
    of the page's title, so a long enough prefix of the page title counts as a match."""
    a, b = match_key(entry_title), match_key(text)
    if not a or not b:
        return 0.0
    full = 1.0 - Levenshtein.normalized_distance(a, b)
    if len(b) > len(a) and len(a) >= 15:
        full = max(full, 1.0 - Levenshtein.normalized_distance(a, b[:len(a)]) - 0.02)
    return full
