"""The index stage: catalog → search index, incremental and atomic (``build_index``).

One of the three modules that import ``whoosh`` (with ``schema.py`` and ``engine.py``).

What is indexed: one document per article and one per page (so text stays findable where
segmentation failed), as :mod:`indexer.search.indexdocs` reads them with corrections applied.
Each write goes into a new generation that is published atomically (:mod:`indexer.search.generations`).

Incremental: every document has a content key (a hash of each indexed value and the
analyzer version); a run rewrites only documents whose key changed and deletes those gone
from the catalog. It rebuilds from scratch when there is no index, when the analyzer, schema
or topic-list version changed, when asked, or when more than half the documents changed
(a fresh build is then faster than deletions plus additions). :func:`update_documents` does
the same for a few ids after a correction, in about a second.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.catalog import Catalog, now
from archive.config import Config
from archive.progress import Progress
from indexer.search.generations import IndexStore, Manifest, index_version, verify_generation
from indexer.search.indexdocs import (
    IndexDoc,
    effective_articles,
    effective_pages,
    has_table,
    topics_version,
)
from indexer.search.schema import SCHEMA_VERSION, SEGMENT_POSTINGS, BulkWriter, make_codec, make_schema
from indexer.search.tokens import ANALYZER_VERSION, bigrams, terms

log = logging.getLogger(__name__)

REBUILD_SHARE = 0.5  # rebuild from scratch when more than this share of documents changed
MAX_SEGMENTS = 24  # merge the small segments when an update leaves more than this
SMALL_SEGMENT = 5000  # documents: a segment below this was left by updates, not a bulk build


def index_fields(doc: IndexDoc) -> dict[str, Any]:
    """The values :class:`indexer.search.schema.BulkWriter` indexes for one document: the title,
    text and byline as one token stream (so phrases match across them and across line and
    page breaks), the title alone again for ranking, and the attributes as columns."""
    stream = "\n".join(p for p in (doc.title, doc.text, doc.byline, " ".join(doc.alt)) if p)
    exact, folded = terms(stream)
    title_folded = terms(doc.title)[1] if doc.title else []
    stored = {"t": doc.doctype, "issue": doc.issue_id, "series": doc.series, "year": doc.year,
              "number": doc.number, "date": doc.date, "seq": doc.seq, "first": doc.first_page,
              "last": doc.last_page, "title": doc.title, "byline": doc.byline,
              "section": doc.section, "kind": doc.kind, "topics": list(doc.topics),
              "refs": list(doc.refs), "conf": round(doc.conf, 1), "orphan": doc.orphan}
    return {
        "id": doc.id, "doc": stored,
        "x": [e if e != f else None for e, f in zip(exact, folded)], "f": folded, "b": bigrams(folded),
        "tf": title_folded, "tb": bigrams(title_folded), "lw": list(doc.uncertain),
        "topic": list(doc.topics), "ref": list(doc.refs),
        "c_scope": doc.scope.encode(), "c_series": doc.series.encode(),
        "c_year": str(doc.year).encode(), "c_month": str(doc.month).encode(),
        "c_date": doc.date[:7].encode(), "c_issue": doc.issue_id.encode(),
        "c_seq": f"{doc.seq:05d}".encode(), "c_section": doc.section.encode(),
        "c_kind": doc.kind.encode(), "c_conf": str(int(doc.conf)).encode(),
    }


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    full: bool = False
    generation: str = ""
    index_version: str = ""
    documents: int = 0
    seconds: float = 0.0
    damaged: str = ""  # what was wrong with the generation this run replaced

    def summary(self) -> str:
        if not (self.added or self.updated or self.deleted or self.full):
            return (f"index: current ({self.documents} documents, version {self.index_version}),"
                    f" {self.seconds:.1f} s")
        how = "rebuilt" if self.full else "updated"
        if self.damaged:
            how = f"rebuilt (the previous index was damaged: {self.damaged})"
        return (f"index: {how}: {self.added} added, {self.updated} changed, {self.deleted} removed,"
                f" {self.unchanged} unchanged; {self.documents} documents, version"
                f" {self.index_version}, {self.seconds:.1f} s")


def _versions(catalog: Catalog) -> dict[str, str]:
    return {"analyzer": ANALYZER_VERSION, "schema": SCHEMA_VERSION, "topics": topics_version(catalog)}


def _fault(point: str, count: int = 0) -> None:
    """Fault injection for the crash tests: ``BANTIN_INDEX_FAULT=stall-after-docs:N`` or
    ``stall-before-publish`` makes the writer stop there and wait to be killed."""
    fault = os.environ.get("BANTIN_INDEX_FAULT", "")
    name, _, arg = fault.partition(":")
    if fault and name == point and (not arg or count >= int(arg)):
        sys.stderr.write(f"FAULT {point}\n")
        sys.stderr.flush()
        while True:
            time.sleep(1)


def _write(gen: Path, docs: Iterable[IndexDoc], *, create: bool, delete: Iterable[str] = (),
           total: int = 0, label: str = "index") -> list[tuple[str, str, str, str]]:
    """Delete ``delete`` and add ``docs`` in the Whoosh index of ``gen``, a new segment every
    :data:`SEGMENT_POSTINGS` postings (bounded memory). Returns the manifest rows added."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.create_in(str(gen), make_schema()) if create else whoosh_index.open_dir(str(gen))
    rows: list[tuple[str, str, str, str]] = []
    started = time.monotonic()
    writer = BulkWriter(ix)
    try:
        for doc_id in delete:
            writer.delete_by_term("id", doc_id)
        with Progress(total, label) as bar:
            for n, doc in enumerate(docs, 1):
                writer.add_document(**index_fields(doc))
                rows.append((doc.id, doc.content_key(), doc.doctype, doc.issue_id))
                bar.advance()
                _fault("stall-after-docs", n)
                if n % 10000 == 0:
                    log.info("%s: %d of %d documents, %.0f s", label, n, total, time.monotonic() - started)
                if writer.postings >= SEGMENT_POSTINGS:
                    writer.commit(merge=False)
                    writer = BulkWriter(ix)
        writer.commit(merge=False)
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    if len(ix._segments()) > MAX_SEGMENTS:
        ix.writer(codec=make_codec(), compound=False).commit(mergetype=_merge_small)
    ix.close()
    return rows


def _merge_small(writer: Any, segments: list[Any]) -> list[Any]:
    """Merge policy: the segments of fewer than :data:`SMALL_SEGMENT` documents (left by
    updates) become one, through Whoosh's own writer; the bulk-written ones stay as they are
    (merging them would cost a full rebuild's time). Whoosh's ``MERGE_SMALL`` waits for five
    or more small segments of a particular size ladder, so updates would pile up."""
    from whoosh.reading import SegmentReader

    small = [s for s in segments if s.doc_count_all() < SMALL_SEGMENT]
    if len(small) < 2:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


def _publish(store: IndexStore, gen: Path, rows: list[tuple[str, str, str, str]],
             gone: list[str], versions: dict[str, str], report: IndexReport) -> None:
    """Record the content keys and versions in ``gen``'s manifest, then publish ``gen``."""
    manifest = Manifest(gen)
    manifest.replace(rows, gone)
    manifest.record_files(gen)
    report.documents = manifest.count()
    report.index_version = index_version(manifest.digest(), versions["analyzer"],
                                         versions["schema"], versions["topics"])
    report.generation = gen.name
    manifest.set_meta(**versions, index_version=report.index_version, built_at=now(),
                      documents=str(report.documents))
    manifest.close()
    _fault("stall-before-publish")
    store.publish(gen)
    store.cleanup()


def _all_docs(catalog: Catalog, below: float) -> Iterator[IndexDoc]:
    """Every document, with its words read below ``below`` (the low-confidence setting)."""
    yield from effective_articles(catalog, uncertain_below=below)
    yield from effective_pages(catalog, uncertain_below=below)


def _docs_by_id(catalog: Catalog, ids: list[str], below: float) -> Iterator[IndexDoc]:
    articles = [i for i in ids if "/" not in i]  # page ids are "<issue>/<seq>"
    pages = [i for i in ids if "/" in i]
    if articles:
        yield from effective_articles(catalog, articles, uncertain_below=below)
    if pages:
        yield from effective_pages(catalog, pages, uncertain_below=below)


def _count(catalog: Catalog) -> int:
    n = catalog.one("SELECT COUNT(*) AS n FROM page_text")["n"]  # type: ignore[index]
    if has_table(catalog, "article"):
        n += catalog.one("SELECT COUNT(*) AS n FROM article")["n"]  # type: ignore[index]
    return int(n)


def _current_keys(store: IndexStore, versions: dict[str, str],
                  report: IndexReport) -> dict[str, str] | None:
    """Content keys of the current generation, or None when it must be rebuilt (missing,
    made by other versions, or damaged: then ``report.damaged`` says how)."""
    current = store.current()
    if current is None:
        return None
    problems = verify_generation(current)
    if problems:
        report.damaged = problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        log.warning("search index damaged: %s; rebuilding it", report.damaged)
        return None
    manifest = Manifest(current, readonly=True)
    try:
        meta = manifest.meta()
        if any(meta.get(k) != v for k, v in versions.items()):
            return None
        return manifest.keys()
    finally:
        manifest.close()


def build_index(catalog: Catalog, config: Config, *, rebuild: bool = False,
                force: bool = False) -> IndexReport:
    """Bring the search index in line with the catalog (the ``index`` stage of ``bantin
    build``); ``rebuild``/``force`` start from scratch."""
    started = time.monotonic()
    stamp = now()
    below = float(config.low_confidence)
    store = IndexStore(config.search_dir)
    versions = _versions(catalog)
    with store.writing():
        store.cleanup()
        report = IndexReport()
        old = None if (rebuild or force) else _current_keys(store, versions, report)
        changed: list[str] = []
        gone: list[str] = []
        if old is not None:
            seen: set[str] = set()
            for doc in _all_docs(catalog, below):
                seen.add(doc.id)
                if old.get(doc.id) != doc.content_key():
                    changed.append(doc.id)
            gone = [i for i in old if i not in seen]
            report.added = sum(1 for i in changed if i not in old)
            report.updated = len(changed) - report.added
            report.deleted = len(gone)
            report.unchanged = len(seen) - len(changed)
            if len(changed) + len(gone) > REBUILD_SHARE * max(len(seen), 1):
                old = None
        if old is None:
            report = IndexReport(full=True, damaged=report.damaged)
            gen = store.empty()
            rows = _write(gen, _all_docs(catalog, below), create=True, total=_count(catalog))
            report.added = len(rows)
            _publish(store, gen, rows, [], versions, report)
        elif changed or gone:
            current = store.current()
            assert current is not None
            gen = store.fork(current)
            rows = _write(gen, _docs_by_id(catalog, changed, below), create=False,
                          delete=[*changed, *gone], total=len(changed))
            _publish(store, gen, rows, gone, versions, report)
        else:
            current = store.current()
            assert current is not None
            manifest = Manifest(current, readonly=True)
            report.index_version = manifest.meta().get("index_version", "")
            report.documents = manifest.count()
            report.generation = current.name
            manifest.close()
    _drain_queue(catalog, stamp)
    report.seconds = time.monotonic() - started
    log.info("%s", report.summary())
    return report


def update_documents(catalog: Catalog, config: Config, ids: Iterable[str], *,
                     forget: Mapping[str, str] | None = None) -> IndexReport:
    """Reindex just these documents (article or page ids) after a correction, in seconds.

    An article's pages come along (its page span decides which pages are orphans), from
    the issue it is in now and the one it was in; ids gone from the catalog are removed.
    Without a current index (or after a version change) this is a full build.

    ``forget``: the ``reindex_queue`` rows (id → stamp) the caller read before it began its
    work; only those leave the queue, and only if not queued again since (a save made while
    this ran is not lost). Without it every id given leaves the queue.
    """
    started = time.monotonic()
    ids = sorted(set(ids))
    below = float(config.low_confidence)
    store = IndexStore(config.search_dir)
    versions = _versions(catalog)
    with store.writing():
        current = store.current()
        manifest = Manifest(current, readonly=True) if current is not None else None
        if manifest is None or any(manifest.meta().get(k) != v for k, v in versions.items()):
            if manifest is not None:
                manifest.close()
            report = IndexReport(full=True)
            gen = store.empty()
            rows = _write(gen, _all_docs(catalog, below), create=True, total=_count(catalog))
            report.added = len(rows)
            _publish(store, gen, rows, [], versions, report)
            report.seconds = time.monotonic() - started
            return report
        article_ids = [i for i in ids if "/" not in i]
        docs = {d.id: d for d in effective_articles(catalog, article_ids, uncertain_below=below)}
        issues = {d.issue_id for d in docs.values()} | manifest.issues_of(article_ids)
        for doc in effective_pages(catalog, [i for i in ids if "/" in i], uncertain_below=below):
            docs[doc.id] = doc
        for doc in effective_pages(catalog, issue_ids=issues, uncertain_below=below):
            docs[doc.id] = doc
        old = manifest.keys_of([*ids, *docs])
        meta = manifest.meta()
        manifest.close()
        changed = [d for d in docs.values() if old.get(d.id) != d.content_key()]
        gone = [i for i in ids if i not in docs and i in old]
        report = IndexReport(added=sum(1 for d in changed if d.id not in old), deleted=len(gone),
                             unchanged=len(docs) - len(changed))
        report.updated = len(changed) - report.added
        if changed or gone:
            gen = store.fork(current)  # type: ignore[arg-type]
            rows = _write(gen, changed, create=False, delete=[*(d.id for d in changed), *gone],
                          total=len(changed), label="reindex")
            _publish(store, gen, rows, gone, versions, report)
        else:
            report.index_version = meta.get("index_version", "")
            report.documents = int(meta.get("documents", "0"))
            report.generation = current.name  # type: ignore[union-attr]
    if has_table(catalog, "reindex_queue"):
        with catalog.transaction() as db:
            if forget is None:
                db.executemany("DELETE FROM reindex_queue WHERE doc_id = ?", [(i,) for i in ids])
            else:
                db.executemany("DELETE FROM reindex_queue WHERE doc_id = ? AND at = ?",
                               list(forget.items()))
    report.seconds = time.monotonic() - started
    return report


def drain_queue(catalog: Catalog, config: Config) -> IndexReport | None:
    """Reindex what editors queued (``reindex_queue``, issue 7); None when nothing is."""
    if not has_table(catalog, "reindex_queue"):
        return None
    ids = [r["doc_id"] for r in catalog.query("SELECT doc_id FROM reindex_queue")]
    return update_documents(catalog, config, ids) if ids else None


def _drain_queue(catalog: Catalog, stamp: str) -> None:
    """Forget reindex requests made before a full comparison began: it covered them."""
    if has_table(catalog, "reindex_queue"):
        with catalog.transaction() as db:
            db.execute("DELETE FROM reindex_queue WHERE at <= ?", (stamp,))
