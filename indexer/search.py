"""Searching the index: a :class:`SearchRequest` in, a :class:`SearchResult` out.

One of the three modules that import ``whoosh`` (with ``schema.py`` and ``build.py``).
The web app, the CLI and the coverage pages call :func:`search` (or a :class:`SearchIndex`);
nothing of Whoosh leaks out, so the engine can be swapped behind this interface.

How a query runs: Whoosh stores the postings; :class:`_Generation` reads a published
generation's columns and lengths into arrays once, and whole posting lists on demand (one
unpickle per block, not a Python step per document); :mod:`indexer.evaluate` evaluates the
query tree on them. Facets are counted with ``bincount``; the page of hits is picked with a
partial sort whose ties are broken by date, issue and position in the issue, so the same
request on the same ``index_version`` gives the same total, order and facets every time.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from archive.catalog import Catalog
from archive.config import Config
from archive.errors import BantinError
from archive.permalinks import article_path, page_path
from indexer.analysis import bigrams
from indexer.evaluate import (
    FUZZY_MIN_CHARS,
    Attribute,
    Evaluator,
    Match,
    Postings,
    Snapshot,
    int_or_zero,
    union,
)
from indexer.generations import CURRENT, IndexStore, Manifest
from indexer.highlight import MatchSpec, snippet, word_marks
from indexer.indexdocs import IndexDoc, effective_articles, effective_pages
from indexer.postings import PositionLists
from indexer.query import (  # noqa: F401  (QueryError re-exported for callers)
    Everything,
    Phrase,
    QueryError,
    SearchRequest,
    Term,
    leaves,
)
from indexer.schema import ATTRIBUTES, column_codes, field_lengths, term_postings

log = logging.getLogger(__name__)

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

class _Generation(Snapshot):
    """Everything loaded once per index generation and shared by all threads: columns,
    lengths, live documents, the date order, cached filter masks. Whoosh readers are not
    thread-safe, so each thread reads postings through its own searcher."""

    def __init__(self, path: Path) -> None:
        from whoosh import index as whoosh_index

        self.path = path
        manifest = Manifest(path, readonly=True)
        meta = manifest.meta()
        manifest.close()
        self.version = meta.get("index_version", "")
        self.ix = whoosh_index.open_dir(str(path))
        self._local = threading.local()
        super().__init__()
        searcher = self.ix.searcher()
        try:
            self._load(searcher)
        finally:
            searcher.close()

    def _load(self, searcher: Any) -> None:
        leaves_ = self._leaves(searcher)
        n = self.size = searcher.doc_count_all()
        live = np.ones(n, dtype=bool)
        for reader, base in leaves_:
            deleted = list(reader.deleted_docs_set) if reader.has_deletions() else []
            if deleted:
                live[np.asarray(deleted, dtype=np.int64) + base] = False
        self.live = live
        self.live_count = int(live.sum())
        self.attrs: dict[str, Attribute] = {}
        for name in ATTRIBUTES:
            parts = [column_codes(reader, f"c_{name}") for reader, _base in leaves_]
            values = sorted({v.decode("utf-8") for _codes, uniq in parts for v in uniq})
            index = {v: i for i, v in enumerate(values)}
            codes = np.zeros(n, dtype=np.int32)
            for (_reader, base), (local, uniq) in zip(leaves_, parts):
                remap = np.asarray([index[u.decode("utf-8")] for u in uniq], dtype=np.int32)
                codes[base:base + len(local)] = remap[local]
            self.attrs[name] = Attribute(codes, values)
        self.numbers = {name: np.asarray([int_or_zero(v) for v in self.attrs[name].values],
                                         dtype=np.int64)[self.attrs[name].codes]
                        for name in ("year", "month", "conf")}
        self.lengths = {}
        for fname in ("f", "tf"):
            arr = np.zeros(n, dtype=np.float32)
            for reader, base in leaves_:
                part = field_lengths(reader, fname)
                arr[base:base + len(part)] = part
            self.lengths[fname] = arr
        self.avg = {k: float(v[live].mean()) if self.live_count else 1.0 for k, v in self.lengths.items()}
        self.multi: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = {}
        for fname in ("topic", "ref"):
            terms = sorted({t.decode("utf-8") for reader, _b in leaves_
                            for t in reader.lexicon(fname)} if leaves_ else set())
            docs, codes = [], []
            for code, term in enumerate(terms):
                p = self._postings_in(leaves_, fname, term)
                docs.append(p.ids)
                codes.append(np.full(len(p.ids), code, dtype=np.int32))
            self.multi[fname] = (np.concatenate(docs) if docs else np.zeros(0, np.int64),
                                 np.concatenate(codes) if codes else np.zeros(0, np.int32), terms)
        a = self.attrs
        order = np.lexsort((a["scope"].codes, a["seq"].codes, a["issue"].codes, a["date"].codes))
        self.rank = np.empty(n, dtype=np.int64)
        self.rank[order] = np.arange(n, dtype=np.int64)

    @staticmethod
    def _leaves(searcher: Any) -> list[tuple[Any, int]]:
        reader = searcher.reader()
        return [(r, int(base)) for r, base in reader.leaf_readers()]

    def leaves(self) -> list[tuple[Any, int]]:
        """This thread's segment readers with their first docnum."""
        local = self._local
        if getattr(local, "searcher", None) is None:
            local.searcher = self.ix.searcher()
            local.leaves = self._leaves(local.searcher)
        return local.leaves  # type: ignore[no-any-return]

    def stored(self, docnum: int) -> dict[str, Any]:
        self.leaves()
        return self._local.searcher.stored_fields(int(docnum))  # type: ignore[no-any-return]

    def _postings_in(self, leaves_: list[tuple[Any, int]], fname: str, term: str,
                     values: bool = False) -> Postings:
        ids_parts, tf_parts, vals = [], [], []
        for reader, base in leaves_:
            ids, tf, vs = term_postings(reader, fname, term, values=values)
            if len(ids):
                ids_parts.append(ids + base)
                tf_parts.append(tf)
                if vs is not None:
                    vals.append(vs)
        if not ids_parts:
            return Postings(np.zeros(0, np.int64), np.zeros(0, np.float32),
                            PositionLists.of([]) if values else None)
        ids = np.concatenate(ids_parts)
        tf = np.concatenate(tf_parts)
        positions = PositionLists.join(vals) if values else None
        keep = self.live[ids]
        if not keep.all():
            idx = np.flatnonzero(keep)
            ids, tf = ids[idx], tf[idx]
            positions = positions.subset(idx) if positions is not None else None
        return Postings(ids, tf, positions)

    def postings(self, fname: str, term: str, values: bool = False) -> Postings:
        return self._postings_in(self.leaves(), fname, term, values)

    def terms_near(self, term: str) -> list[str]:
        """Folded terms one edit from ``term`` (OCR slips), in the whole index."""
        found: set[str] = set()
        for reader, _base in self.leaves():
            found.update(reader.terms_within("f", term, 1, prefix=1))
        found.discard(term)
        return sorted(t for t in found if "/" not in t and "-" not in t)

    def close(self) -> None:
        self.ix.close()


# --- the public entry points --------------------------------------------------------------

class SearchIndex:
    """A reader of the search index under ``search_dir`` that follows new generations.

    Open one per process and share it between threads (the web app keeps one); it checks
    ``CURRENT`` before every search and switches to a newly published generation.
    """

    def __init__(self, search_dir: str | os.PathLike[str]) -> None:
        self.store = IndexStore(search_dir)
        self._gen: _Generation | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    def generation(self) -> _Generation:
        current = self.store.root / CURRENT
        try:
            st = current.stat()
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if self._gen is not None and stamp == self._stamp:
                return self._gen
            path = self.store.current()
            if path is None:
                raise IndexMissing(f"there is no search index in {self.store.root}; run "
                                   "`bantin index` (or `bantin build`) to make it")
            if self._gen is None or self._gen.path != path:
                self._gen = _Generation(path)
            self._stamp = stamp
            return self._gen

    @property
    def index_version(self) -> str:
        return self.generation().version

    def search(self, request: SearchRequest, catalog: Catalog | None = None, *,
               marks: bool = True) -> SearchResult:
        """Run ``request``. Snippets and word marks come from ``catalog`` (the text in force);
        without one they are left empty. ``marks=False`` skips the word marks (the web
        search page does not draw them, and they cost most of a page of hits)."""
        started = time.perf_counter()
        gen = self.generation()
        evaluator = Evaluator(gen)
        match = evaluator.run(request.tree)
        mask = gen.filter_mask(request)
        keep = mask[match.ids]
        docs, scores = match.ids[keep], match.scores[keep]
        total = int(len(docs))
        facets = _facets(gen, docs)
        chosen = _page(gen, request, docs, scores)
        spec = MatchSpec.from_leaves(leaves(request.tree), evaluator.near_terms)
        hits = _hits(gen, chosen, spec, catalog, marks=marks and request.per_page <= MARKS_MAX_HITS)
        took = (time.perf_counter() - started) * 1000
        log.debug("search %s: %d hits in %.1f ms", request.canonical(), total, took)
        return SearchResult(request, total, tuple(hits), facets, request.query_key, gen.version, took)

    def occurrences(self, request: SearchRequest) -> Occurrences:
        """How often the request's terms and phrases occur in the documents it finds, per
        series and year (term trends, issue 8): the same documents as :meth:`search`."""
        gen = self.generation()
        evaluator = Evaluator(gen)
        match = evaluator.run(request.tree)
        docs = match.ids[gen.filter_mask(request)[match.ids]]
        counts = np.zeros(len(docs), dtype=np.float64)
        for leaf in leaves(request.tree):
            ids, tf = _leaf_counts(gen, evaluator, leaf)
            _common, ia, ib = np.intersect1d(docs, ids, assume_unique=True, return_indices=True)
            counts[ia] += tf[ib]
        series = gen.attrs["series"]
        keys = series.codes[docs].astype(np.int64) * 10000 + gen.numbers["year"][docs]
        uniq, inverse = np.unique(keys, return_inverse=True)
        n_docs = np.bincount(inverse, minlength=len(uniq))
        n_occ = np.bincount(inverse, weights=counts, minlength=len(uniq))
        documents, occurrences = {}, {}
        for k, d, o in zip(uniq.tolist(), n_docs.tolist(), n_occ.tolist()):
            key = (series.values[k // 10000], k % 10000)
            documents[key], occurrences[key] = int(d), int(round(o))
        return Occurrences(request, documents, occurrences, int(len(docs)), request.query_key,
                           gen.version)


def _leaf_counts(gen: _Generation, evaluator: Evaluator,
                 leaf: Term | Phrase) -> tuple[np.ndarray, np.ndarray]:
    """(documents, occurrences) of one term or phrase, as the search matches it."""
    if isinstance(leaf, Phrase) and len(leaf.terms) == 1:
        leaf = leaf.terms[0]
    if isinstance(leaf, Term):
        words = [leaf.folded]
        if leaf.fuzzy and len(leaf.folded) >= FUZZY_MIN_CHARS and "/" not in leaf.folded:
            words += gen.terms_near(leaf.folded)
        parts = [gen.postings("f", w) for w in words]
        merged = union([Match(p.ids, p.tf.astype(np.float64)) for p in parts])
        return merged.ids, merged.scores
    grams = bigrams([t.folded for t in leaf.terms])
    if len(grams) == 1:
        p = gen.postings("b", grams[0])
        return p.ids, p.tf.astype(np.float64)
    ids, tf = evaluator._positional(grams)
    return ids, tf.astype(np.float64)


def _page(gen: _Generation, request: SearchRequest, docs: np.ndarray,
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


def _facets(gen: _Generation, docs: np.ndarray) -> dict[str, dict[str, int]]:
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


def _hits(gen: _Generation, chosen: list[tuple[int, float]], spec: MatchSpec,
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


def _marks(catalog: Catalog, issue_id: str, pages: tuple[int, ...], spec: MatchSpec,
           source: IndexDoc) -> dict[int, list[tuple[float, float, float, float]]]:
    from archive.editorial import effective_page

    words = []
    for seq in pages:
        version = effective_page(catalog, f"{issue_id}/{seq}")
        words.append((seq, version.words if version is not None else ()))
    return word_marks(words, spec, source.boxes or None)


_INDEXES: dict[Path, SearchIndex] = {}
_INDEXES_LOCK = threading.Lock()


def open_index(where: Config | str | os.PathLike[str]) -> SearchIndex:
    """The process-wide reader of a search index (a Config or the ``index/search`` path)."""
    path = Path(where.search_dir if isinstance(where, Config) else where).resolve()
    with _INDEXES_LOCK:
        index = _INDEXES.get(path)
        if index is None:
            index = _INDEXES[path] = SearchIndex(path)
        return index


def search(where: Config | str | os.PathLike[str], request: SearchRequest,
           catalog: Catalog | None = None, *, marks: bool = True) -> SearchResult:
    """Run ``request`` on the index of ``where`` (a Config or the ``index/search`` path).

    Without ``catalog`` the catalog beside the index (``index/catalog.sqlite``) is opened
    read-only for the snippets and word marks (``marks=False``: no word marks).
    """
    index = open_index(where)
    if catalog is not None:
        return index.search(request, catalog, marks=marks)
    path = index.store.root.parent / "catalog.sqlite"
    if not path.exists():
        return index.search(request, None, marks=marks)
    with Catalog(path, readonly=True) as opened:
        return index.search(request, opened, marks=marks)
