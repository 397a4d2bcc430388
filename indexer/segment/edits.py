"""Editors' corrections of articles: fields, split, merge, with history and restore.

Why replayed edits instead of edited rows: segmentation is rerun whenever a page's text
changes (an OCR correction, a better segmenter), and an editor's work must survive that. So
the catalog keeps three things apart:

* ``article_machine``: the segmenter's articles of an issue, exactly as it made them;
* ``issue_op``: structural edits of the issue (split an article at a paragraph, merge
  articles), replayed in order over the machine articles (:mod:`indexer.segment.ops`);
* ``article_version``: per article id, the fields an editor set (title, section, kind,
  byline, first_page, last_page, topics); the highest version is in force, version 0 is the
  machine's values, a restore adds a version with an older version's fields.

:func:`apply_edits` turns machine articles into the articles in force; the segment stage
writes those to ``article``, and every edit here rewrites the issue's ``article`` rows in the
same transaction as the edit itself, so readers (web app, analysis, index, review) see the
correction at once and a crash leaves the old or the new state, never a mix. Changed
article ids go to ``reindex_queue`` in that transaction, the record from which the index
catches up (:mod:`indexer.refresh`, ``bantin build``).

Concurrency: every form carries the version it started from (``base_version`` for an
article's fields, ``base_ops`` for an issue's structure); a stale one raises
:class:`archive.editorial.EditConflict` with the values in force and a diff.

Why one module of a little over 400 lines: field edits, their history and :func:`materialise`
share one transaction and one row format; structural edits live in :mod:`indexer.segment.ops`
and :mod:`indexer.segment.structure`.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from archive import issued
from archive.catalog import Catalog, now, queue_stamp
from archive.editorial import EditConflict, fault_point, text_diff
from archive.errors import UsageError
from archive.models import ARTICLE_KINDS, Article
from archive.topiclabels import record_label
from archive.vntext import nfc
from indexer.segment.ops import carry_renames, read_ops, replay

log = logging.getLogger(__name__)

FIELDS = ("title", "section", "kind", "byline", "first_page", "last_page", "topics")
LABELS = {"title": "Tiêu đề", "section": "Chuyên mục", "kind": "Loại", "byline": "Tác giả",
          "first_page": "Từ trang", "last_page": "Đến trang", "topics": "Chủ đề"}
MAX_TEXT = {"title": 500, "section": 200, "byline": 300}  # characters
MAX_TOPICS = 8
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


@dataclass(frozen=True)
class ArticleVersion:
    """One version of an article's editable fields; ``fields`` holds the editor's values in
    force after this version (empty for version 0, the machine's)."""

    article_id: str
    version: int
    fields: dict[str, Any]
    author: str  # "" for the machine
    at: str
    reason: str


@dataclass(frozen=True)
class Materialised:
    """What rewriting an issue's ``article`` rows changed (ids)."""

    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    ids: tuple[str, ...] = field(default=())  # ids in force after the edit, in order


# --- reading -----------------------------------------------------------------------------

def article_from_json(data: Mapping[str, Any]) -> Article:
    """An :class:`Article` from its ``asdict`` JSON form (as ``article_machine`` stores it)."""
    values = dict(data)
    values["boxes"] = {int(k): [tuple(b) for b in v] for k, v in (values.get("boxes") or {}).items()}
    known = Article.__dataclass_fields__
    return Article(**{k: v for k, v in values.items() if k in known})


def _article_from_row(row: sqlite3.Row, issue: sqlite3.Row) -> Article:
    try:
        boxes = {int(k): [tuple(b) for b in v] for k, v in json.loads(row["boxes"] or "{}").items()}
    except (ValueError, TypeError, AttributeError):
        boxes = {}
    return Article(id=row["id"], issue_id=row["issue_id"], series=issue["series"],
                   year=issue["year"], number=issue["number"], seq=row["seq"],
                   section=row["section"] or "", title=row["title"] or "",
                   byline=row["byline"] or "", first_page=row["first_page"],
                   last_page=row["last_page"], kind=row["kind"] or "khac", text=row["text"] or "",
                   words=row["words"] or 0, confidence=row["confidence"] or 0.0,
                   date=(issue["date"] or "")[:7], boxes=boxes)  # type: ignore[arg-type]


def machine_articles(db: sqlite3.Connection, issue_id: str, *, snapshot: bool = True) -> list[Article]:
    """The segmenter's articles of an issue. An issue segmented before ``article_machine``
    existed (or whose rows were written by other means) has its current rows taken as its
    machine output, and stored as such (``snapshot``, inside a transaction) the first time an
    editor changes it."""
    row = db.execute("SELECT articles FROM article_machine WHERE issue_id = ?", (issue_id,)).fetchone()
    if row is not None:
        return [article_from_json(a) for a in json.loads(row[0])]
    issue = db.execute("SELECT * FROM issue WHERE id = ?", (issue_id,)).fetchone()
    if issue is None:
        raise UsageError(f"no issue {issue_id} in the catalog")
    rows = db.execute("SELECT * FROM article WHERE issue_id = ? ORDER BY seq, id", (issue_id,)).fetchall()
    articles = [_article_from_row(r, issue) for r in rows]
    if snapshot:
        db.execute("INSERT INTO article_machine(issue_id, articles, at) VALUES (?,?,?)",
                   (issue_id, json.dumps([asdict(a) for a in articles], ensure_ascii=False), now()))
    return articles


def _latest_fields(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), 500):
        chunk = list(ids[i:i + 500])
        marks = ",".join("?" * len(chunk))
        for r in db.execute(
                f"SELECT v.article_id, v.fields FROM article_version v WHERE v.article_id IN ({marks})"
                " AND v.version = (SELECT MAX(w.version) FROM article_version w"
                " WHERE w.article_id = v.article_id)", chunk):
            try:
                out[r[0]] = dict(json.loads(r[1]))
            except (ValueError, TypeError):
                log.warning("article %s: unreadable correction fields; machine values used", r[0])
    return out


def current_version(catalog: Catalog, article_id: str) -> int:
    row = catalog.one("SELECT MAX(version) AS v FROM article_version WHERE article_id = ?", (article_id,))
    return int(row["v"]) if row and row["v"] is not None else 0


def article_history(catalog: Catalog, article_id: str) -> list[ArticleVersion]:
    """Every version of an article's fields, oldest first (version 0: the machine's)."""
    out = [ArticleVersion(article_id, 0, {}, "", "", "")]
    for r in catalog.query("SELECT * FROM article_version WHERE article_id = ? ORDER BY version",
                           (article_id,)):
        out.append(ArticleVersion(article_id, r["version"], dict(json.loads(r["fields"])), r["author"],
                                  r["at"], r["reason"]))
    return out


def editor_topics(catalog: Catalog, ids: Iterable[str]) -> dict[str, list[str]]:
    """Topic labels set by an editor, per article id (only articles that have them): these
    replace the machine's labels (the analysis keeps its scores and evidence)."""
    fields = _latest_fields(catalog.db, list(ids))
    return {k: list(v["topics"]) for k, v in fields.items() if isinstance(v.get("topics"), list)}


def base_values(catalog: Catalog, article_id: str) -> Article | None:
    """The article as the machine made it, after structural edits but before field edits
    (what version 0 shows); None when it is not in force."""
    row = catalog.one("SELECT issue_id FROM article WHERE id = ?", (article_id,))
    if row is None:
        return None
    db = catalog.db
    articles = replay(machine_articles(db, row["issue_id"], snapshot=False), read_ops(db, row["issue_id"]))
    return next((a for a in articles if a.id == article_id), None)


# --- applying edits ----------------------------------------------------------------------

def apply_edits(catalog: Catalog, issue_id: str, machine: Sequence[Article]) -> list[Article]:
    """The articles in force of ``issue_id`` from its machine articles: structural edits
    replayed in order, then each article's latest fields (topics excepted: those live in
    the analysis tables). Used by the segment stage, inside its transaction, so edits survive
    re-segmentation; articles whose id changed with their title keep them
    (:func:`indexer.segment.ops.carry_renames`, against the previous machine output)."""
    db = catalog.db
    row = db.execute("SELECT articles FROM article_machine WHERE issue_id = ?", (issue_id,)).fetchone()
    if row is not None:
        previous = [article_from_json(a) for a in json.loads(row[0])]
        if [a.id for a in previous] != [a.id for a in machine]:
            carry_renames(db, issue_id, previous, machine)
    articles = replay(list(machine), read_ops(db, issue_id))
    return _with_fields(articles, _latest_fields(db, [a.id for a in articles]))


def _with_fields(articles: list[Article], fields: dict[str, dict[str, Any]]) -> list[Article]:
    out = []
    for n, a in enumerate(articles, 1):
        f = fields.get(a.id, {})
        values = {k: f[k] for k in ("title", "section", "kind", "byline") if isinstance(f.get(k), str)}
        first = int(f.get("first_page", a.first_page))
        last = max(first, int(f.get("last_page", a.last_page)))
        out.append(replace(a, seq=n, first_page=first, last_page=last, **values))
    return out


# --- writing the articles in force --------------------------------------------------------

def _row(a: Article) -> dict[str, Any]:
    boxes = json.dumps({str(k): [list(b) for b in v] for k, v in sorted(a.boxes.items())},
                       separators=(",", ":"))
    return {"seq": a.seq, "section": a.section, "title": a.title, "byline": a.byline,
            "first_page": a.first_page, "last_page": a.last_page, "kind": a.kind, "text": a.text,
            "words": a.words, "confidence": a.confidence, "boxes": boxes}


def materialise(db: sqlite3.Connection, catalog: Catalog, issue_id: str) -> Materialised:
    """Rewrite the issue's ``article`` rows as the edits say (inside the caller's
    transaction): rows updated in place (their analysis stays), new ones inserted, gone
    ones deleted; editors' topic labels applied; changed ids queued for the index."""
    issued.remember(db, issue_id)
    effective = apply_edits(catalog, issue_id, machine_articles(db, issue_id))
    old = {r["id"]: r for r in db.execute("SELECT * FROM article WHERE issue_id = ?", (issue_id,))}
    stamp = now()
    some = next(iter(old.values()), None)
    state = db.execute("SELECT source_key, segmenter FROM segment_state WHERE issue_id = ?",
                       (issue_id,)).fetchone()
    source_key = some["source_key"] if some else (state[0] if state else "editor")
    segmenter = some["segmenter"] if some else (state[1] if state else "editor")
    changed: list[str] = []
    for a in effective:
        row = _row(a)
        previous = old.get(a.id)
        if previous is not None and all(previous[k] == v for k, v in row.items()):
            continue
        changed.append(a.id)
        if previous is not None:
            sets = ", ".join(f"{k} = ?" for k in row)
            db.execute(f"UPDATE article SET {sets}, updated_at = ? WHERE id = ?",
                       [*row.values(), stamp, a.id])
        else:
            db.execute("INSERT INTO article(id, issue_id, seq, section, title, byline, first_page,"
                       " last_page, kind, text, words, confidence, boxes, source_key, segmenter,"
                       " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       (a.id, issue_id, a.seq, a.section, a.title, a.byline, a.first_page,
                        a.last_page, a.kind, a.text, a.words, a.confidence, row["boxes"],
                        source_key, segmenter, stamp))
    ids = [a.id for a in effective]
    removed = [i for i in old if i not in set(ids)]
    for i in removed:
        db.execute("DELETE FROM article WHERE id = ?", (i,))
    topics = editor_topics(catalog, ids)
    for article_id, labels in topics.items():
        if _set_labels(db, article_id, labels):
            changed.append(article_id)
    queue(db, [*changed, *removed], "article")
    issued.record(db, issue_id, effective)
    return Materialised(tuple(dict.fromkeys(changed)), tuple(removed), tuple(ids))


def _set_labels(db: sqlite3.Connection, article_id: str, labels: list[str]) -> bool:
    """Make ``labels`` the article's labels in ``article_topic`` (scores and evidence kept);
    True when anything changed. Without analysis rows yet, the analysis applies them later."""
    rows = {r[0]: r[1] for r in db.execute("SELECT topic, label FROM article_topic WHERE article_id = ?",
                                           (article_id,))}
    version = db.execute("SELECT topics_version FROM article_topic WHERE article_id = ? LIMIT 1",
                         (article_id,)).fetchone() or \
        db.execute("SELECT topics_version FROM article_topic LIMIT 1").fetchone()
    if version is None:
        return False
    changed = False
    for topic, label in rows.items():
        want = int(topic in labels)
        if label != want:
            db.execute("UPDATE article_topic SET label = ? WHERE article_id = ? AND topic = ?",
                       (want, article_id, topic))
            changed = True
    for topic in labels:
        if topic not in rows:
            db.execute("INSERT INTO article_topic(article_id, topic, score, label, evidence,"
                       " topics_version) VALUES (?,?,0,1,'{}',?)", (article_id, topic, version[0]))
            changed = True
    return changed


def queue(db: sqlite3.Connection, ids: Iterable[str], kind: str) -> None:
    """Record documents the search index must rewrite (drained by :mod:`indexer.refresh`
    right after the edit, or by ``bantin build``)."""
    stamp = queue_stamp()
    db.executemany("INSERT OR REPLACE INTO reindex_queue(doc_id, kind, at) VALUES (?,?,?)",
                   [(i, kind, stamp) for i in dict.fromkeys(ids) if i])


# --- the edits ---------------------------------------------------------------------------

def check_fields(changes: Mapping[str, Any], page_count: int) -> dict[str, Any]:
    """Validated, normalised field values (NFC text, ints, sorted unique topic slugs)."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in FIELDS:
            raise UsageError(f"trường {key!r} không có; chỉ có: {', '.join(FIELDS)}")
        if key in MAX_TEXT:
            text = " ".join(nfc(str(value)).split())
            if len(text) > MAX_TEXT[key]:
                raise UsageError(f"{LABELS[key]} dài quá {MAX_TEXT[key]} ký tự")
            if key == "title" and not text:
                raise UsageError("tin, bài cần có tiêu đề")
            out[key] = text
        elif key == "kind":
            if value not in ARTICLE_KINDS:
                raise UsageError(f"loại {value!r} không có; chọn một trong: {', '.join(ARTICLE_KINDS)}")
            out[key] = value
        elif key in ("first_page", "last_page"):
            try:
                page = int(value)
            except (TypeError, ValueError):
                raise UsageError(f"{LABELS[key]} phải là một số trang") from None
            if not 1 <= page <= max(1, page_count):
                raise UsageError(f"{LABELS[key]} phải từ 1 đến {page_count}")
            out[key] = page
        else:  # topics
            slugs = sorted({str(t) for t in value})
            if any(not _SLUG.match(s) for s in slugs) or len(slugs) > MAX_TOPICS:
                raise UsageError(f"chọn nhiều nhất {MAX_TOPICS} chủ đề có trong danh sách")
            out[key] = slugs
    return out


def current_values(catalog: Catalog, article_id: str) -> dict[str, Any] | None:
    """The editable fields of an article as they are in force now, or None."""
    row = catalog.one("SELECT * FROM article WHERE id = ?", (article_id,))
    if row is None:
        return None
    values = {k: row[k] for k in FIELDS if k != "topics"}
    values["topics"] = sorted(r["topic"] for r in catalog.query(
        "SELECT topic FROM article_topic WHERE article_id = ? AND label = 1", (article_id,)))
    return values


def describe(values: Mapping[str, Any]) -> str:
    """Fields as lines a person reads (for conflict diffs and history)."""
    lines = []
    for key in FIELDS:
        if key in values:
            value = values[key]
            shown = ", ".join(value) if isinstance(value, list) else str(value)
            lines.append(f"{LABELS[key]}: {shown}")
    return "\n".join(lines)


def edit_article(catalog: Catalog, article_id: str, changes: Mapping[str, Any], *, author: str,
                 base_version: int, reason: str = "") -> ArticleVersion:
    """Save an editor's field changes as the article's next version (one transaction).

    Only values that differ from those in force are recorded; with nothing to change the
    version in force is returned unchanged. Raises EditConflict when ``base_version`` is
    stale, UsageError for a bad value or an unknown article.
    """
    if not author:
        raise UsageError("a correction needs its author")
    with catalog.transaction() as db:
        row = db.execute("SELECT a.issue_id, i.page_count FROM article a JOIN issue i"
                         " ON i.id = a.issue_id WHERE a.id = ?", (article_id,)).fetchone()
        if row is None:
            raise UsageError(f"no article {article_id} in the catalog")
        current = current_version(catalog, article_id)
        now_values = current_values(catalog, article_id) or {}
        wanted = check_fields(changes, row["page_count"] or 1)
        if current != base_version:
            mine = {**now_values, **wanted}
            raise EditConflict(f"article {article_id}", base_version, current,
                               describe(now_values), text_diff(describe(now_values), describe(mine),
                                                               f"bản {current} đang có hiệu lực",
                                                               "bản bạn vừa sửa"))
        first = wanted.get("first_page", now_values.get("first_page", 1))
        last = wanted.get("last_page", now_values.get("last_page", first))
        if first > last:
            raise UsageError("trang đầu đứng sau trang cuối")
        wanted = {k: v for k, v in wanted.items() if now_values.get(k) != v}
        if not wanted:
            return article_history(catalog, article_id)[-1]
        fields = _latest_fields(db, [article_id]).get(article_id, {})
        fields.update(wanted)
        if "topics" in wanted:  # training data for the topic model, with the model in force
            record_label(db, article_id, wanted["topics"], editor=author, source="desk")
        _insert_version(db, catalog, article_id, row["issue_id"], current + 1, fields, author, reason)
    return article_history(catalog, article_id)[-1]


def _insert_version(db: sqlite3.Connection, catalog: Catalog, article_id: str, issue_id: str,
                    version: int, fields: dict[str, Any], author: str, reason: str) -> None:
    db.execute("INSERT INTO article_version(article_id, issue_id, version, fields, author, at,"
               " reason) VALUES (?,?,?,?,?,?,?)",
               (article_id, issue_id, version, json.dumps(fields, ensure_ascii=False), author,
                now(), nfc(reason)))
    if "topics" in fields or _had_topics(db, article_id, version):
        # the analysis is redone (machine scores, then these labels) by the refresh or `bantin analyze`
        db.execute("DELETE FROM analyze_state WHERE article_id = ?", (article_id,))
    fault_point("article-save")
    materialise(db, catalog, issue_id)


def _had_topics(db: sqlite3.Connection, article_id: str, version: int) -> bool:
    row = db.execute("SELECT fields FROM article_version WHERE article_id = ? AND version = ?",
                     (article_id, version - 1)).fetchone()
    return row is not None and "topics" in json.loads(row[0])


def restore_article(catalog: Catalog, article_id: str, version: int, *, author: str,
                    base_version: int, reason: str = "") -> ArticleVersion:
    """Bring back version ``version``'s fields as a new version (0: the machine's values)."""
    history = {v.version: v for v in article_history(catalog, article_id)}
    if version not in history:
        raise UsageError(f"tin, bài {article_id} không có bản {version}")
    with catalog.transaction() as db:
        row = db.execute("SELECT issue_id FROM article WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise UsageError(f"no article {article_id} in the catalog")
        current = current_version(catalog, article_id)
        if current != base_version:
            now_values = current_values(catalog, article_id) or {}
            raise EditConflict(f"article {article_id}", base_version, current, describe(now_values),
                               text_diff(describe(now_values), describe(history[version].fields),
                                         f"bản {current} đang có hiệu lực", f"bản {version}"))
        _insert_version(db, catalog, article_id, row["issue_id"], current + 1,
                        dict(history[version].fields), author,
                        reason or f"khôi phục phiên bản {version}")
    return article_history(catalog, article_id)[-1]


