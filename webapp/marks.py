"""Which words of a page a query marks: folded syllable sequences matched against word boxes.

Why here: the search index ranks documents but does not know where on the scan a phrase
sits (Whoosh highlights terms, not phrases), and pages reached by browsing have no search hit
at all. The viewer therefore matches the query itself, the way the index analyses it: NFC,
diacritics folded (đ→d), split into syllables. A bare term or an identifier (``21-NQ/TW``)
is the sequence of its syllables; a quoted phrase is one sequence; ``NOT``/``-`` terms, field
prefixes (``title:``) and operators are not marked. A sequence may run across words and
lines (a phrase broken at a line end), never across pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from archive.models import Word
from archive.vntext import fold, nfc

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_SYLLABLE = re.compile(r"\w+", re.UNICODE)
_OPERATORS = {"and", "or", "not", "AND", "OR", "NOT"}


@dataclass(frozen=True)
class Pattern:
    syllables: tuple[str, ...]  # folded


def patterns(query: str) -> list[Pattern]:
    """The sequences to mark for ``query`` (longest first, duplicates removed)."""
    out: list[tuple[str, ...]] = []
    negate_next = False
    for m in _TOKEN.finditer(nfc(query or "")):
        minus, phrase, bare = m.group(1), m.group(2), m.group(3)
        if bare is not None:
            if bare in {"NOT", "not"}:
                negate_next = True
                continue
            if bare in _OPERATORS:
                continue
            if bare.startswith("-"):
                negate_next = False
                continue
            text = bare.split(":", 1)[1] if re.match(r"^[a-z_]+:", bare) else bare
            text = re.sub(r"[~^][0-9.]*$", "", text).strip("()*?")
        else:
            text = phrase
            if minus:
                negate_next = False
                continue
        if negate_next:
            negate_next = False
            continue
        sylls = tuple(_SYLLABLE.findall(fold(text)))
        if sylls and sylls not in out:
            out.append(sylls)
    out.sort(key=len, reverse=True)
    return [Pattern(s) for s in out]


def marked_words(words: Sequence[Word], query: str) -> set[int]:
    """Indices of ``words`` covered by any occurrence of any pattern of ``query``."""
    pats = patterns(query)
    if not pats or not words:
        return set()
    flat: list[tuple[str, int]] = []  # (folded syllable, word index)
    for i, w in enumerate(words):
        for s in _SYLLABLE.findall(fold(w.text)):
            flat.append((s, i))
    keys = [s for s, _ in flat]
    hit: set[int] = set()
    for p in pats:
        n = len(p.syllables)
        first = p.syllables[0]
        for start in range(len(keys) - n + 1):
            if keys[start] == first and tuple(keys[start:start + n]) == p.syllables:
                hit.update(flat[k][1] for k in range(start, start + n))
    return hit


def count_matches(words: Sequence[Word], query: str) -> int:
    """How many pattern occurrences start on this page (for "search within this issue")."""
    pats = patterns(query)
    keys = [s for w in words for s in _SYLLABLE.findall(fold(w.text))]
    n_hits = 0
    for p in pats:
        n = len(p.syllables)
        n_hits += sum(1 for i in range(len(keys) - n + 1) if tuple(keys[i:i + n]) == p.syllables)
    return n_hits


def text_matches(text: str, query: str) -> bool:
    """Whether every pattern of ``query`` occurs in ``text`` (folded, by syllables)."""
    pats = patterns(query)
    if not pats:
        return False
    keys = " " + " ".join(_SYLLABLE.findall(fold(text))) + " "
    return all(" " + " ".join(p.syllables) + " " in keys for p in pats)
