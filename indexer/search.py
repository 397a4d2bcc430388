"""Searching the index: a :class:`SearchRequest` in, a :class:`SearchResult` out.

One of the three modules that import ``whoosh`` (with ``schema.py`` and ``build.py``).
The web app, the CLI and the coverage pages call :func:`search`; nothing else of Whoosh
leaks out, so the engine can be swapped behind this interface.

How a query runs: Whoosh stores the postings; the query tree (:mod:`indexer.query`) is
evaluated here on whole posting lists as numpy arrays (one unpickle per block of 128
postings, not a Python step per document), so a term in every one of 250,000 articles, a
phrase of common syllables or a filter over the whole archive all cost a few array
operations. Phrases are matched on syllable bigrams (``b``) and their positions; facets are
counted with ``bincount`` over columns loaded once per index generation; filters are boolean
masks cached per generation (Whoosh would recompute a filter on every query).

Ranking is BM25 (k1 1.2, b 0.75) over the folded text, plus: title matches, the exact
spelling when the user typed diacritics, adjacent query words found side by side. Every
statistic comes from the live documents only, so the same request on the same
``index_version`` gives the same total, order and facets whether the index was built in one
run or updated piece by piece; ties are broken by date, issue and position in the issue.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np

from archive.catalog import Catalog
from archive.config import Config
from archive.errors import BantinError
from archive.permalinks import article_path, page_path
from archive.vntext import match_key
from indexer.analysis import bigrams
from indexer.generations import CURRENT, IndexStore, Manifest
from indexer.highlight import MatchSpec, snippet, word_marks
from indexer.indexdocs import IndexDoc, effective_articles, effective_pages
from indexer.query import (  # noqa: F401  (QueryError re-exported for callers)
    And,
    Everything,
    Node,
    Not,
    Or,
    Phrase,
    QueryError,
    SearchRequest,
    Term,
    leaves,
)
from indexer.schema import ATTRIBUTES, column_codes, field_lengths, term_postings

log = logging.getLogger(__name__)

K1, B = 1.2, 0.75
TITLE_BOOST = 1.5  # a match in the title counts this much more
EXACT_BOOST = 0.6  # extra for the exact spelling of a word typed with diacritics
NEAR_BOOST = 0.5  # extra when two words typed side by side are side by side in the text
FUZZY_WEIGHT = 0.6  # a near spelling (``~``) counts this much of an exact one
FUZZY_MIN_CHARS = 4  # shorter syllables have too many neighbours at one edit
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


# --- matches: sorted document numbers with scores ------------------------------------------

@dataclass
class _Match:
    ids: np.ndarray  # int64, sorted, unique (global docnums)
    scores: np.ndarray  # float64, aligned

    def __len__(self) -> int:
        return len(self.ids)


def _empty() -> _Match:
    return _Match(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def _union(parts: list[_Match]) -> _Match:
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty()
    if len(parts) == 1:
        return parts[0]
    ids, inverse = np.unique(np.concatenate([p.ids for p in parts]), return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]))
    return _Match(ids, scores)


def _intersect(a: _Match, b: _Match) -> _Match:
    ids, ia, ib = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
    return _Match(ids, a.scores[ia] + b.scores[ib])


def _minus(a: _Match, ids: np.ndarray) -> _Match:
    keep = np.isin(a.ids, ids, assume_unique=True, invert=True)
    return _Match(a.ids[keep], a.scores[keep])


def _boost(a: _Match, ids: np.ndarray, scores: np.ndarray) -> _Match:
    """``a`` with ``scores`` added where its documents are among ``ids``."""
    if not len(ids) or not len(a):
        return a
    _common, ia, ib = np.intersect1d(a.ids, ids, assume_unique=True, return_indices=True)
    out = a.scores.copy()
    out[ia] += scores[ib]
    return _Match(a.ids, out)


@dataclass
class _Postings:
    ids: np.ndarray
    tf: np.ndarray
    values: list[bytes] | None = None


@dataclass
class _Attribute:
    codes: np.ndarray  # int32 per docnum, into ``values`` (sorted, so codes order like values)
    values: list[str]


# --- one published generation -------------------------------------------------------------

class _Generation:
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
        self._lock = threading.Lock()
        self._filters: OrderedDict[tuple[Any, ...], np.ndarray] = OrderedDict()
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
        self.attrs: dict[str, _Attribute] = {}
        for name in ATTRIBUTES:
            parts = [column_codes(reader, f"c_{name}") for reader, _base in leaves_]
            values = sorted({v.decode("utf-8") for _codes, uniq in parts for v in uniq})
            index = {v: i for i, v in enumerate(values)}
            codes = np.zeros(n, dtype=np.int32)
            for (_reader, base), (local, uniq) in zip(leaves_, parts):
                remap = np.asarray([index[u.decode("utf-8")] for u in uniq], dtype=np.int32)
                codes[base:base + len(local)] = remap[local]
            self.attrs[name] = _Attribute(codes, values)
        self.numbers = {name: np.asarray([_int(v) for v in self.attrs[name].values],
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
                     values: bool = False) -> _Postings:
        ids_parts, tf_parts, vals = [], [], []
        for reader, base in leaves_:
            ids, tf, vs = term_postings(reader, fname, term, values=values)
            if len(ids):
                ids_parts.append(ids + base)
                tf_parts.append(tf)
                if values and vs:
                    vals.extend(vs)
        if not ids_parts:
            return _Postings(np.zeros(0, np.int64), np.zeros(0, np.float32), [] if values else None)
        ids = np.concatenate(ids_parts)
        tf = np.concatenate(tf_parts)
        keep = self.live[ids]
        if not keep.all():
            idx = np.flatnonzero(keep)
            ids, tf = ids[idx], tf[idx]
            if values:
                vals = [vals[i] for i in idx.tolist()]
        return _Postings(ids, tf, vals if values else None)

    def postings(self, fname: str, term: str, values: bool = False) -> _Postings:
        return self._postings_in(self.leaves(), fname, term, values)

    def terms_near(self, term: str) -> list[str]:
        """Folded terms one edit from ``term`` (OCR slips), in the whole index."""
        found: set[str] = set()
        for reader, _base in self.leaves():
            found.update(reader.terms_within("f", term, 1, prefix=1))
        found.discard(term)
        return sorted(t for t in found if "/" not in t and "-" not in t)

    def filter_mask(self, request: SearchRequest) -> np.ndarray:
        """Documents allowed by the request's filters and target (cached per generation)."""
        key = (request.target, request.series, request.year_from, request.year_to, request.month,
               match_key(request.section), request.kind, request.topic, request.ref_key,
               request.min_conf)
        with self._lock:
            mask = self._filters.get(key)
            if mask is not None:
                self._filters.move_to_end(key)
                return mask
        mask = self._build_mask(request)
        with self._lock:
            self._filters[key] = mask
            while len(self._filters) > 64:
                self._filters.popitem(last=False)
        return mask

    def _build_mask(self, r: SearchRequest) -> np.ndarray:
        mask = self.live.copy()
        scopes = ("article", "orphan") if r.target == "articles" else ("page", "orphan")
        mask &= self._codes_in("scope", scopes)
        if r.series:
            mask &= self._codes_in("series", (r.series,))
        if r.year_from is not None:
            mask &= self.numbers["year"] >= r.year_from
        if r.year_to is not None:
            mask &= self.numbers["year"] <= r.year_to
        if r.month is not None:
            mask &= self.numbers["month"] == r.month
        if r.section:
            wanted = match_key(r.section)
            mask &= self._codes_in("section", [v for v in self.attrs["section"].values
                                               if v and match_key(v) == wanted])
        if r.kind:
            mask &= self._codes_in("kind", (r.kind,))
        if r.min_conf is not None:
            mask &= self.numbers["conf"] >= r.min_conf
        for fname, wanted in (("topic", r.topic), ("ref", r.ref)):
            if wanted:
                docs, codes, values = self.multi[fname]
                key = (lambda v: v) if fname == "topic" else _ref_match
                hit = [i for i, v in enumerate(values) if key(v) == key(wanted)]
                has = np.zeros(self.size, dtype=bool)
                has[docs[np.isin(codes, hit)]] = True
                mask &= has
        return mask

    def _codes_in(self, name: str, values: Any) -> np.ndarray:
        attr = self.attrs[name]
        wanted = [i for i, v in enumerate(attr.values) if v in set(values)]
        return np.isin(attr.codes, wanted)

    def close(self) -> None:
        self.ix.close()


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def _ref_match(value: str) -> str:
    from indexer.analysis import ref_key

    return ref_key(value)


# --- evaluation ---------------------------------------------------------------------------

class _Evaluator:
    """Evaluates one query tree on one generation."""

    def __init__(self, gen: _Generation) -> None:
        self.gen = gen
        self.n = max(gen.live_count, 1)
        self.near_terms: set[str] = set()  # fuzzy expansions used (highlighted too)

    def bm25(self, tf: np.ndarray, docs: np.ndarray, df: int, fname: str = "f") -> np.ndarray:
        if not len(docs):
            return np.zeros(0, dtype=np.float64)
        idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
        lengths = self.gen.lengths[fname][docs].astype(np.float64)
        tf = tf.astype(np.float64)
        norm = K1 * (1 - B + B * lengths / self.gen.avg[fname])
        return idf * tf * (K1 + 1) / (tf + norm)

    def run(self, node: Node) -> _Match:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Phrase):
            return self.phrase(node)
        if isinstance(node, Everything):
            return self.everything()
        if isinstance(node, Not):
            return _minus(self.everything(), self.excluded(node.item).ids)
        if isinstance(node, Or):
            return _union([self.run(i) for i in node.items])
        if isinstance(node, And):
            return self.conjunction(node)
        raise TypeError(node)

    def everything(self) -> _Match:
        ids = np.flatnonzero(self.gen.live).astype(np.int64)
        return _Match(ids, np.zeros(len(ids), dtype=np.float64))

    def conjunction(self, node: And) -> _Match:
        positive = [self.run(i) for i in node.items if not isinstance(i, Not)]
        negative = [self.excluded(i.item) for i in node.items if isinstance(i, Not)]
        match = reduce(_intersect, sorted(positive, key=len)) if positive else self.everything()
        for neg in negative:
            match = _minus(match, neg.ids)
        if node.implicit:
            for a, b in zip(node.items, node.items[1:]):
                if isinstance(a, Term) and isinstance(b, Term) and not (a.fuzzy or b.fuzzy):
                    p = self.gen.postings("b", f"{a.folded} {b.folded}")
                    match = _boost(match, p.ids, NEAR_BOOST * self.bm25(p.tf, p.ids, len(p.ids)))
        return match

    def excluded(self, node: Node) -> _Match:
        """What ``NOT node`` removes: a word typed with diacritics removes that spelling only
        (``-số`` keeps *cơ sở*); anything else, every spelling."""
        if isinstance(node, Term) and node.marked and node.exact != node.folded and not node.fuzzy:
            x = self.gen.postings("x", node.exact)
            return _Match(x.ids, np.zeros(len(x.ids)))
        return self.run(node)

    def term(self, term: Term) -> _Match:
        words = [(term.folded, 1.0)]
        if term.fuzzy and len(term.folded) >= FUZZY_MIN_CHARS and "/" not in term.folded:
            near = self.gen.terms_near(term.folded)
            self.near_terms.update(near)
            words += [(w, FUZZY_WEIGHT) for w in near]
        parts = []
        for word, weight in words:
            p = self.gen.postings("f", word)
            match = _Match(p.ids, weight * self.bm25(p.tf, p.ids, len(p.ids)))
            t = self.gen.postings("tf", word)
            match = _boost(match, t.ids, weight * TITLE_BOOST * self.bm25(t.tf, t.ids, len(t.ids), "tf"))
            parts.append(match)
        match = _union(parts)
        if term.marked and term.exact != term.folded:
            x = self.gen.postings("x", term.exact)
            match = _boost(match, x.ids, EXACT_BOOST * self.bm25(x.tf, x.ids, len(x.ids)))
        return match

    def phrase(self, phrase: Phrase) -> _Match:
        words = [t.folded for t in phrase.terms]
        if len(words) == 1:
            return self.term(Term(phrase.terms[0].exact, words[0], phrase.terms[0].marked))
        grams = bigrams(words)
        if len(grams) == 1:
            p = self.gen.postings("b", grams[0])
            ids, tf = p.ids, p.tf
        else:
            ids, tf = self._positional(grams)
        match = _Match(ids, self.bm25(tf, ids, len(ids)))
        titled = [self.gen.postings("tb", g).ids for g in grams]
        in_title = reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True), titled)
        match = _boost(match, in_title, np.full(len(in_title), TITLE_BOOST, dtype=np.float64))
        for t in phrase.terms:
            if t.marked and t.exact != t.folded:
                x = self.gen.postings("x", t.exact)
                match = _boost(match, x.ids, EXACT_BOOST / len(words) * self.bm25(x.tf, x.ids, len(x.ids)))
        return match

    def _positional(self, grams: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Documents where the bigrams follow one another (a phrase of 3+ syllables), with
        the number of times the phrase occurs: positions compared as (doc, start) keys."""
        lists = [self.gen.postings("b", g, values=True) for g in grams]
        if any(not len(p.ids) for p in lists):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        cand = reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True),
                      [p.ids for p in sorted(lists, key=lambda p: len(p.ids))])
        keys: np.ndarray | None = None
        for j, p in enumerate(lists):
            if not len(cand):
                break
            rows = np.searchsorted(p.ids, cand).tolist()
            vals = p.values or []
            chosen = [vals[r] for r in rows]
            counts = np.fromiter((len(v) for v in chosen), dtype=np.int64, count=len(chosen)) // 4
            pos = np.frombuffer(b"".join(chosen), dtype=np.uint32).astype(np.int64)
            docs = np.repeat(cand, counts)
            ok = pos >= j
            k = np.unique((docs[ok] << 32) | (pos[ok] - j))
            keys = k if keys is None else np.intersect1d(keys, k, assume_unique=True)
            cand = np.unique(keys >> 32)
        if keys is None or not len(keys):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        ids, counts = np.unique(keys >> 32, return_counts=True)
        return ids, counts.astype(np.float32)


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

    def search(self, request: SearchRequest, catalog: Catalog | None = None) -> SearchResult:
        """Run ``request``. Snippets and word marks come from ``catalog`` (the text in force);
        without one they are left empty."""
        started = time.perf_counter()
        gen = self.generation()
        evaluator = _Evaluator(gen)
        match = evaluator.run(request.tree)
        mask = gen.filter_mask(request)
        keep = mask[match.ids]
        docs, scores = match.ids[keep], match.scores[keep]
        total = int(len(docs))
        facets = _facets(gen, docs)
        chosen = _page(gen, request, docs, scores)
        spec = MatchSpec.from_leaves(leaves(request.tree), evaluator.near_terms)
        hits = _hits(gen, chosen, spec, catalog, marks=request.per_page <= MARKS_MAX_HITS)
        took = (time.perf_counter() - started) * 1000
        log.debug("search %s: %d hits in %.1f ms", request.canonical(), total, took)
        return SearchResult(request, total, tuple(hits), facets, request.query_key, gen.version, took)

    def occurrences(self, request: SearchRequest) -> Occurrences:
        """How often the request's terms and phrases occur in the documents it finds, per
        series and year (term trends, issue 8): the same documents as :meth:`search`."""
        gen = self.generation()
        evaluator = _Evaluator(gen)
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


def _leaf_counts(gen: _Generation, evaluator: _Evaluator,
                 leaf: Term | Phrase) -> tuple[np.ndarray, np.ndarray]:
    """(documents, occurrences) of one term or phrase, as the search matches it."""
    if isinstance(leaf, Phrase) and len(leaf.terms) == 1:
        leaf = leaf.terms[0]
    if isinstance(leaf, Term):
        words = [leaf.folded]
        if leaf.fuzzy and len(leaf.folded) >= FUZZY_MIN_CHARS and "/" not in leaf.folded:
            words += gen.terms_near(leaf.folded)
        parts = [gen.postings("f", w) for w in words]
        merged = _union([_Match(p.ids, p.tf.astype(np.float64)) for p in parts])
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
        texts.update((d.id, d) for d in effective_articles(catalog, article_ids))
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
           catalog: Catalog | None = None) -> SearchResult:
    """Run ``request`` on the index of ``where`` (a Config or the ``index/search`` path).

    Without ``catalog`` the catalog beside the index (``index/catalog.sqlite``) is opened
    read-only for the snippets and word marks.
    """
    index = open_index(where)
    if catalog is not None:
        return index.search(request, catalog)
    path = index.store.root.parent / "catalog.sqlite"
    if not path.exists():
        return index.search(request, None)
    with Catalog(path, readonly=True) as opened:
        return index.search(request, opened)
