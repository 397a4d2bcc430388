"""Saved searches of any reader (tables ``saved_search``, ``saved_search_seen`` in
``archive/schema/070_saved_search.sql``): a named search with its filters, and what its owner
saw the last time they looked, so the reading room can list what is new since.

Why results are remembered by id and not by date: an article "added" to a search's results may
be a new issue ingested, a page re-read, a correction that now matches, or a topic label
given by an editor; only comparing the ids the search returns now with those it returned then
catches them all. The search itself is run by the web app (the engine lives above this layer);
this module stores and compares. Its messages are for readers (Vietnamese): only the web app
calls it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from archive import permalinks
from archive.catalog import Catalog, now
from archive.errors import UsageError
from archive.vntext import nfc

MAX_NAME = 200  # characters
MAX_PER_ACCOUNT = 500


@dataclass(frozen=True)
class SavedSearch:
    id: int
    account: str
    name: str
    ref: str  # canonical /search?… (no page), see archive.permalinks.saved_search_path
    created_at: str
    updated_at: str
    seen_at: str  # '' before the first look
    seen_total: int

    @property
    def path(self) -> str:
        return permalinks.saved_search_path(self.ref)

    @property
    def description(self) -> str:
        return permalinks.describe_search(self.ref)


def _row(r: object) -> SavedSearch:
    return SavedSearch(r["id"], r["account"], r["name"], r["ref"], r["created_at"],  # type: ignore[index]
                       r["updated_at"], r["seen_at"], r["seen_total"])  # type: ignore[index]


def _name(name: str) -> str:
    name = " ".join(nfc(name).split())[:MAX_NAME]
    if not name:
        raise UsageError("Cần đặt tên cho tìm kiếm đã lưu.")
    return name


def save(catalog: Catalog, account: str, name: str, ref: str, seen: Iterable[str]) -> SavedSearch:
    """Save the search ``ref`` for ``account``; ``seen`` are its result ids now (nothing is
    new at the moment it is saved)."""
    path = permalinks.saved_search_path(ref)
    if path == "/search":
        raise UsageError("Cần có từ khóa hoặc bộ lọc để lưu.")
    ids = sorted(set(seen))
    stamp = now()
    with catalog.transaction() as db:
        n = db.execute("SELECT COUNT(*) FROM saved_search WHERE account = ?", (account,)).fetchone()[0]
        if n >= MAX_PER_ACCOUNT:
            raise UsageError(f"Mỗi tài khoản lưu được tối đa {MAX_PER_ACCOUNT} tìm kiếm.")
        cur = db.execute("INSERT INTO saved_search(account, name, ref, created_at, updated_at, seen_at,"
                         " seen_total) VALUES (?,?,?,?,?,?,?)",
                         (account, _name(name), path, stamp, stamp, stamp, len(ids)))
        new_id = int(cur.lastrowid or 0)
        db.executemany("INSERT INTO saved_search_seen(search_id, doc_id) VALUES (?, ?)",
                       [(new_id, i) for i in ids])
    found = get(catalog, account, new_id)
    assert found is not None
    return found


def list_for(catalog: Catalog, account: str) -> list[SavedSearch]:
    return [_row(r) for r in catalog.query(
        "SELECT * FROM saved_search WHERE account = ? ORDER BY name COLLATE NOCASE, id", (account,))]


def get(catalog: Catalog, account: str, search_id: int) -> SavedSearch | None:
    """The saved search ``search_id`` when ``account`` owns it (None otherwise: another
    reader's searches are not even said to exist)."""
    row = catalog.one("SELECT * FROM saved_search WHERE id = ? AND account = ?", (search_id, account))
    return _row(row) if row else None


def rename(catalog: Catalog, account: str, search_id: int, name: str) -> bool:
    with catalog.transaction() as db:
        return db.execute("UPDATE saved_search SET name = ?, updated_at = ? WHERE id = ? AND account = ?",
                          (_name(name), now(), search_id, account)).rowcount > 0


def delete(catalog: Catalog, account: str, search_id: int) -> bool:
    with catalog.transaction() as db:
        return db.execute("DELETE FROM saved_search WHERE id = ? AND account = ?",
                          (search_id, account)).rowcount > 0


def seen_ids(catalog: Catalog, search_id: int) -> set[str]:
    return {r[0] for r in catalog.query("SELECT doc_id FROM saved_search_seen WHERE search_id = ?",
                                        (search_id,))}


def new_since(catalog: Catalog, search: SavedSearch, current: Iterable[str]) -> list[str]:
    """The ids of ``current`` (the results now, in their order) its owner has not seen."""
    seen = seen_ids(catalog, search.id)
    return [i for i in current if i not in seen]


def mark_seen(catalog: Catalog, search: SavedSearch, current: Iterable[str]) -> None:
    """The owner looked now: remember the results they saw."""
    ids = sorted(set(current))
    with catalog.transaction() as db:
        db.execute("DELETE FROM saved_search_seen WHERE search_id = ?", (search.id,))
        db.executemany("INSERT INTO saved_search_seen(search_id, doc_id) VALUES (?, ?)",
                       [(search.id, i) for i in ids])
        db.execute("UPDATE saved_search SET seen_at = ?, seen_total = ? WHERE id = ?",
                   (now(), len(ids), search.id))
