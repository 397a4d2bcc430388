"""Which words of a page a query marks, by the search's own matching rule.

Why here: the search index ranks documents but does not know where on the scan a word sits,
and pages reached by browsing have no search hit at all. The viewer therefore matches the
query itself, with the engine's parser and matcher (``indexer.search.query``, ``indexer.search.highlight``),
so a page marks exactly what a search counts (issue 13): a word typed with diacritics only
where that word is written, one typed without them in any spelling; a quoted phrase as one
sequence, word by word; an identifier in any spelling; ``NOT``/``-`` terms and operators are
not marked. A sequence may run across words and lines, never across pages. A query the
parser refuses marks nothing (the search page says what is wrong with it).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from archive.errors import UsageError
from archive.models import Word
from indexer.search.highlight import MatchSpec, find, snippet
from indexer.search.pagemarks import matched_words
from indexer.search.query import leaves, parse
from indexer.search.tokens import scan


@lru_cache(maxsize=256)
def spec_of(query: str) -> MatchSpec:
    """What ``query`` marks (empty when it is empty or malformed)."""
    try:
        tree = parse(query or "")
    except UsageError:
        return MatchSpec(frozenset(), ())
    return MatchSpec.from_leaves(leaves(tree))


def marked_words(words: Sequence[Word], query: str) -> set[int]:
    """Indices of ``words`` covered by any match of ``query``."""
    return {i for a, b in matched_words(words, spec_of(query)) for i in range(a, b)}


def count_matches(words: Sequence[Word], query: str) -> int:
    """How many matches (words and phrases of the query) are on this page."""
    return len(matched_words(words, spec_of(query)))


def page_snippet(words: Sequence[Word], query: str) -> str:
    """A passage of the page around its best match, HTML escaped, matches in ``<mark>``."""
    return snippet(" ".join(w.text for w in words), spec_of(query))


def text_matches(text: str, query: str) -> bool:
    """Whether every word and phrase of ``query`` occurs in ``text`` under the rule."""
    spec = spec_of(query)
    if not spec:
        return False
    found = {k for _f, _e, k in find(scan(text), spec)}
    wanted = {e or f for f, e in spec.terms} | {" ".join(e or f for f, e in p) for p in spec.phrases}
    return wanted <= found
