"""Why a hit matched: the matcher, and an HTML-safe snippet (word boxes: :mod:`indexer.search.pagemarks`).

Whoosh highlights single terms from stored text; here the matching is ours so it agrees with
the index exactly: the text is tokenised by :func:`indexer.search.tokens.scan`, and a query word
matches a token under the search's rule: a word typed without diacritics when the folded
forms are equal, a word typed with diacritics only when the exact forms are (a phrase:
consecutive tokens, word by word). The same matcher marks the words of the page scans.

Every piece of document text is escaped before it reaches the snippet: OCR text can hold
``<script>`` and it must render as text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from archive.vntext import nfc
from indexer.search.query import Phrase, Term
from indexer.search.tokens import Token, identifier_key, identifier_spans, scan

_SPACES = re.compile(r"\s+")
SNIPPET_TOKENS = 32  # tokens shown around the best match
LEAD_TOKENS = 8  # tokens kept before the first match of the window


Wanted = tuple[str, str]  # (folded form, exact form or "" when any spelling will do)


@dataclass(frozen=True)
class MatchSpec:
    """What to look for: single words and word sequences, each word as :data:`Wanted`."""

    terms: frozenset[Wanted]
    phrases: tuple[tuple[Wanted, ...], ...]

    @classmethod
    def from_leaves(cls, leaves: Iterable[Term | Phrase], extra_terms: Iterable[str] = ()) -> MatchSpec:
        """``extra_terms``: folded expansions the search used (near spellings, identifiers)."""
        terms: set[Wanted] = {(t, "") for t in extra_terms}
        phrases: list[tuple[Wanted, ...]] = []
        for leaf in leaves:
            if isinstance(leaf, Term):
                terms.add(_wanted(leaf))
            elif len(leaf.terms) == 1:
                terms.add(_wanted(leaf.terms[0]))
            else:
                phrases.append(tuple(_wanted(t) for t in leaf.terms))
        return cls(frozenset(terms), tuple(sorted(set(phrases))))

    def loose(self) -> MatchSpec:
        """Every word in any spelling: how a possible hit (a poorly read document where a
        mark may be lost) is highlighted."""
        return MatchSpec(frozenset((f, "") for f, _e in self.terms),
                         tuple(tuple((f, "") for f, _e in p) for p in self.phrases))

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)


def _wanted(term: Term) -> Wanted:
    return (term.folded, term.exact if term.marked and not term.fuzzy else "")


def fits(token: Token, word: Wanted) -> bool:
    """Whether ``token`` is the query word ``word`` under the matching rule."""
    return token.folded == word[0] and (not word[1] or token.exact == word[1])


def _key(words: Sequence[Wanted]) -> str:
    return " ".join(e or f for f, e in words)


def find(tokens: Sequence[Token], spec: MatchSpec) -> list[tuple[int, int, str]]:
    """Matched token spans ``(first, last + 1, key)`` in order; ``key`` names what matched."""
    terms = spec.terms
    spans: list[tuple[int, int, str]] = []
    for i, tok in enumerate(tokens):
        if (tok.folded, "") in terms:
            spans.append((i, i + 1, tok.folded))
        elif (tok.folded, tok.exact) in terms:
            spans.append((i, i + 1, tok.exact))
    for phrase in spec.phrases:
        n = len(phrase)
        for i in range(len(tokens) - n + 1):
            if all(fits(tokens[i + j], phrase[j]) for j in range(n)):
                spans.append((i, i + n, _key(phrase)))
    spans.sort()
    return spans


def snippet(text: str, spec: MatchSpec, *, size: int = SNIPPET_TOKENS) -> str:
    """A short passage of ``text`` as HTML: escaped, matches in ``<mark>``, ``…`` where cut.

    The passage is the window of ``size`` tokens holding the most distinct matched terms
    (the earliest such window); without a match, the beginning of the text.
    """
    text = nfc(text)
    compiled = _compile(spec) if spec else None
    if compiled is not None:
        return _passages(text, compiled, spec, size, count=1)[1]
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


@dataclass(frozen=True)
class _Compiled:
    """How to find a spec's matches in unfolded text without tokenising all of it: one
    regular expression for its words and word sequences (group ``t<i>`` is ``ordered[i]``,
    whose marked words are checked on each match), and its identifiers (as the tokenizer
    normalises them, ``Wanted``), found among the text's identifier spans."""

    pattern: re.Pattern[str] | None
    ordered: list[tuple[Wanted, ...]]
    identifiers: frozenset[Wanted]
    # per group name: (item, its key, whether any spelling will do: no check needed)
    groups: dict[str, tuple[tuple[Wanted, ...], str, bool]]


_COMPILED: dict[MatchSpec, _Compiled | None] = {}


def _is_identifier(word: Wanted) -> bool:
    return not word[0].isalnum()


def _compile(spec: MatchSpec) -> _Compiled | None:
    """The spec as :class:`_Compiled`, or None when an identifier stands inside a phrase
    (then the text is tokenised: :func:`snippet`'s slow path)."""
    if spec in _COMPILED:
        return _COMPILED[spec]
    idents = frozenset(t for t in spec.terms if _is_identifier(t))
    items = [(t,) for t in spec.terms if t not in idents] + list(spec.phrases)
    found: _Compiled | None = None
    if not any(_is_identifier(w) for item in items for w in item):
        def alternative(item: tuple[Wanted, ...]) -> str:
            return r"[\W_]+".join("".join(_VARIANTS.get(c, re.escape(c)) for c in w[0])
                                   for w in item)
        ordered = sorted(items, key=lambda item: (-len(alternative(item)), item))
        groups = "|".join(f"(?P<t{i}>{alternative(item)})" for i, item in enumerate(ordered))
        pattern = re.compile(r"(?<![^\W_])(?:" + groups + r")(?![^\W_])", re.IGNORECASE) \
            if ordered else None
        found = _Compiled(pattern, ordered, idents,
                          {f"t{i}": (item, _key(item), all(not w[1] for w in item))
                           for i, item in enumerate(ordered)})
    if len(_COMPILED) > 256:
        _COMPILED.clear()
    _COMPILED[spec] = found
    return found


def _checked(text: str, start: int, item: tuple[Wanted, ...], spec: MatchSpec,
             ) -> list[tuple[int, int, str]]:
    """The marks a pattern match at ``start`` stands for under the rule: the whole item when
    each of its words fits, else (a phrase) those of its words that are single query words."""
    return [(start + a, start + b, key) for a, b, key in _checked_at(text, item, spec.terms)]


@lru_cache(maxsize=4096)
def _checked_at(text: str, item: tuple[Wanted, ...], terms: frozenset[Wanted],
                ) -> tuple[tuple[int, int, str], ...]:
    """:func:`_checked` relative to the match: the same few spellings ("bộ", "Bộ", "bổ")
    come back thousands of times a search, and tokenising each again cost a fifth of it."""
    tokens = scan(text)
    if len(tokens) == len(item) and all(fits(t, w) for t, w in zip(tokens, item)):
        return ((tokens[0].start, tokens[-1].end, _key(item)),)
    if len(item) == 1:
        return ()
    return tuple((tokens[f].start, tokens[e - 1].end, k) for f, e, k in find(tokens, MatchSpec(terms, ())))


def _matches(text: str, compiled: _Compiled, spec: MatchSpec) -> list[tuple[int, int, str]]:
    """Every match of ``spec`` in NFC ``text``, in order, as :func:`find` gives them in tokens:
    an identifier is one token, so no word matches inside one ("21" or "tw" in "21-NQ/TW"),
    and an identifier matches by its normalised form (``21 / nq-tw`` is 21-NQ/TW)."""
    out: list[tuple[int, int, str]] = []
    if compiled.pattern is not None:
        groups = compiled.groups
        for m in compiled.pattern.finditer(text):
            item, key, plain = groups[m.lastgroup or "t0"]
            if plain:
                out.append((m.start(), m.end(), key))
            else:
                out += _checked(m.group(0), m.start(), item, spec)
    if out and "/" in text:
        out = _outside_identifiers(text, out)
    if compiled.identifiers:
        for a, b, norm in _identifiers_of(text):
            key = identifier_key(norm)
            if any(key == f and (not e or key == e) for f, e in compiled.identifiers):
                out.append((a, b, key))
        out.sort()
    return out


_SLASH = re.compile("/")
IDENTIFIER_REACH = 80  # characters: no identifier is longer (every one holds a "/")


def _outside_identifiers(text: str, matches: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``matches`` less those inside an identifier. Every identifier holds a "/", so only a
    match with one within reach is looked at, in the text around it: reading the identifiers
    of a whole article for every hit cost more than finding its matches."""
    slashes = [m.start() for m in _SLASH.finditer(text)]
    near = [bisect_left(slashes, a - IDENTIFIER_REACH) for a, _b, _k in matches]
    near = [i < len(slashes) and slashes[i] <= m[1] + IDENTIFIER_REACH for i, m in zip(near, matches)]
    if sum(near) > 3:  # many: read the identifiers of the whole text once
        spans = [(x, y) for x, y, _n in _identifiers_of(text)]
        firsts = [x for x, _y in spans]
        return [m for m in matches if not _within(spans, firsts, m[0])]
    kept = []
    for (a, b, key), check in zip(matches, near):
        if check:
            lo = max(0, a - IDENTIFIER_REACH)
            window = text[lo:b + IDENTIFIER_REACH]
            if any(lo + x <= a < lo + y for x, y, _n in identifier_spans(window)):
                continue
        kept.append((a, b, key))
    return kept


@lru_cache(maxsize=2048)
def _identifiers_of(text: str) -> tuple[tuple[int, int, str], ...]:
    """:func:`identifier_spans` of a whole text (an article's, a page's), kept for the texts
    of the last hits shown: reading them was a sixth of a results page with marks."""
    return tuple(identifier_spans(text))


def _within(spans: list[tuple[int, int]], firsts: list[int], pos: int) -> bool:
    """Whether ``pos`` lies inside one of the sorted, disjoint ``spans``."""
    i = bisect_right(firsts, pos) - 1
    return i >= 0 and pos < spans[i][1]


def text_matches(text: str, spec: MatchSpec) -> list[tuple[int, int, str]] | None:
    """Character spans ``(start, end, key)`` of the matches of ``spec`` in NFC ``text``,
    exactly those :func:`find` gives over :func:`scan`'s tokens, without tokenising the
    text; None when an identifier stands inside a phrase (then tokenise and :func:`find`)."""
    compiled = _compile(spec) if spec else None
    return None if compiled is None else _matches(text, compiled, spec)


def _passages(text: str, compiled: _Compiled, spec: MatchSpec, size: int, *,
              count: int = 1) -> tuple[list[str], str]:
    """Up to ``count`` passages of ``text`` in text order: the window with the most distinct
    matched words, then the best among the matches left outside the windows already taken;
    and the first of those (the snippet), from the same one reading of the text."""
    matches = _matches(text, compiled, spec)
    width = size * 7  # characters: a Vietnamese syllable and its space average under 7
    windows: list[tuple[int, int]] = []
    left = matches
    while len(windows) < count and (left or not windows):
        lo = _best_window(left, width) if left else 0
        hi = min(len(text), lo + width)
        if lo > 0:  # whole words only
            space = text.find(" ", lo)
            lo = space + 1 if 0 <= space < lo + 20 else lo
        if hi < len(text):
            space = text.rfind(" ", lo, hi)
            hi = space if space > lo else hi
        windows.append((lo, hi))
        left = [m for m in left if not any(a - width // 4 <= m[0] < b + width // 4 for a, b in windows)]
    rendered = {}
    for lo, hi in windows:
        marked = [(a, b) for a, b, _k in matches if a >= lo and b <= hi]
        rendered[lo, hi] = _render(text, lo, hi, lo > 0, hi < len(text), _merge_chars(text, marked))
    return [rendered[w] for w in sorted(windows)], rendered[windows[0]]


def _best_window(matches: list[tuple[int, int, str]], width: int) -> int:
    """Start (characters) of the window of ``width`` near a match that holds the most
    distinct matched words (the earliest on ties)."""
    best, best_score = 0, -1
    firsts = [m[0] for m in matches]
    every = len({m[2] for m in matches})  # no window can hold more: stop at the first that does
    for a, _b, _k in matches[:64]:  # windows start near (at most 64) matches
        if best_score == every:
            break
        start = max(0, a - LEAD_TOKENS * 7)
        keys = set()
        for _x, y, k in matches[bisect_left(firsts, start):]:
            if y > start + width:
                break
            keys.add(k)
        if len(keys) > best_score:
            best, best_score = start, len(keys)
    return best


def snippets(text: str, spec: MatchSpec, *, count: int = 3, size: int = SNIPPET_TOKENS) -> list[str]:
    """Up to ``count`` passages of ``text`` as HTML (see :func:`snippet`), in text order, each
    holding matches the others do not; one when an identifier stands inside a phrase."""
    return passages(text, spec, count=count, size=size)[0]


def passages(text: str, spec: MatchSpec, *, count: int = 3,
             size: int = SNIPPET_TOKENS) -> tuple[list[str], str]:
    """:func:`snippets` and :func:`snippet` of ``text`` together, reading the text once (a
    results page wants both for every hit)."""
    text = nfc(text)
    compiled = _compile(spec) if spec else None
    if compiled is None:
        one = snippet(text, spec, size=size)
        return [one], one
    return _passages(text, compiled, spec, size, count=count)


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
