"""Why a hit matched: an HTML-safe snippet, and the word boxes to mark on the page scans.

Whoosh highlights single terms from stored text; here the matching is ours so it agrees with
the index exactly: the text is tokenised by :func:`indexer.search.tokens.scan`, and a query term
matches a token when their folded forms are equal (a phrase: consecutive tokens). The same
matcher runs over the words of the page (:class:`archive.models.Word`) in reading order, pages
in order, so a phrase that runs across a line or onto the next page is marked on both.

Every piece of document text is escaped before it reaches the snippet: OCR text can hold
``<script>`` and it must render as text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

from archive.models import Word
from archive.vntext import nfc
from indexer.search.query import Phrase, Term
from indexer.search.tokens import Token, identifier_spans, scan

_SPACES = re.compile(r"\s+")
SNIPPET_TOKENS = 32  # tokens shown around the best match
LEAD_TOKENS = 8  # tokens kept before the first match of the window


@dataclass(frozen=True)
class MatchSpec:
    """What to look for: folded single tokens, and folded token sequences."""

    terms: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]

    @classmethod
    def from_leaves(cls, leaves: Iterable[Term | Phrase], extra_terms: Iterable[str] = ()) -> MatchSpec:
        terms: set[str] = set(extra_terms)
        phrases: list[tuple[str, ...]] = []
        for leaf in leaves:
            if isinstance(leaf, Term):
                terms.add(leaf.folded)
            elif len(leaf.terms) == 1:
                terms.add(leaf.terms[0].folded)
            else:
                phrases.append(tuple(t.folded for t in leaf.terms))
        return cls(frozenset(terms), tuple(sorted(set(phrases))))

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)


def find(tokens: Sequence[Token], spec: MatchSpec) -> list[tuple[int, int, str]]:
    """Matched token spans ``(first, last + 1, key)`` in order; ``key`` names what matched."""
    folded = [t.folded for t in tokens]
    spans: list[tuple[int, int, str]] = []
    for i, tok in enumerate(folded):
        if tok in spec.terms:
            spans.append((i, i + 1, tok))
    for phrase in spec.phrases:
        n = len(phrase)
        first = phrase[0]
        for i, tok in enumerate(folded):
            if tok == first and tuple(folded[i:i + n]) == phrase:
                spans.append((i, i + n, " ".join(phrase)))
    spans.sort()
    return spans


def snippet(text: str, spec: MatchSpec, *, size: int = SNIPPET_TOKENS) -> str:
    """A short passage of ``text`` as HTML: escaped, matches in ``<mark>``, ``…`` where cut.

    The passage is the window of ``size`` tokens holding the most distinct matched terms
    (the earliest such window); without a match, the beginning of the text.
    """
    text = nfc(text)
    pattern = _pattern(spec) if spec else None
    if pattern is not None:
        numbers = any(ch.isdigit() for t in spec.terms for ch in t) or \
            any(ch.isdigit() for p in spec.phrases for w in p for ch in w)
        return _snippet_by_pattern(text, pattern, size, numbers=numbers)
    tokens = scan(text)
    if not tokens:
        return escape(" ".join(text.split())[:200])
    spans = find(tokens, spec) if spec else []
    start = _best_start([(f, e, k) for f, e, k in spans], size)
    end = min(len(tokens), start + size)
    marked = [(tokens[f].start, tokens[e - 1].end) for f, e, _k in _merge(spans) if f >= start and e <= end]
    return _render(text, tokens[start].start, tokens[end - 1].end, start > 0, end < len(tokens), marked)


def _best_start(spans: list[tuple[int, int, str]], size: int) -> int:
    """Start of the window of ``size`` holding the most distinct keys (earliest on ties)."""
    best, best_score = 0, -1
    for first, _end, _key in spans:
        start = max(0, first - LEAD_TOKENS)
        keys = {k for f, e, k in spans if f >= start and e <= start + size}
        if len(keys) > best_score:
            best, best_score = start, len(keys)
    return best


# Every letter a folded query letter stands for (fold(c) == base), for matching the text
# itself with one regular expression instead of tokenising it (snippets of 20 hits a page).
_VARIANTS: dict[str, str] = {}
for _base, _marked in {"a": "aàáảãạăằắẳẵặâầấẩẫậ", "e": "eèéẻẽẹêềếểễệ", "i": "iìíỉĩị",
                       "o": "oòóỏõọôồốổỗộơờớởỡợ", "u": "uùúủũụưừứửữự", "y": "yỳýỷỹỵ",
                       "d": "dđ"}.items():
    _VARIANTS[_base] = "[" + _marked + "]"
_PATTERNS: dict[MatchSpec, re.Pattern[str] | None] = {}


def _pattern(spec: MatchSpec) -> re.Pattern[str] | None:
    """One regular expression for every term and phrase of ``spec`` over unfolded text, or
    None when the spec holds an identifier (those need the tokenizer's normalisation)."""
    if spec in _PATTERNS:
        return _PATTERNS[spec]
    items = [(t,) for t in spec.terms] + list(spec.phrases)
    pattern: re.Pattern[str] | None = None
    if not any(not w.isalnum() for item in items for w in item):
        alternatives = sorted((r"[\W_]+".join("".join(_VARIANTS.get(c, re.escape(c)) for c in w)
                                               for w in item) for item in items), key=len, reverse=True)
        groups = "|".join(f"(?P<t{i}>{alt})" for i, alt in enumerate(alternatives))  # key: lastgroup
        pattern = re.compile(r"(?<![^\W_])(?:" + groups + r")(?![^\W_])", re.IGNORECASE)
    if len(_PATTERNS) > 256:
        _PATTERNS.clear()
    _PATTERNS[spec] = pattern
    return pattern


def _snippet_by_pattern(text: str, pattern: re.Pattern[str], size: int, *,
                        numbers: bool = False) -> str:
    matches = [(m.start(), m.end(), m.lastgroup or "") for m in pattern.finditer(text)]
    if numbers and matches:  # "21" inside "21-NQ/TW" is not the word 21 (one token there)
        idents = [(a, b) for a, b, _n in identifier_spans(text)]
        matches = [m for m in matches if not any(a <= m[0] < b for a, b in idents)]
    width = size * 7  # characters: a Vietnamese syllable and its space average under 7
    if matches:
        best, best_score = 0, -1
        firsts = [m[0] for m in matches]
        for a, _b, _k in matches[:64]:  # windows start near (at most 64) matches
            start = max(0, a - LEAD_TOKENS * 7)
            keys = set()
            for _x, y, k in matches[bisect_left(firsts, start):]:
                if y > start + width:
                    break
                keys.add(k)
            if len(keys) > best_score:
                best, best_score = start, len(keys)
        lo = best
    else:
        lo = 0
    hi = min(len(text), lo + width)
    if lo > 0:  # whole words only
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < lo + 20 else lo
    if hi < len(text):
        space = text.rfind(" ", lo, hi)
        hi = space if space > lo else hi
    marked = [(a, b) for a, b, _k in matches if a >= lo and b <= hi]
    return _render(text, lo, hi, lo > 0, hi < len(text), _merge_chars(text, marked))


def _merge_chars(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Marks side by side (only spaces or punctuation between) become one."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and (a <= merged[-1][1] or not text[merged[-1][1]:a].strip()):
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for f, e, k in sorted(spans):
        if merged and f <= merged[-1][1]:  # overlapping or side by side: one mark
            pf, pe, pk = merged[-1]
            merged[-1] = (pf, max(pe, e), pk)
        else:
            merged.append((f, e, k))
    return merged


def _render(text: str, lo: int, hi: int, cut_before: bool, cut_after: bool,
            marked: list[tuple[int, int]]) -> str:
    out: list[str] = ["…" if cut_before else ""]
    pos = lo
    for a, b in marked:
        out.append(_plain(text[pos:a]))
        out.append("<mark>" + _plain(text[a:b]) + "</mark>")
        pos = b
    out.append(_plain(text[pos:hi]))
    out.append("…" if cut_after else "")
    return "".join(out).strip()


def _plain(fragment: str) -> str:
    return escape(_SPACES.sub(" ", fragment))


def snippet_text(html_snippet: str) -> str:
    """The snippet for a terminal: ``<mark>x</mark>`` becomes ``[x]``, entities decoded."""
    from html import unescape

    return unescape(html_snippet.replace("<mark>", "[").replace("</mark>", "]"))


Box = tuple[float, float, float, float]


def _inside(word: Word, boxes: Sequence[Sequence[float]]) -> bool:
    cx = (word.box[0] + word.box[2]) / 2
    cy = (word.box[1] + word.box[3]) / 2
    return any(b[0] - 0.005 <= cx <= b[2] + 0.005 and b[1] - 0.005 <= cy <= b[3] + 0.005 for b in boxes)


def _inside_all(words: Sequence[Word], boxes: Sequence[Sequence[float]]) -> list[bool]:
    """:func:`_inside` for every word at once (pages hold ~1,000 words, outlines ~50 boxes)."""
    w = np.asarray([word.box for word in words], dtype=np.float64)
    b = np.asarray(boxes, dtype=np.float64)
    cx = ((w[:, 0] + w[:, 2]) / 2)[:, None]
    cy = ((w[:, 1] + w[:, 3]) / 2)[:, None]
    inside = ((b[:, 0] - 0.005 <= cx) & (cx <= b[:, 2] + 0.005)
              & (b[:, 1] - 0.005 <= cy) & (cy <= b[:, 3] + 0.005))
    rows = np.asarray(inside.any(axis=1), dtype=bool)
    return [bool(x) for x in rows]


@dataclass(frozen=True)
class PageTokens:
    """A page's words tokenized as the index tokenizes them, ready to match any query:
    ``folded`` the tokens' folded forms, ``owner`` per token (seq, the boxes of the words
    it covers, rounded as marks are shown),
    ``positions`` each folded form's token positions. Independent of the query, so the
    search keeps them per page version (:mod:`indexer.search.results`) and a query only looks up
    its own words."""

    folded: tuple[str, ...]
    owner: tuple[tuple[int, tuple[Box, ...]], ...]
    positions: dict[str, tuple[int, ...]]


def page_tokens(seq: int, words: Sequence[Word], outline: list[Box] | None = None) -> PageTokens:
    """Tokens of one page (only the words inside ``outline``, an article's boxes, if given).
    One text per page, so an identifier written over several words ("21 - NQ/TW") is one
    token as in the index."""
    if outline and words:
        words = [w for w, keep in zip(words, _inside_all(words, outline)) if keep]
    starts: list[int] = []
    parts: list[str] = []
    pos = 0
    for word in words:
        text = nfc(word.text)
        starts.append(pos)
        parts.append(text)
        pos += len(text) + 1
    boxes: list[Box] = [(round(w.box[0], 5), round(w.box[1], 5), round(w.box[2], 5), round(w.box[3], 5))
                        for w in words]
    folded: list[str] = []
    owner: list[tuple[int, tuple[Box, ...]]] = []
    positions: dict[str, list[int]] = {}
    for tok in scan(" ".join(parts)):
        first = bisect_right(starts, tok.start) - 1
        last = bisect_right(starts, tok.end - 1) - 1
        positions.setdefault(tok.folded, []).append(len(folded))
        folded.append(tok.folded)
        owner.append((seq, tuple(boxes[first:last + 1])))
    return PageTokens(tuple(folded), tuple(owner), {k: tuple(v) for k, v in positions.items()})


def token_marks(pages: Sequence[PageTokens], spec: MatchSpec) -> dict[int, list[Box]]:
    """Boxes (page fractions) of the words that match ``spec``, per page seq, over pages
    in page order (a phrase may run from one page onto the next). The same spans as
    :func:`find` over the pages' tokens, found from each page's positions of the query's
    words rather than by reading every token."""
    if not spec:
        return {}
    offsets: list[int] = []
    folded: list[str] = []
    for page in pages:
        offsets.append(len(folded))
        folded.extend(page.folded)
    spans: list[tuple[int, int, str]] = []
    for term in spec.terms:
        for page, base in zip(pages, offsets):
            spans.extend((base + i, base + i + 1, term) for i in page.positions.get(term, ()))
    for phrase in spec.phrases:
        n, key = len(phrase), " ".join(phrase)
        for page, base in zip(pages, offsets):
            for i in page.positions.get(phrase[0], ()):
                j = base + i
                if tuple(folded[j:j + n]) == phrase:
                    spans.append((j, j + n, key))
    spans.sort()
    marks: dict[int, list[Box]] = {}
    seen: set[tuple[int, Box]] = set()
    for first, end, _key in spans:
        for i in range(first, end):
            k = bisect_right(offsets, i) - 1
            seq, covered = pages[k].owner[i - offsets[k]]
            for box in covered:
                if (seq, box) not in seen:
                    seen.add((seq, box))
                    marks.setdefault(seq, []).append(box)
    return marks


def word_marks(pages: Sequence[tuple[int, Sequence[Word]]], spec: MatchSpec,
               outlines: dict[int, list[Box]] | None = None) -> dict[int, list[Box]]:
    """Boxes (page fractions) of the words that match ``spec``, per page seq.

    ``pages`` are (seq, words in reading order) in page order. With ``outlines`` (an
    article's boxes per page), only words inside the article count, so a phrase running
    from one page to the next is not broken by the running footer between them.
    """
    if not spec:
        return {}
    return token_marks([page_tokens(seq, words, (outlines or {}).get(seq))
                        for seq, words in pages], spec)
