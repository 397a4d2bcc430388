"""What a search returns: hits, facets and the page of results, from a generation's arrays.

No search engine is imported here: :func:`page_of`, :func:`facets` and :func:`hits` work on
a :class:`indexer.search.evaluate.Snapshot` (arrays, and ``stored()`` for a hit's display values)
and on the catalog (the text in force, for snippets and word marks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from archive.catalog import Catalog
from archive.editorial import effective_word_rows
from archive.errors import BantinError
from archive.permalinks import article_path, page_path
from indexer.search.evaluate import Snapshot
from indexer.search.highlight import MatchSpec, passages, snippet
from indexer.search.indexdocs import IndexDoc, effective_articles, effective_pages
from indexer.search.pagemarks import (
    Box,
    KeptWords,
    PageTokens,
    PageWords,
    kept_words,
    page_tokens_of,
    text_marks,
    token_marks,
)
from indexer.search.query import Everything, SearchRequest
from indexer.search.recent import Recent

MARKS_MAX_HITS = 100  # word boxes are looked up for pages of at most this many hits
FACET_VALUES = 50  # values kept per facet (years: all)
FACETS = ("series", "year", "section", "kind", "topic", "ref")


class IndexMissing(BantinError):
    """There is no search index yet."""


@dataclass(frozen=True)
class Hit:
    """One result. ``pages`` are 1-based page numbers; ``marks`` the boxes (page fractions
    x0, y0, x1, y1) of the matched words per page; ``snippet`` is HTML (escaped, ``<mark>``)."""

    id: str
    doctype: str  # article | page
    kind: str  # the article's kind (tin, bai, hoi-dap, ...) or "page"
    series: str
    issue_id: str
    number: str
    year: int
    date: str
    title: str
    section: str
    byline: str
    pages: tuple[int, ...]
    score: float
    snippet: str
    url: str
    topics: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    conf: float = 0.0
    marks: dict[int, list[tuple[float, float, float, float]]] = field(default_factory=dict)
    possible: bool = False  # found only through a folded match in a poorly read document
    title_marked: str = ""  # the title as HTML (escaped), the words that matched in <mark>
    snippets: tuple[str, ...] = ()  # up to three passages (HTML), in text order; snippet is the best

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "series": self.series, "date": self.date,
                "title": self.title, "section": self.section, "pages": list(self.pages),
                "score": self.score, "snippet": self.snippet, "url": self.url,
                "doctype": self.doctype, "issue_id": self.issue_id, "number": self.number,
                "year": self.year, "byline": self.byline, "topics": list(self.topics),
                "refs": list(self.refs), "conf": self.conf, "possible": self.possible,
                "title_marked": self.title_marked, "snippets": list(self.snippets),
                "marks": {str(k): [list(b) for b in v] for k, v in sorted(self.marks.items())}}


@dataclass(frozen=True)
class SearchResult:
    """``total`` matching documents (after filters, certain under the matching rule),
    ``possible`` more found only through a folded match in documents read below the
    low-confidence setting (listed after the certain ones, ``Hit.possible``), this page of
    ``hits``, ``facets`` of the certain hits (name → {value: count}, years ascending, others
    most frequent first), and what produced the numbers: the request's ``query_key`` and
    the ``index_version``. Paging runs over ``total + possible`` hits."""

    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]]
    query_key: str
    index_version: str
    took_ms: float = 0.0
    possible: int = 0
    suggestion: str = ""  # a close spelling the index holds, when this query finds little
    notes: tuple[str, ...] = ()  # how the query was read (Vietnamese), e.g. no such document

    @property
    def listed(self) -> int:
        """Hits one can page through: the certain, then the possible ones."""
        return self.total + self.possible

    def to_json(self) -> dict[str, Any]:
        """The public shape of ``bantin search --json`` and ``/api/search`` (issue 5):
        fields may be added, never renamed. ``fuzzy`` says the totals count near spellings."""
        return {"total": self.total, "possible": self.possible, "fuzzy": self.request.fuzzy,
                "suggestion": self.suggestion, "notes": list(self.notes),
                "query_key": self.query_key,
                "index_version": self.index_version,
                "hits": [h.to_json() for h in self.hits], "facets": self.facets,
                "canonical": self.request.canonical(), "page": self.request.page,
                "per_page": self.request.per_page}


@dataclass(frozen=True)
class Occurrences:
    """What a term trend plots for one request, per (series, year) of the documents it
    finds: ``documents`` (what the same search counts) and ``occurrences`` of its terms and
    phrases in them (folded spelling, as matched; title, text and byline; a phrase counts
    once per place). ``total``, ``query_key`` and ``index_version`` as in SearchResult."""

    request: SearchRequest
    documents: dict[tuple[str, int], int]
    occurrences: dict[tuple[str, int], int]
    total: int
    query_key: str
    index_version: str
    possible: int = 0
    possible_documents: dict[tuple[str, int], int] = field(default_factory=dict)


# --- one published generation -------------------------------------------------------------

def page_of(gen: Snapshot, request: SearchRequest, docs: np.ndarray, scores: np.ndarray,
            more: np.ndarray | None = None,
            more_scores: np.ndarray | None = None) -> list[tuple[int, float, bool]]:
    """The (docnum, score, possible) of the requested page of hits, in order: the certain
    ``docs`` first, then the possible ``more``, each in the request's order."""
    start = (request.page - 1) * request.per_page
    first = _page_of(gen, request, docs, scores, start, start + request.per_page)
    out = [(d, s, False) for d, s in first]
    if more is not None and more_scores is not None and len(more):
        rest = _page_of(gen, request, more, more_scores, max(0, start - len(docs)),
                        start + request.per_page - len(docs))
        out += [(d, s, True) for d, s in rest]
    return out[:request.per_page]


def _page_of(gen: Snapshot, request: SearchRequest, docs: np.ndarray, scores: np.ndarray,
             start: int, stop: int) -> list[tuple[int, float]]:
    want = min(len(docs), stop)
    if start >= want:
        return []
    rank = gen.rank[docs]
    if isinstance(request.tree, Everything) and request.sort == "relevance":
        key = -rank  # nothing to rank by: newest first
    elif request.sort == "date":
        key = rank
    elif request.sort == "-date":
        key = -rank
    else:  # relevance, then date, issue and position: no tie depends on the segment layout
        key = -np.round(scores * 1e6).astype(np.int64) * (gen.size + 1) + rank
    if want < len(key):
        top = np.argpartition(key, want - 1)[:want]
        top = top[np.argsort(key[top], kind="stable")]
    else:
        top = np.argsort(key, kind="stable")
    return [(int(docs[i]), float(scores[i])) for i in top[start:want]]


def facets(gen: Snapshot, docs: np.ndarray) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for name in ("series", "year", "section", "kind"):
        attr = gen.attrs[name]
        counts = np.bincount(attr.codes[docs], minlength=len(attr.values))
        out[name] = _ordered(name, {attr.values[i]: int(c) for i, c in enumerate(counts)
                                    if c and attr.values[i] not in ("", "0")})
    if len(docs):
        selected = np.zeros(gen.size, dtype=bool)
        selected[docs] = True
    for name in ("topic", "ref"):
        pair_docs, pair_codes, values = gen.multi[name]
        if not len(docs) or not len(pair_docs):
            out[name] = {}
            continue
        counts = np.bincount(pair_codes[selected[pair_docs]], minlength=len(values))
        out[name] = _ordered(name, {values[i]: int(c) for i, c in enumerate(counts) if c})
    return {name: out[name] for name in FACETS}


def _ordered(name: str, counts: dict[str, int]) -> dict[str, int]:
    if name == "year":
        return dict(sorted(counts.items()))
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return dict(items[:FACET_VALUES])


def hits(gen: Snapshot, chosen: list[tuple[int, float, bool]], spec: MatchSpec,
          catalog: Catalog | None, *, marks: bool) -> list[Hit]:
    stored = [(gen.stored(d), score, maybe) for d, score, maybe in chosen]
    texts: dict[str, IndexDoc] = {}
    if catalog is not None and stored:
        article_ids = [s["id"] for s, _, _m in stored if s["doc"]["t"] == "article"]
        page_ids = [s["id"] for s, _, _m in stored if s["doc"]["t"] == "page"]
        texts.update((d.id, d) for d in effective_articles(catalog, article_ids, outlines=marks))
        texts.update((d.id, d) for d in effective_pages(catalog, page_ids, orphans=False))
    stamps: dict[str, tuple[int, int]] = {}
    if marks and catalog is not None and stored:  # every hit's pages in one query
        stamps = _page_stamps(catalog, sorted({f"{f['doc']['issue']}/{seq}" for f, _s, _m in stored
                                               for seq in range(int(f["doc"]["first"]),
                                                                int(f["doc"]["last"]) + 1)}))
    hits = []
    for fields, score, maybe in stored:
        d = fields["doc"]
        doc_id = fields["id"]
        is_page = d["t"] == "page"
        pages = tuple(range(int(d["first"]), int(d["last"]) + 1))
        source = texts.get(doc_id)
        shown = spec.loose() if maybe else spec  # a possible hit: its marks may be lost
        title = d["title"] or (f"Số {d['number']}/{d['year']}, trang {d['seq']}" if is_page else "")
        with_marks = bool(marks and catalog and source)
        drawn = _drawn(catalog, doc_id, d["issue"], pages, source, title, shown, with_marks, stamps)
        text, shown_passages, boxes, title_marked = drawn
        hits.append(Hit(
            id=doc_id, doctype=d["t"], kind="page" if is_page else d["kind"], series=d["series"],
            issue_id=d["issue"], number=d["number"], year=int(d["year"]),
            date=d["date"][:7] or str(d["year"]), title=title, section=d["section"],
            byline=d["byline"], pages=pages, score=round(score, 4), snippet=text,
            url=page_path(d["issue"], d["seq"]) if is_page else article_path(doc_id),
            topics=tuple(d["topics"]), refs=tuple(d["refs"]), conf=float(d["conf"]), marks=boxes,
            possible=maybe, snippets=shown_passages, title_marked=title_marked))
    return hits


Drawn = tuple[str, tuple[str, ...], dict[int, list[Box]], str]


def _drawn(catalog: Catalog | None, doc_id: str, issue_id: str, pages: tuple[int, ...],
           source: IndexDoc | None, title: str, spec: MatchSpec, with_marks: bool,
           stamps: dict[str, tuple[int, int]]) -> Drawn:
    """A hit's snippet, passages, word marks and marked title: what it costs to show a hit.
    Kept by everything they are made from (the text in force itself, the title, the query's
    words, the pages' text stamps and the article's outline), so a search asked again after
    an unrelated commit or a reindex (which drop the kept results) draws its hits once."""
    page_stamps = tuple(stamps.get(f"{issue_id}/{seq}", (0, 0)) for seq in pages) if with_marks else ()
    outline = tuple((seq, tuple(tuple(b) for b in boxes)) for seq, boxes in sorted(source.boxes.items())) \
        if with_marks and source is not None and source.boxes else ()
    key = (str(catalog.path) if catalog is not None else "", doc_id, source.text if source else None,
           title, spec, with_marks, page_stamps, outline)
    kept = _drawn_kept.peek(key)
    if kept is not None:
        return kept
    shown_passages: tuple[str, ...] = ()
    if source is None:
        text = ""
    elif spec:
        found, text = passages(source.text, spec)
        shown_passages = tuple(found)
    else:
        text = snippet(source.text, spec)
    boxes = _marks(catalog, issue_id, pages, spec, source, stamps) \
        if (with_marks and catalog is not None and source is not None) else {}
    drawn = (text, shown_passages, boxes, snippet(title, spec, size=len(title) + 1) if title else "")
    _drawn_kept.put(key, drawn, 2_000 + len(source.text if source else "") + sum(map(len, shown_passages)))
    return drawn


# A page's words per page version: loading them (JSON) cost most of an API search (which
# returns marks) when done per hit and request; a page changes only when it is re-extracted
# or corrected, so they are kept per (catalog, page id, version, machine row), in the light
# form marks need (:class:`PageWords`: ~40 KB a page), for every page of a large sample.
PAGE_WORDS_KEPT = 2048
# A page's words inside an article's outline as one text (what marks are found in:
# :func:`text_marks`), and a page's tokens (only for an identifier inside a phrase), per page
# version and outline: at most PAGE_TOKENS_KEPT of each.
PAGE_TOKENS_KEPT = 4096
_page_words: Recent[PageWords] = Recent(PAGE_WORDS_KEPT)
# Drawn hits (:func:`_drawn`), weighed by the characters of the text they were cut from (the
# key holds it): 8 million, about 16-24 MB a process.
DRAWN_KEPT_CHARS = 8_000_000
_drawn_kept: Recent[Drawn] = Recent(DRAWN_KEPT_CHARS)
_page_kept: Recent[KeptWords] = Recent(PAGE_TOKENS_KEPT)
_page_tokens: Recent[PageTokens] = Recent(PAGE_TOKENS_KEPT)


def _page_stamps(catalog: Catalog, page_ids: list[str]) -> dict[str, tuple[int, int]]:
    """(highest correction version, machine text row) per page: changes when the text does."""
    if not page_ids:
        return {}
    marks = ",".join("?" * len(page_ids))
    rows = catalog.query(
        "SELECT p.id, (SELECT MAX(v.version) FROM page_version v WHERE v.page_id = p.id) AS v,"
        " (SELECT t.rowid FROM page_text t WHERE t.page_id = p.id) AS r"
        f" FROM page p WHERE p.id IN ({marks})",
        page_ids)
    return {r["id"]: (int(r["v"] or 0), int(r["r"] or 0)) for r in rows}


def _words(catalog: Catalog, page_id: str, stamp: tuple[int, int]) -> PageWords:
    """A page's words in force, kept for the last pages read."""
    return _page_words.get((str(catalog.path), page_id, stamp),
                           lambda: PageWords.from_rows(effective_word_rows(catalog, page_id) or []))


def _kept(catalog: Catalog, page_id: str, stamp: tuple[int, int],
          outline: tuple[Box, ...] | None) -> KeptWords:
    return _page_kept.get((str(catalog.path), page_id, stamp, outline),
                          lambda: kept_words(_words(catalog, page_id, stamp), outline))


def _tokens(catalog: Catalog, page_id: str, seq: int, stamp: tuple[int, int],
            outline: tuple[Box, ...] | None) -> PageTokens:
    return _page_tokens.get((str(catalog.path), page_id, stamp, outline),
                            lambda: page_tokens_of(seq, _words(catalog, page_id, stamp), outline))


def _marks(catalog: Catalog, issue_id: str, pages: tuple[int, ...], spec: MatchSpec,
           source: IndexDoc, stamps: dict[str, tuple[int, int]],
           ) -> dict[int, list[tuple[float, float, float, float]]]:
    """The word boxes of ``spec``'s matches on ``source``'s pages (``stamps``: the pages'
    :func:`_page_stamps`, read once for all hits)."""
    if not spec:
        return {}
    ids = [f"{issue_id}/{seq}" for seq in pages]
    outlines = source.boxes or {}
    keys = [tuple((float(b[0]), float(b[1]), float(b[2]), float(b[3])) for b in outlines[seq])
            if outlines.get(seq) else None for seq in pages]
    found = text_marks([(seq, _kept(catalog, pid, stamps.get(pid, (0, 0)), key))
                        for pid, seq, key in zip(ids, pages, keys)], spec)
    if found is not None:
        return found
    # an identifier inside a phrase: the pages' tokens (kept)
    return token_marks([_tokens(catalog, pid, seq, stamps.get(pid, (0, 0)), key)
                        for pid, seq, key in zip(ids, pages, keys)], spec)
