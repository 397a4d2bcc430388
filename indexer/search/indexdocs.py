"""The documents the search index holds, read from the catalog with corrections applied.

:func:`effective_articles` and :func:`effective_pages` are the only readers of indexed
values: the index stage, the reindex after a correction and the search snippets all go
through them, so an editor's fix (``archive/editorial.py``: ``page_version``,
``article_version``) reaches every one of them the moment it is in the catalog.
No search engine is imported here.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

from archive.catalog import Catalog
from archive.editorial import effective_page
from archive.models import Word
from archive.vntext import nfc
from archive.worklist import COUNTED_REF
from indexer.search.tokens import ANALYZER_VERSION, normalize_identifier, terms

log = logging.getLogger(__name__)

# Bump when the indexed values of a document change shape (part of every content key).
DOC_VERSION = "d-2"  # d-2: uncertain (poorly read) words


@dataclass(frozen=True)
class IndexDoc:
    """One searchable document as the catalog says it is now (corrections applied).

    ``doctype`` is ``article`` or ``page``; ``orphan`` marks a page no article covers, which
    article searches include so text is found where segmentation failed. Pages are 1-based;
    ``conf`` is the mean OCR confidence 0..100; ``boxes`` (article outline per page, page
    fractions) is for marking hits and is not indexed.
    """

    id: str
    doctype: str
    issue_id: str
    series: str
    year: int
    number: str
    date: str  # YYYY-MM or YYYY-MM-DD, '' when unknown
    seq: int  # article order in the issue, or the page's seq
    first_page: int
    last_page: int
    title: str = ""
    byline: str = ""
    section: str = ""
    kind: str = ""
    topics: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()  # normalised identifiers of cited documents
    text: str = ""
    conf: float = 100.0
    orphan: bool = False
    # words indexed but not shown: the raw OCR readings post-OCR correction replaced, so a
    # search finds a page by what the scan was read as too (indexer.extract.ocrcorrect)
    alt: tuple[str, ...] = ()
    boxes: dict[int, list[tuple[float, float, float, float]]] = field(default_factory=dict,
                                                                      compare=False)
    # folded tokens of the words OCR read below the low-confidence setting (on the page, or
    # inside the article's outline): where a lost mark may hide a match (possible hits)
    uncertain: tuple[str, ...] = ()

    @property
    def month(self) -> int:
        return int(self.date[5:7]) if len(self.date) >= 7 and self.date[5:7].isdigit() else 0

    @property
    def scope(self) -> str:
        if self.doctype == "article":
            return "article"
        return "orphan" if self.orphan else "page"

    def content_key(self) -> str:
        """Hash of everything indexed about this document (not the outline boxes)."""
        values = asdict(self)
        values.pop("boxes")
        payload = json.dumps([ANALYZER_VERSION, DOC_VERSION, values], ensure_ascii=False,
                             sort_keys=True)
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:20]


# --- reading the catalog -----------------------------------------------------------------

_TABLES: dict[tuple[str, int], frozenset[str]] = {}


def _tables(catalog: Catalog) -> frozenset[str]:
    """The catalog's tables, read again only when its schema changed (``schema_version``
    moves with every CREATE or DROP): every results page asks, and listing them was a
    twentieth of a search's time."""
    row = catalog.one("PRAGMA schema_version")
    version = int(row[0]) if row is not None else -1
    key = (str(catalog.path), version)
    found = _TABLES.get(key)
    if found is None:
        found = frozenset(r["name"] for r in catalog.query(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))
        if len(_TABLES) > 64:
            _TABLES.clear()
        _TABLES[key] = found
    return found


def has_table(catalog: Catalog, name: str) -> bool:
    """Whether another area's table exists yet (articles, analysis and corrections arrive
    with their stages)."""
    return name in _tables(catalog)


def _chunks(ids: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _batches(catalog: Catalog, base: str, alias: str, ids: Iterable[str] | None,
             issue_ids: Iterable[str] | None) -> Iterator[tuple[str, list[str]]]:
    """The query ``base`` split into batches: by ``ids``, by ``issue_ids``, or (neither)
    by groups of issues, so a 250,000-article archive streams instead of loading at once."""
    if ids is not None:
        column, wanted = f"{alias}.id", sorted(set(ids))
    else:
        column = f"{alias}.issue_id"
        if issue_ids is not None:
            wanted = sorted(set(issue_ids))
        else:
            wanted = [r["id"] for r in catalog.query("SELECT id FROM issue WHERE missing = 0 ORDER BY id")]
    for chunk in _chunks(wanted, 500 if ids is not None else 40):
        yield base + f" AND {column} IN ({','.join('?' * len(chunk))})", chunk


def _ref_ids(raw: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for doc_id in raw:
        norm = normalize_identifier(doc_id) or nfc(doc_id).strip()
        if norm and norm not in out:
            out.append(norm)
    return tuple(sorted(out))


def effective_articles(catalog: Catalog, ids: Iterable[str] | None = None, *,
                       issue_ids: Iterable[str] | None = None, text: bool = True,
                       outlines: bool = False,
                       uncertain_below: float | None = None) -> Iterator[IndexDoc]:
    """The articles in force: the ``article`` rows (``indexer/segment/edits.py`` writes
    editors' field, split and merge corrections into them, and editors' topic labels into
    ``article_topic``), their topic labels (``label = 1``) and cited documents. Without
    ``ids``/``issue_ids``, every article of every issue still held. With ``text=False`` the
    text is left out (cheap, for page spans); ``outlines=True`` reads the boxes too (for
    marking hits; not indexed); ``uncertain_below`` (a confidence 0..100) fills
    ``uncertain`` from the words of its pages inside its outline (the index stage)."""
    tables = _tables(catalog)
    if "article" not in tables:
        return
    columns = ("a.id, a.issue_id, a.seq, a.section, a.title, a.byline, a.first_page, a.last_page,"
               " a.kind, a.confidence, a.boxes, i.series, i.year, i.number, i.date"
               + (", a.text" if text else ""))
    base = (f"SELECT {columns} FROM article a JOIN issue i ON i.id = a.issue_id"
            " WHERE i.missing = 0")
    for sql, params in _batches(catalog, base, "a", ids, issue_ids):
        rows = catalog.query(sql + " ORDER BY a.issue_id, a.seq, a.id", params)
        if not rows:
            continue
        art_ids = [r["id"] for r in rows]
        topics = _multi(catalog, tables, "article_topic", "topic", art_ids, "label = 1")
        # a document read by OCR and not in the register counts once an editor confirms it
        doubtful = COUNTED_REF if "ref_review" in tables else "1 = 1"
        refs = _multi(catalog, tables, "article_ref", "doc_id", art_ids, doubtful)
        words = _uncertain_words(catalog, {(r["issue_id"], p) for r in rows
                                           for p in range(int(r["first_page"]), int(r["last_page"]) + 1)},
                                 uncertain_below) if uncertain_below is not None else {}
        for r in rows:
            boxes = _boxes(r["boxes"]) if (outlines or words) else {}
            yield IndexDoc(
                id=r["id"], doctype="article", issue_id=r["issue_id"], series=r["series"],
                year=int(r["year"]), number=r["number"], date=r["date"] or "", seq=int(r["seq"]),
                first_page=int(r["first_page"]), last_page=int(r["last_page"]),
                title=nfc(r["title"] or ""), byline=nfc(r["byline"] or ""),
                section=nfc(r["section"] or ""), kind=r["kind"] or "",
                topics=tuple(sorted(set(topics.get(r["id"], [])))), refs=_ref_ids(refs.get(r["id"], [])),
                text=nfc(r["text"] or "") if text else "", conf=float(r["confidence"] or 0.0),
                boxes=boxes if outlines else {},
                uncertain=_uncertain_in(words, r["issue_id"], int(r["first_page"]),
                                        int(r["last_page"]), boxes) if words else ())


def _multi(catalog: Catalog, tables: frozenset[str] | set[str], table: str, column: str, ids: list[str],
           where: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if table not in tables:
        return out
    for chunk in _chunks(ids):
        rows = catalog.query(f"SELECT article_id, {column} AS v FROM {table} WHERE {where}"
                             f" AND article_id IN ({','.join('?' * len(chunk))})", chunk)
        for r in rows:
            out.setdefault(r["article_id"], []).append(r["v"])
    return out


def _boxes(raw: str | None) -> dict[int, list[tuple[float, float, float, float]]]:
    if not raw:
        return {}
    try:
        data = json.loads(raw)
        return {int(seq): [tuple(b) for b in boxes] for seq, boxes in data.items()}  # type: ignore[misc]
    except (ValueError, TypeError, AttributeError):
        return {}


def effective_pages(catalog: Catalog, ids: Iterable[str] | None = None, *,
                    issue_ids: Iterable[str] | None = None,
                    uncertain_below: float | None = None,
                    orphans: bool = True) -> Iterator[IndexDoc]:
    """The page texts in force: an editor's latest version (``archive.editorial``), else
    the machine text made from the page's current source; pages without text are left out.
    ``orphan`` is set for pages that no article in force covers (``orphans=False`` skips
    that look-up: a results page does not show it); ``uncertain_below`` fills
    ``uncertain`` as for articles."""
    tables = _tables(catalog)
    wanted = sorted(set(ids)) if ids is not None else None
    corrected: set[str] = set()
    raw_words: dict[str, tuple[str, ...]] = {}
    # with ``ids`` (a results page: 20 pages) only their rows are read, not the whole tables
    scopes = [("", [])] if wanted is None else \
        [(f" AND page_id IN ({','.join('?' * len(c))})", c) for c in _chunks(wanted)]
    for where, params in scopes:
        if "page_version" in tables:
            corrected |= {r["page_id"] for r in catalog.query(
                "SELECT DISTINCT page_id FROM page_version WHERE 1 = 1" + where, params)}
        if "ocr_raw" in tables:
            for r in catalog.query("SELECT page_id, corrections FROM ocr_raw"
                                   " WHERE corrections != '[]'" + where, params):
                raw_words[r["page_id"]] = tuple(sorted({str(c[1]) for c in json.loads(r["corrections"])}))
    base = ("SELECT p.id, p.issue_id, p.seq, i.series, i.year, i.number, i.date, t.text,"
            " t.confidence FROM page p JOIN issue i ON i.id = p.issue_id LEFT JOIN page_text t"
            " ON t.page_id = p.id AND t.sha256 = p.sha256 WHERE i.missing = 0")
    for sql, params in _batches(catalog, base, "p", wanted, issue_ids):
        rows = catalog.query(sql + " ORDER BY p.issue_id, p.seq", params)
        spans = _covered(catalog, {r["issue_id"] for r in rows}) if rows and orphans else {}
        for r in rows:
            text, conf = r["text"], r["confidence"]
            words: tuple[Word, ...] = ()
            if r["id"] in corrected or (uncertain_below is not None and text is not None):
                version = effective_page(catalog, r["id"])
                if version is not None:
                    text, conf, words = version.text, version.confidence, version.words
            if text is None:
                continue
            low = _low_tokens([w for w in words if w.conf < uncertain_below]) \
                if uncertain_below is not None else ()
            seq = int(r["seq"])
            yield IndexDoc(
                id=r["id"], doctype="page", issue_id=r["issue_id"], series=r["series"],
                year=int(r["year"]), number=r["number"], date=r["date"] or "", seq=seq,
                first_page=seq, last_page=seq, text=nfc(text), conf=float(conf or 0.0),
                orphan=orphans and seq not in spans.get(r["issue_id"], set()), uncertain=low,
                alt=() if r["id"] in corrected else raw_words.get(r["id"], ()))


def _uncertain_words(catalog: Catalog, pages: set[tuple[str, int]],
                     below: float) -> dict[tuple[str, int], list[Word]]:
    """The words read below ``below`` on each (issue, page seq), in the page text in force."""
    out: dict[tuple[str, int], list[Word]] = {}
    for issue_id, seq in sorted(pages):
        version = effective_page(catalog, f"{issue_id}/{seq}")
        low = [w for w in version.words if w.conf < below] if version is not None else []
        if low:
            out[(issue_id, seq)] = low
    return out


def _uncertain_in(words: dict[tuple[str, int], list[Word]], issue_id: str, first: int, last: int,
                  boxes: dict[int, list[tuple[float, float, float, float]]]) -> tuple[str, ...]:
    """The article's share of the poorly read words: those inside its outline on each page
    (all of the page's when it has no outline there)."""
    found: list[Word] = []
    for seq in range(first, last + 1):
        outline = boxes.get(seq)
        for w in words.get((issue_id, seq), ()):
            cx, cy = (w.box[0] + w.box[2]) / 2, (w.box[1] + w.box[3]) / 2
            if not outline or any(b[0] - 0.005 <= cx <= b[2] + 0.005 and b[1] - 0.005 <= cy <= b[3] + 0.005
                                  for b in outline):
                found.append(w)
    return _low_tokens(found)


def _low_tokens(words: list[Word]) -> tuple[str, ...]:
    return tuple(sorted(set(terms(" ".join(nfc(w.text) for w in words))[1]))) if words else ()


def _covered(catalog: Catalog, issue_ids: set[str]) -> dict[str, set[int]]:
    """Pages covered by an article in force, per issue."""
    out: dict[str, set[int]] = {}
    for doc in effective_articles(catalog, issue_ids=issue_ids, text=False):
        out.setdefault(doc.issue_id, set()).update(range(doc.first_page, doc.last_page + 1))
    return out


def topics_version(catalog: Catalog) -> str:
    """The topic list version(s) the labels were made with ('' before the analyze stage)."""
    if "article_topic" not in _tables(catalog):
        return ""
    rows = catalog.query("SELECT DISTINCT topics_version AS v FROM article_topic ORDER BY 1")
    return ",".join(str(r["v"]) for r in rows)
