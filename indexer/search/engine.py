"""Searching the index: a :class:`SearchRequest` in, a :class:`SearchResult` out.

One of the three modules that import ``whoosh`` (with ``schema.py`` and ``build.py``).
The web app, the CLI and the coverage pages call :func:`search` (or a :class:`SearchIndex`);
nothing of Whoosh leaks out, so the engine can be swapped behind this interface.

How a query runs: Whoosh stores the postings; :class:`_Generation` reads a published
generation's columns and lengths into arrays once, and whole posting lists on demand (one
unpickle per block, not a Python step per document); :mod:`indexer.search.evaluate` evaluates the
query tree on them. Facets are counted with ``bincount``; the page of hits is picked with a
partial sort whose ties are broken by date, issue and position in the issue, so the same
request on the same ``index_version`` gives the same total, order and facets every time.

Why one module of a little over 400 lines: opening a generation, its arrays and the search over
them share one reader per thread; it is one of the three modules that import Whoosh.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from archive.catalog import Catalog
from archive.config import Config
from archive.errors import BantinError
from indexer.analyze.register import load_register, register_path
from indexer.search.evaluate import (
    Attribute,
    Evaluator,
    Names,
    Postings,
    Snapshot,
    arabic_numerals,
    certain_and_possible,
    int_or_zero,
    suggestion,
)
from indexer.search.generations import (  # noqa: F401  (IndexDamaged re-exported for callers)
    CURRENT,
    REBUILD_HINT,
    IndexDamaged,
    IndexStore,
    Manifest,
    verify_generation,
)
from indexer.search.highlight import MatchSpec
from indexer.search.postings import PositionLists
from indexer.search.query import (  # noqa: F401  (QueryError re-exported for callers)
    Everything,
    Phrase,
    QueryError,
    SearchRequest,
    Term,
    leaves,
)
from indexer.search.recent import Recent, catalog_version
from indexer.search.results import (  # noqa: F401  (the result values are part of this interface)
    FACETS,
    MARKS_MAX_HITS,
    Hit,
    IndexMissing,
    Occurrences,
    SearchResult,
    facets,
    hits,
    page_of,
)
from indexer.search.schema import ATTRIBUTES, SCHEMA_VERSION, column_codes, field_lengths, term_postings
from indexer.search.tokens import ANALYZER_VERSION, ref_key

log = logging.getLogger(__name__)

SUGGEST_BELOW = 3  # a query finding fewer hits is offered a close spelling, if the index has one
LOW_CONFIDENCE = 70.0  # the ``low_confidence`` setting's default, when no Config is given
# Results kept per index reader (a process), answered again while nothing they were made from
# changed (:meth:`SearchIndex._result_key`), weighed by their hits: a page of 20 hits with
# their passages and marks holds ~130-170 KB, so 5,120 hits (256 such pages) ~40 MB a process.
RESULTS_KEPT = 5120


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
            doc_parts: list[np.ndarray] = []
            code_parts: list[np.ndarray] = []
            for code, term in enumerate(terms):
                p = self._postings_in(leaves_, fname, term)
                doc_parts.append(p.ids)
                code_parts.append(np.full(len(p.ids), code, dtype=np.int32))
            self.multi[fname] = (np.concatenate(doc_parts) if doc_parts else np.zeros(0, np.int64),
                                 np.concatenate(code_parts) if code_parts else np.zeros(0, np.int32), terms)
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
            ids, tf, vs = self._segment_postings(reader, fname, term, values)
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

    def _segment_postings(self, reader: Any, fname: str, term: str, values: bool) -> SegmentPostings:
        """``term_postings`` of one segment, kept for the process (:data:`POSTINGS_KEPT_BYTES`)."""
        try:
            segment = reader.segment().segment_id()
        except AttributeError:
            return term_postings(reader, fname, term, values=values)
        return _SEGMENT_POSTINGS.get((str(self.path.parent), segment, fname, term, values),
                                     lambda: term_postings(reader, fname, term, values=values))

    def postings(self, fname: str, term: str, values: bool = False) -> Postings:
        return self._postings_in(self.leaves(), fname, term, values)

    def terms_near(self, term: str) -> list[str]:
        """Folded terms one edit from ``term`` (OCR slips), in the whole index."""
        found: set[str] = set()
        for reader, _base in self.leaves():
            found.update(reader.terms_within("f", term, 1, prefix=1))
        found.discard(term)
        return sorted(t for t in found if "/" not in t and "-" not in t)

    def terms_from(self, prefix: str) -> list[str]:
        """Folded terms that start with ``prefix``, in the whole index."""
        found: set[str] = set()
        for reader, _base in self.leaves():
            found.update(t.decode("utf-8") if isinstance(t, bytes) else t
                         for t in reader.expand_prefix("f", prefix))
        return sorted(found)

    def close(self) -> None:
        self.ix.close()


_NAMES: dict[Path, tuple[int, Names]] = {}


def register_names(home: Path) -> Names:
    """The register's names of documents (aliases, titles of laws) as folded words, each
    with the identifier tokens it stands for; read again when the register file changes."""
    path = register_path(home)
    try:
        stamp = path.stat().st_mtime_ns
        cached = _NAMES.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        register = load_register(path)
    except (OSError, BantinError) as e:
        log.warning("document names not used in queries: %s", e)
        return {}
    names: dict[tuple[str, ...], set[str]] = {}
    for key, doc in register.names:
        for variant in {key, arabic_numerals(key)}:  # khóa XI, or khóa 11 as people type it
            names.setdefault(variant, set()).add(ref_key(doc.id))
    out = {k: tuple(sorted(v)) for k, v in names.items()}
    _NAMES[path] = (stamp, out)
    return out


# --- the public entry points --------------------------------------------------------------

class SearchIndex:
    """A reader of the search index under ``search_dir`` that follows new generations.

    Open one per process and share it between threads (the web app keeps one); it checks
    ``CURRENT`` before every search and switches to a newly published generation, after
    checking that generation's new files against their checksums (IndexDamaged otherwise).
    """

    def __init__(self, search_dir: str | os.PathLike[str], *,
                 low_confidence: float | None = LOW_CONFIDENCE) -> None:
        self.store = IndexStore(search_dir)
        # documents read below this mean OCR confidence give possible hits (None: none)
        self.low_confidence = low_confidence
        self._gen: _Generation | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._lock = threading.Lock()
        self._verified: set[tuple[str, int, int, int]] = set()  # index files found sound
        self._results: Recent[SearchResult] = Recent(RESULTS_KEPT, lambda r: len(r.hits))

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
                problems = verify_generation(path, self._verified)  # new files only
                if problems:
                    raise _damaged(self.store.root, problems)
                older = _outdated(path)
                if older:  # read with today's code, its postings would be misread (IndexError)
                    raise IndexDamaged(f"the search index {self.store.root} was made by an older version "
                                       f"of the program ({older}); run `bantin build` (or `bantin index "
                                       "--rebuild`) to make it again")
                try:
                    self._gen = _Generation(path)
                except Exception as e:
                    raise _damaged(self.store.root, [f"{path.name} cannot be opened ({e!r:.200})"]) from e
            self._stamp = stamp
            return self._gen

    def _reading_failed(self, gen: _Generation, error: Exception) -> None:
        """After an unexpected error while reading ``gen``: IndexDamaged when its files are
        damaged (the generation is dropped, so a rebuilt one is opened next time)."""
        problems = verify_generation(gen.path)
        if problems:
            with self._lock:
                if self._gen is gen:
                    self._gen, self._stamp = None, None
            raise _damaged(self.store.root, problems) from error

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
        key = self._result_key(gen, request, catalog, marks)
        if key is not None:
            kept = self._results.peek(key)
            if kept is not None:
                return replace(kept, took_ms=(time.perf_counter() - started) * 1000)
        try:
            evaluator, certain, maybe = self._matches(gen, request)
            mask = gen.filter_mask(request)
            keep = mask[certain.ids]
            docs, scores = certain.ids[keep], certain.scores[keep]
            keep = mask[maybe.ids]
            more, more_scores = maybe.ids[keep], maybe.scores[keep]
            total, possible = int(len(docs)), int(len(more))
            found = facets(gen, docs)
            chosen = page_of(gen, request, docs, scores, more, more_scores)
            spec = MatchSpec.from_leaves(leaves(request.tree), evaluator.near_terms)
            found_hits = hits(gen, chosen, spec, catalog, marks=marks and request.per_page <= MARKS_MAX_HITS)
        except BantinError:
            raise
        except Exception as e:
            self._reading_failed(gen, e)
            raise
        took = (time.perf_counter() - started) * 1000
        log.debug("search %s: %d hits (%d possible) in %.1f ms", request.canonical(), total,
                  possible, took)
        better = ""
        if total + possible < SUGGEST_BELOW and not isinstance(request.tree, Everything):
            better = suggestion(gen, request.tree)
        result = SearchResult(request, total, tuple(found_hits), found, request.query_key, gen.version,
                              took, possible=possible, suggestion=better, notes=tuple(evaluator.notes))
        if key is not None:
            self._results.put(key, result)
        return result

    def _result_key(self, gen: _Generation, request: SearchRequest, catalog: Catalog | None,
                    marks: bool) -> tuple[object, ...] | None:
        """What a result is made from, read before making it: the request, the generation,
        the matching settings, the register's names and the catalog's state (a commit after
        this read gives later searches another key). None: not to be kept."""
        changed: tuple[int, int] | None = None
        if catalog is not None:
            changed = catalog_version(catalog.path)
            if changed is None:
                return None
        try:
            register = register_path(self.store.root.parent.parent).stat().st_mtime_ns
        except OSError:
            register = None
        key = (request, marks, str(gen.path), gen.version, self.low_confidence, register,
               str(catalog.path) if catalog is not None else None, changed)
        try:
            hash(key)
        except TypeError:
            return None
        return key

    def _matches(self, gen: _Generation, request: SearchRequest) -> tuple[Evaluator, Any, Any]:
        low = None if request.fuzzy else self.low_confidence
        return certain_and_possible(gen, request.tree, register_names(self.store.root.parent.parent),
                                    low)

    def occurrences(self, request: SearchRequest) -> Occurrences:
        """How often the request's terms and phrases occur in the documents it finds, per
        series and year (term trends, issue 8): the same documents as :meth:`search`."""
        gen = self.generation()
        try:
            evaluator, certain, maybe = self._matches(gen, request)
            mask = gen.filter_mask(request)
            docs = certain.ids[mask[certain.ids]]
            more = maybe.ids[mask[maybe.ids]]
            counts = np.zeros(len(docs), dtype=np.float64)
            for leaf in leaves(request.tree):
                ids, tf = evaluator.leaf_counts(leaf)
                _common, ia, ib = np.intersect1d(docs, ids, assume_unique=True, return_indices=True)
                counts[ia] += tf[ib]
        except BantinError:
            raise
        except Exception as e:
            self._reading_failed(gen, e)
            raise
        series = gen.attrs["series"]

        def per_year(these: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            keys = series.codes[these].astype(np.int64) * 10000 + gen.numbers["year"][these]
            uniq, inverse = np.unique(keys, return_inverse=True)
            return uniq, inverse, np.bincount(inverse, minlength=len(uniq))

        uniq, inverse, n_docs = per_year(docs)
        n_occ = np.bincount(inverse, weights=counts, minlength=len(uniq))
        documents, occurrences = {}, {}
        for k, d, o in zip(uniq.tolist(), n_docs.tolist(), n_occ.tolist()):
            key = (series.values[k // 10000], k % 10000)
            documents[key], occurrences[key] = int(d), int(round(o))
        maybe_docs: dict[tuple[str, int], int] = {}
        uniq, _inverse, n_more = per_year(more)
        for k, d in zip(uniq.tolist(), n_more.tolist()):
            maybe_docs[(series.values[k // 10000], k % 10000)] = int(d)
        return Occurrences(request, documents, occurrences, int(len(docs)), request.query_key,
                           gen.version, possible=int(len(more)), possible_documents=maybe_docs)


def _outdated(gen: Path) -> str:
    """What differs between the format ``gen`` was written in and today's ("" when nothing)."""
    manifest = Manifest(gen, readonly=True)
    try:
        meta = manifest.meta()
    finally:
        manifest.close()
    return "; ".join(f"{key} {meta[key]}, now {now}" for key, now in
                     (("schema", SCHEMA_VERSION), ("analyzer", ANALYZER_VERSION)) if meta.get(key, now) != now)


def _damaged(root: Path, problems: list[str]) -> IndexDamaged:
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return IndexDamaged(f"the search index {root} is damaged: {problems[0]}{more}; {REBUILD_HINT}")


def check_index(where: Config | str | os.PathLike[str]) -> tuple[Path, int]:
    """`bantin index --check`: (the current generation, files verified) when it is sound and
    opens; IndexMissing or IndexDamaged (saying to rebuild) otherwise."""
    root = Path(where.search_dir if isinstance(where, Config) else where)
    store = IndexStore(root)
    current = store.current()
    if current is None:
        raise IndexMissing(f"there is no search index in {root}; run `bantin index` to make it")
    problems = verify_generation(current)
    if not problems:
        try:
            _Generation(current)
        except Exception as e:
            problems = [f"{current.name} cannot be opened ({e!r:.200})"]
    if problems:
        raise _damaged(root, problems)
    manifest = Manifest(current, readonly=True)
    try:
        return current, len(manifest.files())
    finally:
        manifest.close()


def _postings_bytes(kept: SegmentPostings) -> int:
    ids, tf, positions = kept
    size = ids.nbytes + tf.nbytes + 200
    if positions is not None:
        size += len(positions.raw) + positions.starts.nbytes + positions.ends.nbytes
    return size


# A segment's postings never change: Whoosh writes a segment's files once, deletions are
# masked by the generation's ``live`` array, and a new generation (an editor's correction
# reindexed) shares every segment but its newest with the one before, by hard links. Kept per
# (index, segment, field, term), a term is read from Whoosh once per process and segment
# instead of once per search: a reindex then costs the searches after it the new segment only.
POSTINGS_KEPT_BYTES = 64 << 20
SegmentPostings = tuple[np.ndarray, np.ndarray, "PositionLists | None"]
_SEGMENT_POSTINGS: Recent[SegmentPostings] = Recent(POSTINGS_KEPT_BYTES, _postings_bytes)

_INDEXES: dict[Path, SearchIndex] = {}
_INDEXES_LOCK = threading.Lock()


def open_index(where: Config | str | os.PathLike[str]) -> SearchIndex:
    """The process-wide reader of a search index (a Config or the ``index/search`` path;
    a Config also gives the ``low_confidence`` setting that makes hits possible)."""
    path = Path(where.search_dir if isinstance(where, Config) else where).resolve()
    with _INDEXES_LOCK:
        index = _INDEXES.get(path)
        if index is None:
            index = _INDEXES[path] = SearchIndex(path)
        if isinstance(where, Config):
            index.low_confidence = float(where.low_confidence)
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
