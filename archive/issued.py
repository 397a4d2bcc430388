"""Every article id ever issued, and where its text is now (table ``issued_article``).

Why: reports, collections and citations store ``/a/<id>`` links, and an article's id can
stop being in force for many reasons: a corrected title changes the id (it hashes the
title), an editor merges it into another, undoes the split that made it, or a new segmenter
cuts the issue differently. The web app must then still open the right text. So every id
the catalog ever put in force is kept here with its last title and text; when it is gone,
``targets`` lists the articles in force that hold that text now (found by shared word
runs, not by ids, so it works whatever changed the segmentation). The web app redirects to
the one target or lists several (:func:`resolve`).

An id is never reused for other text: :func:`guard` gives a machine article whose id was
issued for a different text a fresh suffix before it is stored.

Writers (inside their transaction): the segment stage (``indexer.segment.stage.store_segmentation``)
and every editor's edit (``indexer.segment.edits.materialise``) call :func:`remember` before
they replace an issue's rows and :func:`record` after.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from archive.catalog import Catalog, now
from archive.models import Article
from archive.vntext import match_key

SHINGLE = 3  # words per shingle: runs of this many folded words identify a text
SAME_TEXT = 0.5  # share of one text's shingles found in the other: the same article's text
PART = 0.15  # share of a gone article's shingles an article in force must hold to be listed


def shingles(title: str, text: str) -> frozenset[str]:
    """Runs of :data:`SHINGLE` folded words of title and text (single words for a text
    shorter than that): the fingerprint compared between versions."""
    words = match_key(f"{title} {text}").split()
    if len(words) < SHINGLE:
        return frozenset(words)
    return frozenset(" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def contained(part: frozenset[str], whole: frozenset[str]) -> float:
    """Share of ``part``'s shingles found in ``whole`` (0 for an empty part)."""
    return len(part & whole) / len(part) if part else 0.0


def same_text(a: frozenset[str], b: frozenset[str]) -> bool:
    """One of the two texts is mostly inside the other (a correction, a split's head, a
    re-segmentation that moved a boundary): the same article."""
    if not a or not b:
        return a == b
    return max(contained(a, b), contained(b, a)) >= SAME_TEXT


@dataclass(frozen=True)
class _Text:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Where:
    """Where an issued id points now: ``live`` (in force), else ``targets`` (articles in
    force holding its text, best first; empty when its text is nowhere any more)."""

    id: str
    issue_id: str
    title: str
    live: bool
    targets: tuple[str, ...]


def remember(db: sqlite3.Connection, issue_id: str) -> None:
    """Log the issue's articles in force as issued (before a writer replaces them): ids
    issued before this table existed are kept too."""
    stamp = now()
    db.execute("INSERT OR IGNORE INTO issued_article(id, issue_id, title, text, live, targets,"
               " first_at, updated_at) SELECT id, issue_id, title, text, 1, '[]', ?, ? FROM article"
               " WHERE issue_id = ?", (stamp, stamp, issue_id))


def remember_all(db: sqlite3.Connection) -> int:
    """:func:`remember` for every issue at once (a catalog made before the table); returns
    the ids added."""
    stamp = now()
    cur = db.execute("INSERT OR IGNORE INTO issued_article(id, issue_id, title, text, live, targets,"
                     " first_at, updated_at) SELECT id, issue_id, title, text, 1, '[]', ?, ?"
                     " FROM article", (stamp, stamp))
    return cur.rowcount


def _logged(db: sqlite3.Connection, issue_id: str) -> dict[str, sqlite3.Row]:
    return {r["id"]: r for r in db.execute(
        "SELECT id, title, text, live, targets FROM issued_article WHERE issue_id = ?", (issue_id,))}


def guard(db: sqlite3.Connection, issue_id: str, articles: Sequence[Article]) -> list[Article]:
    """``articles`` with any id that was issued for another text given the next free suffix
    (``-2``, ``-3`` ...: the first one unissued, or issued for this same text)."""
    logged = _logged(db, issue_id)
    out: list[Article] = []
    taken = {a.id for a in articles}
    for a in articles:
        row = logged.get(a.id)
        if row is None or same_text(shingles(row["title"], row["text"]), shingles(a.title, a.text)):
            out.append(a)
            continue
        mine = shingles(a.title, a.text)
        n = 2
        while True:
            candidate = f"{a.id}-{n}"
            other = logged.get(candidate)
            if other is not None and candidate not in taken and \
                    same_text(shingles(other["title"], other["text"]), mine):
                break
            if other is None and candidate not in taken:
                break
            n += 1
        taken.add(candidate)
        out.append(replace(a, id=candidate))
    return out


def issued_ids(db: sqlite3.Connection, issue_id: str) -> set[str]:
    """Every id ever issued in the issue (a new id must avoid them)."""
    return {r[0] for r in db.execute("SELECT id FROM issued_article WHERE issue_id = ?", (issue_id,))}


def record(db: sqlite3.Connection, issue_id: str, articles: Iterable[Article | tuple[str, str, str]]) -> None:
    """After the issue's articles in force were written (same transaction): log them as
    live, and point every other id ever issued in the issue at the articles holding its text.
    ``articles``: :class:`Article` values or ``(id, title, text)``."""
    stamp = now()
    current = [_Text(*a) if isinstance(a, tuple) else _Text(a.id, a.title, a.text) for a in articles]
    for a in current:
        db.execute("INSERT INTO issued_article(id, issue_id, title, text, live, targets, first_at,"
                   " updated_at) VALUES (?,?,?,?,1,'[]',?,?) ON CONFLICT(id) DO UPDATE SET"
                   " issue_id=excluded.issue_id, title=excluded.title, text=excluded.text, live=1,"
                   " targets='[]', updated_at=excluded.updated_at",
                   (a.id, issue_id, a.title, a.text, stamp, stamp))
    live = {a.id for a in current}
    prints = [(a.id, shingles(a.title, a.text)) for a in current]
    for row in _logged(db, issue_id).values():
        if row["id"] in live:
            continue
        targets = json.dumps(list(holders(shingles(row["title"], row["text"]), prints)))
        if row["live"] or row["targets"] != targets:
            db.execute("UPDATE issued_article SET live = 0, targets = ?, updated_at = ? WHERE id = ?",
                       (targets, stamp, row["id"]))


def holders(gone: frozenset[str], prints: Sequence[tuple[str, frozenset[str]]]) -> tuple[str, ...]:
    """Ids of the articles holding a gone text, most first: greedily, each must hold at
    least :data:`PART` of the gone text not already found in those before it (so stock
    phrases shared by many articles do not list them all)."""
    left = set(gone)
    chosen: list[str] = []
    candidates = list(prints)
    while left and candidates:
        gain, best = max(((len(left & p), i) for i, p in candidates), key=lambda x: x[0])
        if not gone or gain / len(gone) < PART:
            break
        chosen.append(best)
        left -= next(p for i, p in candidates if i == best)
        candidates = [(i, p) for i, p in candidates if i != best]
    return tuple(chosen)


def resolve(catalog: Catalog, article_id: str) -> Where | None:
    """Where ``article_id`` points now, or None when it was never issued. Targets are
    checked against the articles in force (an issue removed since leaves none)."""
    row = catalog.one("SELECT * FROM issued_article WHERE id = ?", (article_id,))
    if row is None:
        return None
    live = catalog.one("SELECT 1 FROM article WHERE id = ?", (article_id,)) is not None
    targets: tuple[str, ...] = ()
    if not live:
        wanted = [str(t) for t in json.loads(row["targets"] or "[]")]
        present = {r[0] for r in catalog.query(
            f"SELECT id FROM article WHERE id IN ({','.join('?' * len(wanted))})", wanted)} if wanted else set()
        targets = tuple(t for t in wanted if t in present)
    return Where(row["id"], row["issue_id"], row["title"], live, targets)


def refresh_all(db: sqlite3.Connection) -> int:
    """Recompute where every gone id points (after a restore brought back ids issued since
    the backup); returns the issues gone through."""
    issues = [r[0] for r in db.execute("SELECT DISTINCT issue_id FROM issued_article WHERE live = 0"
                                       " OR id NOT IN (SELECT id FROM article)")]
    for issue_id in issues:
        rows = db.execute("SELECT id, title, text FROM article WHERE issue_id = ?", (issue_id,)).fetchall()
        record(db, issue_id, [(r["id"], r["title"] or "", r["text"] or "") for r in rows])
    return len(issues)
