"""Vietnamese text analysis for search: syllable tokens, two spellings, document identifiers.

Every text that is indexed or searched goes through :func:`scan` (or its fast twin
:func:`terms`), so the index, the query parser, the snippets and the word marks on the scans
agree on what a token is. No search engine is imported here: the engine's schema adapts these
functions (``indexer/search/schema.py``), so the engine can be swapped.

A token has two forms:

* ``exact``: NFC, lower case, tone mark in the canonical place
  (:func:`archive.vntext.canonical_tones`), so *hoà*/*hòa* and *thuỷ*/*thủy* are one token;
* ``folded``: without any diacritic and with đ→d (:func:`archive.vntext.fold`), for queries
  typed without diacritics and for text whose OCR lost them.

Tokens are syllables (runs of letters and digits). There is no stop list and no minimum
length: *an*, *ở*, *ý*, *do* are words. Document identifiers (``21-NQ/TW``, ``21 - NQ/TW``,
``21/NQ-TW``, ``NQ21``, ``43/2022/QH15``, the OCR-damaged ``2l-NQ/TW``) are one token whose
both forms are the identifier key (:func:`identifier_key`), e.g. ``21-nq/tw``; that key holds
``-`` or ``/`` and so never collides with a syllable. The grammar and the one spelling are
those of ``indexer/analyze/docid.py`` (also used by the citation analysis), so the identifiers found
in the text and the cited documents of ``article_ref`` always meet.

Bigrams (:func:`bigrams`) are pairs of adjacent folded tokens, indexed beside the syllables so
a phrase is matched on rare pairs instead of walking the positions of common syllables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from archive.vntext import canonical_word, fold, nfc
from indexer.analyze.docid import GLUED_CORE, GLUED_HINT, IDENTIFIER, canon_type, normalize_id, parts_of

# Bump when tokens change: it is part of the index version, and a change forces a rebuild.
ANALYZER_VERSION = "vi-10"

# ``NQ21``: the short spelling of a Party document (body TW); docid reads whole strings only.
_SHORT = re.compile(r"(?<![^\W_])(?P<kt>QĐi|QĐ|NQ|CT|KL|HD|KH|QC|TB)(?P<kn>[0-9]{1,4})(?![^\W_])",
                    re.IGNORECASE)
_SYLLABLE = re.compile(r"[^\W_]+")
_DIGIT = re.compile(r"[0-9]")
_LOWER_CODE = re.compile(r"[0-9OolI]\s*[-–/]\s*[a-zđ]")


class Token(NamedTuple):
    """One token of a text: its two forms and where it sits (character offsets, end excl.)."""

    exact: str
    folded: str
    start: int
    end: int
    ident: bool = False


# --- syllables ---------------------------------------------------------------------------

_FORMS: dict[str, tuple[str, str]] = {}
_FORMS_LIMIT = 500_000  # distinct spellings kept; OCR noise could otherwise grow it forever


def forms(syllable: str) -> tuple[str, str]:
    """(exact, folded) forms of one NFC syllable, cached (the vocabulary is small)."""
    hit = _FORMS.get(syllable)
    if hit is None:
        lower = syllable.lower()
        hit = (canonical_word(lower), fold(lower))
        if len(_FORMS) >= _FORMS_LIMIT:
            _FORMS.clear()
        _FORMS[syllable] = hit
    return hit


def has_diacritics(text: str) -> bool:
    """True when ``text`` carries any Vietnamese mark (or đ): the user typed diacritics."""
    return fold(text) != nfc(text).lower()


# --- identifiers -------------------------------------------------------------------------

def _spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, normalised id) of every identifier in NFC ``text``, in order.

    The text is read as written (OCR's ``2l-NQ/TW`` needs its lower-case l) and, when a
    number is followed by a lower-case code (``21-nq/tw`` typed in a query), upper-cased too
    (same length for Vietnamese).
    """
    if not _DIGIT.search(text):
        return []
    found: list[tuple[int, int, str]] = []
    glued = [m.start() for m in GLUED_CORE.finditer(text)] if GLUED_HINT.search(text) else []
    if "/" in text or glued:
        sources = [text]
        if _LOWER_CODE.search(text):
            upper = text.upper()
            if len(upper) == len(text):
                sources.append(upper)
        regions = _slash_regions(text, glued)
        for source in sources:
            for lo, hi in regions:
                for m in IDENTIFIER.finditer(source, lo, hi):
                    parts = parts_of(m)
                    if parts is not None:
                        found.append((m.start(), m.end(), parts.id))
    for m in _SHORT.finditer(text):
        kind = canon_type(m.group("kt"))
        if kind:
            found.append((m.start(), m.end(), f"{int(m.group('kn')):02d}-{kind}/TW"))
    if len(found) > 1:
        found.sort(key=lambda s: (s[0], -s[1]))
        kept = [found[0]]
        for span in found[1:]:
            if span[0] >= kept[-1][1]:
                kept.append(span)
        found = kept
    return found


IDENTIFIER_REACH = 80  # characters from its "/" to either end of an identifier, at most (60)
_SPACE = re.compile(r"\s")


def _slash_regions(text: str, glued: list[int] | None = None) -> list[tuple[int, int]]:
    """Where identifiers can be: every one holds a "/", so the text within reach of one
    (merged, each ending before a space or at the end, so the grammar's "not followed by a
    letter" reads the same as in the whole text). Matching only there gives the same
    identifiers as the whole text (lookbehinds still see the text before a region) at a
    fraction of the cost: most of an article is far from any "/". ``glued``: where OCR read
    an identifier's slash as a digit or letter (``41-NQ4TW``), looked at the same way."""
    regions: list[tuple[int, int]] = []
    anchors = []
    pos = text.find("/")
    while pos >= 0:
        anchors.append(pos)
        pos = text.find("/", pos + 1)
    if glued:
        anchors = sorted(set(anchors) | set(glued))
    for pos in anchors:
        lo = max(0, pos - IDENTIFIER_REACH)
        space = _SPACE.search(text, min(len(text), pos + IDENTIFIER_REACH))
        hi = space.start() if space else len(text)
        if regions and lo <= regions[-1][1]:
            regions[-1] = (regions[-1][0], max(hi, regions[-1][1]))
        else:
            regions.append((lo, hi))
    return regions


def identifier_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, normalised id) of the identifiers in NFC ``text``, in order."""
    return _spans(text)


def normalize_identifier(text: str) -> str | None:
    """The one spelling of a document identifier (``indexer.analyze.docid``), or None.

    >>> normalize_identifier("21 / nq-tw"), normalize_identifier("NQ21")
    ('21-NQ/TW', '21-NQ/TW')
    """
    text = nfc(text).strip()
    spans = _spans(text)
    if len(spans) == 1 and spans[0][0] == 0 and spans[0][1] == len(text):
        return spans[0][2]
    return normalize_id(text)


def identifier_at(text: str, pos: int) -> tuple[int, str] | None:
    """(end, normalised identifier) when one starts at ``text[pos]`` (NFC), else None.

    The query parser tries this before splitting on spaces and ``-``, so ``21 - NQ/TW``
    stays one identifier instead of "21 NOT NQ/TW".
    """
    if pos > 0 and text[pos - 1].isalnum():
        return None
    for start, end, norm in _spans(text[pos:pos + 80]):
        if start == 0:
            return pos + end, norm
        break
    return None


def identifier_key(identifier: str) -> str:
    """The token of a normalised identifier: folded and lower case (``08-QĐi/TW`` →
    ``08-qdi/tw``); it holds ``-`` or ``/``, so it never equals a syllable."""
    return fold(identifier)


def ref_key(doc_id: str) -> str:
    """The token of a cited-document id in any spelling (as the analysis stage stores it)."""
    norm = normalize_identifier(doc_id)
    return identifier_key(norm) if norm else fold(nfc(doc_id)).strip()


# --- tokens ------------------------------------------------------------------------------

def scan(text: str) -> list[Token]:
    """Every token of ``text`` (NFC first) with its character offsets into the NFC text."""
    text = nfc(text)
    out: list[Token] = []
    spans = _spans(text)
    k = 0
    for m in _SYLLABLE.finditer(text):
        start = m.start()
        while k < len(spans) and spans[k][1] <= start:
            span = spans[k]
            key = identifier_key(span[2])
            out.append(Token(key, key, span[0], span[1], True))
            k += 1
        if k < len(spans) and spans[k][0] <= start < spans[k][1]:
            continue  # inside an identifier
        end = m.end()
        if k < len(spans) and spans[k][0] < end:
            end = spans[k][0]  # "số21-NQ/TW": the syllable stops where the identifier starts
        exact, folded = forms(text[start:end])
        out.append(Token(exact, folded, start, end))
    for span in spans[k:]:
        key = identifier_key(span[2])
        out.append(Token(key, key, span[0], span[1], True))
    return out


def terms(text: str) -> tuple[list[str], list[str]]:
    """(exact tokens, folded tokens) of ``text`` in order: :func:`scan` without offsets,
    the indexing hot path (about 400 tokens per article)."""
    text = nfc(text)
    cache = _FORMS
    exact: list[str] = []
    folded: list[str] = []
    pos = 0
    for start, end, norm in [*_spans(text), (len(text), len(text), "")]:
        pairs = [cache.get(w) or forms(w) for w in _SYLLABLE.findall(text, pos, start)]
        exact += [p[0] for p in pairs]
        folded += [p[1] for p in pairs]
        if norm:
            key = identifier_key(norm)
            exact.append(key)
            folded.append(key)
        pos = end
    return exact, folded


def bigrams(folded: list[str]) -> list[str]:
    """Adjacent pairs of folded tokens, ``"sinh hoat"``: the phrase index."""
    return [f"{a} {b}" for a, b in zip(folded, folded[1:])]


def identifiers(text: str) -> Iterator[str]:
    """Normalised identifiers found in ``text``, in order (repeats included)."""
    for _start, _end, norm in _spans(nfc(text)):
        yield norm
