"""The word boxes to mark on the page scans: which words of a page match a query.

Why apart from :mod:`indexer.search.highlight` (snippets): marks work on the page's words
(:class:`archive.models.Word`, with boxes) in reading order, pages in order, so a phrase that
runs across a line or onto the next page is marked on both; snippets work on the text. Both
use the one matcher, :func:`indexer.search.highlight.find` / ``fits``, so a mark agrees with
the index exactly. A page's tokens do not depend on the query and cost far more than the
matching, so :class:`PageTokens` are made once per page version and kept by the search
(:mod:`indexer.search.results`).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

from archive.models import Word
from archive.vntext import nfc
from indexer.search.highlight import MatchSpec, find, fits, text_matches
from indexer.search.tokens import Token, scan

Box = tuple[float, float, float, float]


def _word_tokens(words: Sequence[Word]) -> tuple[list[Token], list[tuple[int, int]]]:
    """The tokens of one page's words read as one text (so an identifier written over several
    words, "21 - NQ/TW", is one token as in the index), each with the word indices it covers
    (first, last + 1)."""
    return _text_tokens([nfc(word.text) for word in words])


def _text_tokens(texts: Sequence[str]) -> tuple[list[Token], list[tuple[int, int]]]:
    """:func:`_word_tokens` of the words' NFC texts."""
    starts: list[int] = []
    pos = 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + 1
    tokens = scan(" ".join(texts))
    spans = [(bisect_right(starts, t.start) - 1, bisect_right(starts, t.end - 1)) for t in tokens]
    return tokens, spans


def matched_words(words: Sequence[Word], spec: MatchSpec) -> list[tuple[int, int]]:
    """Each match of ``spec`` on one page's words (reading order), as the word indices it
    covers (first, last + 1): what the viewer marks and "search within this issue" counts."""
    if not spec or not words:
        return []
    tokens, spans = _word_tokens(words)
    return [(spans[f][0], spans[e - 1][1]) for f, e, _k in find(tokens, spec)]


def _inside_all(words: Sequence[Word], boxes: Sequence[Sequence[float]]) -> list[bool]:
    """Whether each word's centre lies in one of ``boxes`` (give or take 0.005 of the page),
    for every word at once (pages hold ~1,000 words, outlines ~50 boxes)."""
    w = np.asarray([word.box for word in words], dtype=np.float64).reshape(-1, 4)
    return [bool(x) for x in _inside(w, boxes)]


def _inside(w: np.ndarray, boxes: Sequence[Sequence[float]]) -> np.ndarray:
    """:func:`_inside_all` over an (n, 4) array of word boxes: a boolean array."""
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    cx = ((w[:, 0] + w[:, 2]) / 2)[:, None]
    cy = ((w[:, 1] + w[:, 3]) / 2)[:, None]
    inside = ((b[:, 0] - 0.005 <= cx) & (cx <= b[:, 2] + 0.005)
              & (b[:, 1] - 0.005 <= cy) & (cy <= b[:, 3] + 0.005))
    return np.asarray(inside.any(axis=1), dtype=bool)


@dataclass(frozen=True)
class PageTokens:
    """One page's words tokenized as the index tokenizes them, ready for any query.

    Why kept apart from the query: tokenizing a page's ~1,000 words costs far more than
    matching a query against them, and a page changes only when re-read or corrected, so the
    search keeps these per page version (:mod:`indexer.search.results`) and a query only looks
    up its own words in ``positions`` (folded form → token indices). ``boxes``: per token,
    the rounded boxes (page fractions) of the words it covers, as marks are shown.
    """

    seq: int
    tokens: tuple[Token, ...]
    boxes: tuple[tuple[Box, ...], ...]
    positions: dict[str, tuple[int, ...]]


def page_tokens(seq: int, words: Sequence[Word], outline: Sequence[Box] | None = None) -> PageTokens:
    """Tokens of page ``seq`` (only the words inside ``outline``, an article's boxes, if given)."""
    boxes = np.asarray([(round(w.box[0], 5), round(w.box[1], 5), round(w.box[2], 5), round(w.box[3], 5))
                        for w in words], dtype=np.float64).reshape(-1, 4)
    return page_tokens_of(seq, PageWords(tuple(nfc(w.text) for w in words), boxes), outline)


@dataclass(frozen=True)
class PageWords:
    """A page's words as marks need them: NFC texts, and boxes (page fractions, rounded to
    5 places as the catalog stores them) as one (n, 4) array. Far lighter to load and keep
    than :class:`archive.models.Word` objects (a page: ~500 words)."""

    texts: tuple[str, ...]
    boxes: np.ndarray

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[object]]) -> PageWords:
        """From the catalog's word rows (``Word.to_row``: text, x0, y0, x1, y1, ...)."""
        texts = [str(r[0]) for r in rows]
        joined = "\x00".join(texts)
        if nfc(joined) != joined:  # the catalog holds NFC: one check for the page, not per word
            texts = [nfc(t) for t in texts]
        return cls(tuple(texts), np.asarray([r[1:5] for r in rows], dtype=np.float64).reshape(-1, 4))


def page_tokens_of(seq: int, words: PageWords, outline: Sequence[Box] | None = None) -> PageTokens:
    """:func:`page_tokens` of :class:`PageWords`."""
    texts, boxes = words.texts, words.boxes
    if outline and texts:
        keep = np.flatnonzero(_inside(boxes, outline))
        texts, boxes = tuple(texts[i] for i in keep), boxes[keep]
    tokens, spans = _text_tokens(texts)
    rounded: list[Box] = [(b[0], b[1], b[2], b[3]) for b in boxes.tolist()]
    positions: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens):
        positions.setdefault(tok.folded, []).append(i)
    return PageTokens(seq, tuple(tokens), tuple(tuple(rounded[f:e]) for f, e in spans),
                      {k: tuple(v) for k, v in positions.items()})


@dataclass(frozen=True)
class KeptWords:
    """One page's words inside an article's outline read as one text (``text``; word ``i``
    starts at ``starts[i]``), with their boxes (an (n, 4) array): what :func:`text_marks`
    matches a query in. Kept by the search per page version and outline, like
    :class:`PageTokens`, but made without tokenising (a join), and compact (~25 KB a page:
    the boxes of the words a query marks become tuples only when marked)."""

    text: str
    starts: array[int]
    boxes: np.ndarray


def kept_words(words: PageWords, outline: Sequence[Sequence[float]] | None = None) -> KeptWords:
    """The words of a page (only those inside ``outline``, an article's boxes, if given)."""
    texts, boxes = words.texts, words.boxes
    if outline and texts:
        keep = np.flatnonzero(_inside(boxes, outline))
        texts, boxes = tuple(texts[i] for i in keep), boxes[keep]
    starts = array("l", accumulate((len(t) + 1 for t in texts[:-1]), initial=0)) if texts else array("l")
    return KeptWords(" ".join(texts), starts, boxes)


def text_marks(pages: Sequence[tuple[int, KeptWords]], spec: MatchSpec) -> dict[int, list[Box]] | None:
    """:func:`token_marks` found in the pages' text instead of their tokens
    (:func:`text_matches`): the pages' kept words read as one text (a phrase may run onto
    the next page), each match mapped back to the words it covers. Tokenising each page
    cost most of a cold API search; None when the spec needs the tokens."""
    if not spec:
        return {}
    offsets: list[int] = []
    pos = 0
    for _seq, kept in pages:
        offsets.append(pos)
        pos += len(kept.text) + 1
    found = text_matches(" ".join(kept.text for _seq, kept in pages), spec)
    if found is None:
        return None
    marks: dict[int, list[Box]] = {}
    seen: set[tuple[int, Box]] = set()
    for a, b, _key in found:
        first, last = bisect_right(offsets, a) - 1, bisect_right(offsets, b - 1) - 1
        for k in range(first, last + 1):
            seq, kept = pages[k]
            lo = max(a - offsets[k], 0)
            hi = min(b - offsets[k], len(kept.text))
            first_word = max(bisect_right(kept.starts, lo) - 1, 0)
            for box in kept.boxes[first_word:bisect_right(kept.starts, hi - 1)].tolist():
                mark = (box[0], box[1], box[2], box[3])
                if (seq, mark) not in seen:
                    seen.add((seq, mark))
                    marks.setdefault(seq, []).append(mark)
    return marks


def token_marks(pages: Sequence[PageTokens], spec: MatchSpec) -> dict[int, list[Box]]:
    """Boxes (page fractions) of the words that match ``spec``, per page seq, over pages in
    page order (a phrase may run from one page onto the next): the spans :func:`find` gives
    over the pages' tokens, found from the positions of the query's first words."""
    if not spec:
        return {}
    stream: list[Token] = []
    owner: list[tuple[int, tuple[Box, ...]]] = []
    offsets: list[int] = []
    for page in pages:
        offsets.append(len(stream))
        stream.extend(page.tokens)
        owner.extend((page.seq, b) for b in page.boxes)
    spans: list[tuple[int, int]] = []
    for word in spec.terms:
        for page, base in zip(pages, offsets):
            spans += [(base + i, base + i + 1) for i in page.positions.get(word[0], ())
                      if fits(page.tokens[i], word)]
    for phrase in spec.phrases:
        n = len(phrase)
        for page, base in zip(pages, offsets):
            for i in page.positions.get(phrase[0][0], ()):
                j = base + i
                if j + n <= len(stream) and all(fits(stream[j + k], phrase[k]) for k in range(n)):
                    spans.append((j, j + n))
    spans.sort()
    marks: dict[int, list[Box]] = {}
    seen: set[tuple[int, Box]] = set()
    for first, end in spans:
        for i in range(first, end):
            seq, covered = owner[i]
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
    return token_marks([page_tokens(seq, words, (outlines or {}).get(seq)) for seq, words in pages], spec)
