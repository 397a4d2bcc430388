"""Cited documents read by OCR, reconciled with the register before they count.

Why: on the old typewriter scans a digit of a document number is the likeliest word to be
misread (*Nghị quyết 10* read as *19*, *07-NQ/HNTW* as *67-NQ/HNTW*), and the review counts
documents: one wrong digit adds a document no article cites and loses the real one. The
citation rules (:mod:`indexer.analyze.citations`) already repair a number when the text
proves it (the full date of issue, or the title right after it). This module goes one step
further on pages read by OCR, for three kinds of reading:

* a number the register does not hold for that type and body (nor issued by the article's
  date: a document cannot be cited before it was issued);
* a registered number read on a word Tesseract was unsure of (below :data:`LOW_WORD`);
* a registered number followed by a full date that is not its own but a neighbour's
  (*Nghị quyết số 12-NQ/TW, ngày 10/4/2013*: 22-NQ/TW's date), however sure the word.

Each is compared with the registered documents one OCR slip away (one digit changed, added
or dropped; a 0 read as 6, 9 or 8, the typewriter's recurring slip, counts half: *196*,
*1606* or *90* for *100*; same type, body and, for State documents, year; issued on or before the article's
date), scored on what surrounds the mention: the date given after it (+3 when it is the
document's date, −3 when it is another full date), the year given (+1), the document's
title in the words that follow (+2, +3 when nearly all of it), the issuer named (+2 when it
is the organ the register gives, *Bộ Chính trị*; else +1 when it implies the document's
body), and a confident mention of the same document elsewhere
in the article (+2). A candidate scoring :data:`CONVINCING` or more, better than the reading
and than any other candidate (of two scoring alike, the one fewer slips away), replaces the
reading. Otherwise the reading is kept as read and
marked doubtful (:data:`DOUBT_UNREGISTERED`, :data:`DOUBT_LATER`, :data:`DOUBT_LOW`): the
analyze stage lists it for editors (``ref_review``) and it stays out of the review's counts
until an editor confirms it (:mod:`archive.worklist`). A registered reading on an unsure word
is doubtful only when a registered neighbour issued by then could be meant and nothing around
the mention speaks for the reading: one registered document, read cleanly nearby, or dated
right, is trusted. Last, a shorthand (*Nghị quyết 3*) the citation rules resolved before the
full mention was repaired follows the repaired document of that number and type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from archive.models import Word
from archive.vntext import fold, nfc
from indexer.analyze.citations import Citation, date_after, issuer_body_after
from indexer.analyze.docid import DocParts, parse_id
from indexer.analyze.register import Document, Register

LOW_WORD = 85.0  # a word read below this confidence (0..100) is an unsure reading
CONVINCING = 2  # score a registered neighbour needs to replace a reading

DOUBT_UNREGISTERED = "unregistered"  # not in the register for that type, body (and year)
DOUBT_LATER = "issued-later"  # the register's document was issued after the article
DOUBT_LOW = "low-confidence"  # read on an unsure word; a registered neighbour could be meant

_DIGITS = re.compile(r"[0-9]+")
_TOKEN_EDGE = ".,;:()[]\"'“”‘’«»"
_SHORTHAND = re.compile(r"^(?:(?:nghi quyet|chi thi|ket luan|quy dinh)\s+(?:so\s+)?|(?:nq|ct|kl|qdi|qd|hd|kh)"
                        r"\s?[-–]?\s?)[0-9]{1,3}$")


@dataclass(frozen=True)
class Reading:
    """One citation after reconciliation: ``doubt`` is '' when it counts, else why not;
    ``was`` is the identifier as read when the register replaced it."""

    citation: Citation
    doubt: str = ""
    was: str = ""


def unsure_tokens(words: Iterable[Word], below: float = LOW_WORD) -> frozenset[str]:
    """The words with a digit read below ``below``, NFC, stripped of edge punctuation: what
    :func:`reconcile` compares with the tokens of each mention."""
    return frozenset(t for w in words if w.conf < below and any(ch.isdigit() for ch in w.text)
                     for t in [nfc(w.text).strip(_TOKEN_EDGE)] if t)


def _unsure(c: Citation, unsure: frozenset[str]) -> bool:
    return any(tok.strip(_TOKEN_EDGE) in unsure for tok in c.raw.split())


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text).lower())


# A typewriter's 0 (an oval with a dot or a bar in some faces) read as 6, 9 or 8: the slip
# that recurs, often twice in one number (*100* read as *196*, *1606*, *90*). It costs half an
# ordinary slip (one digit changed, added or dropped); a neighbour is at most one and a half.
_ZERO_READ_AS = frozenset("698")
_NEAR = 1.5


def _slip_cost(registered: str, read: str) -> float:
    """Edit distance from ``registered`` to ``read`` (leading zeros ignored) where a 0 read as
    6, 9 or 8 costs 0.5 and any other digit changed, added or dropped costs 1."""
    a, b = registered.lstrip("0") or "0", read.lstrip("0") or "0"
    row = [float(j) for j in range(len(b) + 1)]
    for i, x in enumerate(a, 1):
        prev, row = row, [float(i)] + [0.0] * len(b)
        for j, y in enumerate(b, 1):
            change = 0.0 if x == y else 0.5 if x == "0" and y in _ZERO_READ_AS else 1.0
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + change)
    return row[-1]


def _slips(a: str, b: str) -> bool:
    """Numbers one OCR slip apart: one digit changed, added or dropped, or up to three 0s
    read as 6, 9 or 8, or one of those and one other slip (leading zeros ignored: ``05`` and
    ``5`` are one number)."""
    return 0 < _slip_cost(a, b) <= _NEAR


def _issued_by(doc: Document, when: str | None) -> bool:
    return not when or doc.date[: len(when)] <= when


def neighbours(c: Citation, register: Register, when: str | None) -> list[Document]:
    """Registered documents one OCR slip from the reading, of its type and body (and year
    for State documents), issued on or before ``when``."""
    try:
        read = parse_id(c.doc_id)
    except ValueError:
        return []
    out = []
    for doc in register:
        try:
            other = parse_id(doc.id)
        except ValueError:
            continue
        if (other.doc_type, other.body, other.party) != (read.doc_type, read.body, read.party):
            continue
        if read.year and other.year != read.year:
            continue
        if _slips(other.number, read.number) and _issued_by(doc, when):
            out.append(doc)
    return out


def score(doc: Document, text: str, c: Citation, confident: set[str]) -> int:
    """How strongly the words around the mention speak for ``doc`` (see the module doc)."""
    folded = "".join((fold(ch) or ch)[0] for ch in text)
    given, after = date_after(folded, c.end)
    points = 0
    if len(given) == 10:
        points += 3 if given == doc.date else (-3 if len(doc.date) == 10 else 0)
    elif given[:4] and given[:4] == doc.date[:4]:
        points += 1
    title = [w for w in _words(doc.title) if w != "ve"]
    if len(title) >= 3:
        following = set(_words(text[after:after + 40 + 2 * len(doc.title)]))
        # the title's opening words, or most of it (texts drop "Một số vấn đề về ...")
        share = max(sum(w in following for w in part) / len(part) for part in (title[:8], title))
        points += 3 if share >= 0.9 else 2 if share >= 0.6 else 0
    named = fold(c.issuer).lower() if c.issuer else ""
    if named and fold(doc.issuer).lower().startswith(named):
        points += 2  # the very organ the register gives (Bộ Chính trị, not just "TW")
    elif (body := issuer_body_after(folded, after)) and body == doc.body:
        points += 1
    if doc.id in confident:
        points += 2
    return points


def reconcile(text: str, citations: list[Citation], register: Register, when: str | None,
              unsure: frozenset[str]) -> list[Reading]:
    """Each citation of ``text`` (read by OCR) as it will count: replaced by a registered
    neighbour the context proves, or kept and marked doubtful, or trusted as read."""
    text = nfc(text)
    folded = "".join((fold(ch) or ch)[0] for ch in text)
    contradicted = {id(c) for c in citations if c.known and _date_contradicts(c, folded, register, when)}
    confident = {c.doc_id for c in citations
                 if c.known and not _unsure(c, unsure) and id(c) not in contradicted}
    out = []
    for c in citations:
        low = _unsure(c, unsure)
        if c.known and not low and id(c) not in contradicted:
            out.append(Reading(c))
            continue
        own = register.lookup(c.doc_id, c.date or when) if c.known else None
        own_score = score(own, text, c, confident - {c.doc_id}) if own is not None else None
        # best first; of two scoring alike, the nearer reading (fewer slips) is better
        scored = sorted(((score(d, text, c, confident), -_slip_cost(parse_id(d.id).number, c.number), d)
                         for d in neighbours(c, register, when) if d.id != c.doc_id),
                        key=lambda sd: (-sd[0], -sd[1]))
        best = scored[0] if scored else None
        runner = scored[1][:2] if len(scored) > 1 else None
        if best is not None and best[0] >= CONVINCING and (runner is None or best[:2] > runner) \
                and (own_score is None or best[0] > own_score):
            doc = best[2]
            parts = parse_id(doc.id)
            out.append(Reading(replace(c, doc_id=doc.id, number=parts.number, kind=doc.kind or c.kind,
                                       date=c.date or doc.date, year=parts.year or doc.year,
                                       known=True), was=c.doc_id))
            continue
        if own is not None and own_score is not None:
            doubtful = own_score < 0 or (own_score == 0 and bool(scored))
            out.append(Reading(c, DOUBT_LOW if doubtful else ""))
            continue
        later = register.lookup(c.doc_id) is not None
        out.append(Reading(c, DOUBT_LATER if later else DOUBT_UNREGISTERED))
    return _shorthands_follow(out)


def _parts(doc_id: str) -> DocParts | None:
    try:
        return parse_id(doc_id)
    except ValueError:
        return None


def _date_contradicts(c: Citation, folded: str, register: Register, when: str | None) -> bool:
    """A registered reading followed by a full date that is not its own but is the date of a
    registered neighbour one OCR slip away (*Chỉ thị số 36-CT/TW, ngày 18/2/1998* when
    36-CT/TW is another document and 30-CT/TW was issued that day): the digit was misread,
    however sure Tesseract was of it."""
    given, _after = date_after(folded, c.end)
    if len(given) != 10:
        return False
    own = register.lookup(c.doc_id, given)
    if own is None or own.date == given or len(own.date) != 10:
        return False
    return any(d.date == given for d in neighbours(c, register, when) if d.id != c.doc_id)


def _shorthands_follow(readings: list[Reading]) -> list[Reading]:
    """A shorthand (*Nghị quyết 3*, no identifier) resolved to a document the article does not
    cite in full, while it does cite in full one of that number and type: that one. The
    shorthand was resolved before the reconciliation repaired the full mention (*63-NQ/HNTW,
    ngày 18/6/1997* read for 03-NQ/HNTW, then *Nghị quyết 3*, which the register alone would
    make 03-NQ/TW)."""
    full = [r.citation for r in readings if not r.doubt and "/" in r.citation.raw]
    ids = {c.doc_id for c in full}
    out = []
    for r in readings:
        c = r.citation
        if _SHORTHAND.match(fold(c.raw).lower()) and c.doc_id not in ids:
            same = {f.doc_id: f for f in full for p in [_parts(f.doc_id)] if p is not None
                    and p.number == c.number and p.doc_type.rstrip("i") == c.doc_type.rstrip("i")}
            if len(same) == 1:
                f = next(iter(same.values()))
                r = Reading(replace(c, doc_id=f.doc_id, kind=f.kind, doc_type=f.doc_type, body=f.body,
                                    year=f.year, date=c.date or f.date, known=f.known), "", r.was)
        out.append(r)
    return out
