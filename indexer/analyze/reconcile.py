"""Cited documents read by OCR, reconciled with the register before they count.

Why: on the old typewriter scans a digit of a document number is the likeliest word to be
misread (*Nghị quyết 10* read as *19*, *07-NQ/HNTW* as *67-NQ/HNTW*), and the review counts
documents: one wrong digit adds a document no article cites and loses the real one. The
citation rules (:mod:`indexer.analyze.citations`) already repair a number when the text
proves it (the full date of issue, or the title right after it). This module goes one step
further on pages read by OCR, for two kinds of reading:

* a number the register does not hold for that type and body (nor issued by the article's
  date: a document cannot be cited before it was issued);
* a registered number read on a word Tesseract was unsure of (below :data:`LOW_WORD`).

Each is compared with the registered documents one OCR slip away (one digit changed, added
or dropped; same type, body and, for State documents, year; issued on or before the
article's date), scored on what surrounds the mention: the date given after it (+3 when it
is the document's date, −3 when it is another full date), the year given (+1), the
document's title in the words that follow (+2, +3 when nearly all of it), the issuer named
(+2 when it is the organ the register gives, *Bộ Chính trị*; else +1 when it implies the
document's body), and a confident mention of the same document elsewhere
in the article (+2). A candidate scoring :data:`CONVINCING` or more, better than the reading
and than any other candidate, replaces the reading. Otherwise the reading is kept as read and
marked doubtful (:data:`DOUBT_UNREGISTERED`, :data:`DOUBT_LATER`, :data:`DOUBT_LOW`): the
analyze stage lists it for editors (``ref_review``) and it stays out of the review's counts
until an editor confirms it (:mod:`archive.worklist`). A registered reading on an unsure word
is doubtful only when a registered neighbour issued by then could be meant and nothing around
the mention speaks for the reading: one registered document, read cleanly nearby, or dated
right, is trusted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from archive.models import Word
from archive.vntext import fold, nfc
from indexer.analyze.citations import Citation, date_after, issuer_body_after
from indexer.analyze.docid import parse_id
from indexer.analyze.register import Document, Register
from indexer.extract.ocrcorrect import one_edit

LOW_WORD = 85.0  # a word read below this confidence (0..100) is an unsure reading
CONVINCING = 2  # score a registered neighbour needs to replace a reading

DOUBT_UNREGISTERED = "unregistered"  # not in the register for that type, body (and year)
DOUBT_LATER = "issued-later"  # the register's document was issued after the article
DOUBT_LOW = "low-confidence"  # read on an unsure word; a registered neighbour could be meant

_DIGITS = re.compile(r"[0-9]+")
_TOKEN_EDGE = ".,;:()[]\"'“”‘’«»"


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


def _slips(a: str, b: str) -> bool:
    """Numbers one OCR slip apart: one digit changed, added or dropped (leading zeros
    ignored: ``05`` and ``5`` are one number)."""
    return one_edit(a.lstrip("0") or "0", b.lstrip("0") or "0")


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
    confident = {c.doc_id for c in citations if c.known and not _unsure(c, unsure)}
    out = []
    for c in citations:
        low = _unsure(c, unsure)
        if c.known and not low:
            out.append(Reading(c))
            continue
        own = register.lookup(c.doc_id, c.date or when) if c.known else None
        own_score = score(own, text, c, confident - {c.doc_id}) if own is not None else None
        scored = sorted(((score(d, text, c, confident), d) for d in neighbours(c, register, when)
                         if d.id != c.doc_id), key=lambda sd: -sd[0])
        best = scored[0] if scored else None
        runner = scored[1][0] if len(scored) > 1 else None
        if best is not None and best[0] >= CONVINCING and (runner is None or best[0] > runner) \
                and (own_score is None or best[0] > own_score):
            doc = best[1]
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
    return out
