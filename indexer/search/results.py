"""What a search returns: hits, facets and the page of results, from a generation's arrays.

No search engine is imported here: :func:`page_of`, :func:`facets` and :func:`hits` work on
a :class:`indexer.search.evaluate.Snapshot` (arrays, and ``stored()`` for a hit's display values)
and on the catalog (the text in force, for snippets and word marks).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from archive.catalog import Catalog
from archive.editorial import effective_page
from archive.errors import BantinError
from archive.models import Word
from archive.permalinks import article_path, page_path
from indexer.search.evaluate import Snapshot
from indexer.search.highlight import MatchSpec, PageTokens, page_tokens, snippet, token_marks
from indexer.search.indexdocs import IndexDoc, effective_articles, effective_pages
from indexer.search.query import Everything, SearchRequest

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

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "series": self.series, "date": self.date,
                "title": self.title, "section": self.section, "pages": list(self.pages),
                "score": self.score, "snippet": self.snippet, "url": self.url,
                "doctype": self.doctype, "issue_id": self.issue_id, "number": self.number,
                "year": self.year, "byline": self.byline, "topics": list(self.topics),
                "refs": list(self.refs), "conf": self.conf,
                "marks": {str(k): [list(b) for b in v] for k, v in sorted(self.marks.items())}}


@dataclass(frozen=True)
class SearchResult:
    """``total`` matching documents (after filters), this page of ``hits``, ``facets``
    (name → {value: count}, years ascending, others most frequent first), and what produced
    the numbers: the request's ``query_key`` and the ``index_version``."""

    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]]
    query_key: str
    index_version: str
    took_ms: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The public shape of ``bantin search --json`` and ``/api/search`` (issue 5):
        fields may be added, never renamed."""
        return {"total": self.total, "query_key": self.query_key,
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


# --- one published generation -------------------------------------------------------------

def page_of(gen: Snapshot, request: SearchRequest, docs: np.ndarray,
          scores: np.ndarray) -> list[tuple[int, float]]:
    """The (docnum, score) of the requested page of hits, in order."""
    start = (request.page - 1) * request.per_page
    want = min(len(docs), start + request.per_page)
    if start >= len(docs):
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


def hits(gen: Snapshot, chosen: list[tuple[int, float]], spec: MatchSpec,
          catalog: Catalog | None, *, marks: bool) -> list[Hit]:
    stored = [(gen.stored(d), score) for d, score in chosen]
    texts: dict[str, IndexDoc] = {}
    if catalog is not None and stored:
        article_ids = [s["id"] for s, _ in stored if s["doc"]["t"] == "article"]
        page_ids = [s["id"] for s, _ in stored if s["doc"]["t"] == "page"]
        texts.update((d.id, d) for d in effective_articles(catalog, article_ids, outlines=marks))
        texts.update((d.id, d) for d in effective_pages(catalog, page_ids))
    hits = []
    for fields, score in stored:
        d = fields["doc"]
        doc_id = fields["id"]
        is_page = d["t"] == "page"
        pages = tuple(range(int(d["first"]), int(d["last"]) + 1))
        source = texts.get(doc_id)
        text = snippet(source.text, spec) if source is not None else ""
        boxes = _marks(catalog, d["issue"], pages, spec, source) if (marks and catalog and source) else {}
        title = d["title"] or (f"Số {d['number']}/{d['year']}, trang {d['seq']}" if is_page else "")
        hits.append(Hit(
            id=doc_id, doctype=d["t"], kind="page" if is_page else d["kind"], series=d["series"],
            issue_id=d["issue"], number=d["number"], year=int(d["year"]),
            date=d["date"][:7] or str(d["year"]), title=title, section=d["section"],
            byline=d["byline"], pages=pages, score=round(score, 4), snippet=text,
            url=page_path(d["issue"], d["seq"]) if is_page else article_path(doc_id),
            topics=tuple(d["topics"]), refs=tuple(d["refs"]), conf=float(d["conf"]), marks=boxes))
    return hits


# Page tokens for word marks, per page version: loading a page's words (JSON) and tokenizing
# them cost ~4 ms a page, most of an API search (which returns marks) when done per hit and
# request; a page changes only when it is re-extracted or corrected, so they are kept per
# (catalog, page id, version, machine row), at most PAGE_TOKENS_KEPT pages per process.
PAGE_TOKENS_KEPT = 4096
PAGE_WORDS_KEPT = 64
_page_tokens: OrderedDict[tuple[object, ...], PageTokens] = OrderedDict()
_page_words: OrderedDict[tuple[object, ...], tuple[Word, ...]] = OrderedDict()
_page_tokens_lock = threading.Lock()


def _page_stamps(catalog: Catalog, page_ids: list[str]) -> dict[str, tuple[int, int]]:
    """(highest correction version, machine text row) per page: changes when the text does."""
    if not page_ids:
        return {}
    marks = ",".join("?" * len(page_ids))
    rows = catalog.query(
        "SELECT p.id, (SELECT MAX(v.version) FROM page_version v WHERE v.page_id = p.id) AS v,"
        f" (SELECT t.rowid FROM page_text t WHERE t.page_id = p.id) AS r FROM page p WHERE p.id IN ({marks})",
        page_ids)
    return {r["id"]: (int(r["v"] or 0), int(r["r"] or 0)) for r in rows}


def _words(catalog: Catalog, page_id: str, stamp: tuple[int, int]) -> tuple[Word, ...]:
    """A page's words in force, kept for the last few pages (a page holds several articles,
    each with its own outline, and parsing its words is most of tokenizing it)."""
    key = (str(catalog.path), page_id, stamp)
    with _page_tokens_lock:
        found = _page_words.get(key)
        if found is not None:
            _page_words.move_to_end(key)
            return found
    version = effective_page(catalog, page_id)
    words = tuple(version.words) if version is not None else ()
    with _page_tokens_lock:
        _page_words[key] = words
        while len(_page_words) > PAGE_WORDS_KEPT:
            _page_words.popitem(last=False)
    return words


def _tokens(catalog: Catalog, page_id: str, seq: int, stamp: tuple[int, int],
            outline: list[tuple[float, float, float, float]] | None) -> PageTokens:
    key = (str(catalog.path), page_id, stamp, tuple(map(tuple, outline or ())))
    with _page_tokens_lock:
        found = _page_tokens.get(key)
        if found is not None:
            _page_tokens.move_to_end(key)
            return found
    made = page_tokens(seq, _words(catalog, page_id, stamp), outline)
    with _page_tokens_lock:
        _page_tokens[key] = made
        while len(_page_tokens) > PAGE_TOKENS_KEPT:
            _page_tokens.popitem(last=False)
    return made


def _marks(catalog: Catalog, issue_id: str, pages: tuple[int, ...], spec: MatchSpec,
           source: IndexDoc) -> dict[int, list[tuple[float, float, float, float]]]:
    if not spec:
        return {}
    ids = [f"{issue_id}/{seq}" for seq in pages]
    stamps = _page_stamps(catalog, ids)
    outlines = source.boxes or {}
    return token_marks([_tokens(catalog, pid, seq, stamps.get(pid, (0, 0)), outlines.get(seq))
                        for pid, seq in zip(ids, pages)], spec)
