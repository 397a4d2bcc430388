"""Evidence collections (*bộ sưu tập minh chứng*): named, ordered lists of articles and saved
searches, each with a note, that the summary report cites.

They live in the catalog (table ``collection``/``collection_item``), so they survive
reindexing, cache deletion and upgrades, and are part of every backup. Items keep the title
shown when they were added, so a collection still reads well if an article is re-segmented.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

from archive.catalog import Catalog, now
from archive.errors import UsageError
from archive.vntext import fold, nfc


@dataclass(frozen=True)
class CollectionItem:
    id: int
    position: int
    kind: str  # article | search
    ref: str  # article id, or the canonical query string of a search
    title: str
    note: str
    added_by: str
    added_at: str


@dataclass(frozen=True)
class Collection:
    id: int
    slug: str
    name: str
    description: str
    owner: str
    created_at: str
    updated_at: str
    items: tuple[CollectionItem, ...] = ()


def slugify(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40] or "bo-suu-tap"
    return f"{base}-{secrets.token_hex(2)}"


def create_collection(catalog: Catalog, name: str, *, owner: str, description: str = "") -> Collection:
    name = nfc(name).strip()
    if not name:
        raise UsageError("bộ sưu tập cần có tên")
    stamp = now()
    with catalog.transaction() as db:
        for _ in range(10):
            slug = slugify(name)
            if not db.execute("SELECT 1 FROM collection WHERE slug = ? UNION ALL SELECT 1 FROM"
                              " issued_collection WHERE slug = ?", (slug, slug)).fetchone():
                break  # a slug once issued is never given to another collection
        cur = db.execute("INSERT INTO collection(slug, name, description, owner, created_at,"
                         " updated_at) VALUES (?,?,?,?,?,?)",
                         (slug, name, nfc(description), owner, stamp, stamp))
        new_id = cur.lastrowid
    result = get_collection(catalog, int(new_id or 0))
    assert result is not None
    return result


def _items(catalog: Catalog, collection_id: int) -> tuple[CollectionItem, ...]:
    return tuple(CollectionItem(r["id"], r["position"], r["kind"], r["ref"], r["title"], r["note"],
                                r["added_by"], r["added_at"])
                 for r in catalog.query("SELECT * FROM collection_item WHERE collection_id = ?"
                                        " ORDER BY position, id", (collection_id,)))


def _collection(catalog: Catalog, row) -> Collection:  # type: ignore[no-untyped-def]
    return Collection(row["id"], row["slug"], row["name"], row["description"], row["owner"],
                      row["created_at"], row["updated_at"], _items(catalog, row["id"]))


def get_collection(catalog: Catalog, key: int | str) -> Collection | None:
    """By numeric id or by slug."""
    column = "id" if isinstance(key, int) else "slug"
    row = catalog.one(f"SELECT * FROM collection WHERE {column} = ?", (key,))
    return _collection(catalog, row) if row else None


def list_collections(catalog: Catalog) -> list[Collection]:
    return [_collection(catalog, r) for r in catalog.query("SELECT * FROM collection ORDER BY name")]


def _touch(db, collection_id: int) -> None:  # type: ignore[no-untyped-def]
    db.execute("UPDATE collection SET updated_at = ? WHERE id = ?", (now(), collection_id))


def add_item(catalog: Catalog, collection_id: int, kind: str, ref: str, *, title: str = "",
             note: str = "", added_by: str) -> CollectionItem:
    if kind not in ("article", "search"):
        raise UsageError(f"loại mục {kind!r} không có: chỉ có article (tin, bài) hoặc search (tìm kiếm)")
    with catalog.transaction() as db:
        if not db.execute("SELECT 1 FROM collection WHERE id = ?", (collection_id,)).fetchone():
            raise UsageError(f"không có bộ sưu tập {collection_id}")
        if kind == "article" and db.execute(
                "SELECT 1 FROM collection_item WHERE collection_id = ? AND kind = 'article' AND ref = ?",
                (collection_id, ref)).fetchone():
            raise UsageError("tin, bài này đã có trong bộ sưu tập")
        pos = db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM collection_item"
                         " WHERE collection_id = ?", (collection_id,)).fetchone()[0]
        cur = db.execute("INSERT INTO collection_item(collection_id, position, kind, ref, title, note,"
                         " added_by, added_at) VALUES (?,?,?,?,?,?,?,?)",
                         (collection_id, pos, kind, ref, nfc(title), nfc(note), added_by, now()))
        _touch(db, collection_id)
        item_id = cur.lastrowid
    return next(i for i in _items(catalog, collection_id) if i.id == item_id)


def set_note(catalog: Catalog, item_id: int, note: str) -> None:
    with catalog.transaction() as db:
        row = db.execute("SELECT collection_id FROM collection_item WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise UsageError(f"không có mục {item_id} trong bộ sưu tập")
        db.execute("UPDATE collection_item SET note = ? WHERE id = ?", (nfc(note), item_id))
        _touch(db, row[0])


def remove_item(catalog: Catalog, item_id: int) -> None:
    with catalog.transaction() as db:
        row = db.execute("SELECT collection_id FROM collection_item WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise UsageError(f"không có mục {item_id} trong bộ sưu tập")
        db.execute("DELETE FROM collection_item WHERE id = ?", (item_id,))
        _touch(db, row[0])


def move_item(catalog: Catalog, item_id: int, new_position: int) -> None:
    """Move an item to 1-based ``new_position``; the others keep their order."""
    with catalog.transaction() as db:
        row = db.execute("SELECT collection_id FROM collection_item WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise UsageError(f"không có mục {item_id} trong bộ sưu tập")
        ids = [r[0] for r in db.execute("SELECT id FROM collection_item WHERE collection_id = ?"
                                        " ORDER BY position, id", (row[0],))]
        ids.remove(item_id)
        ids.insert(max(0, min(new_position - 1, len(ids))), item_id)
        for pos, iid in enumerate(ids, 1):
            db.execute("UPDATE collection_item SET position = ? WHERE id = ?", (pos, iid))
        _touch(db, row[0])


def rename_collection(catalog: Catalog, collection_id: int, name: str, description: str | None = None) -> None:
    name = nfc(name).strip()
    if not name:
        raise UsageError("bộ sưu tập cần có tên")
    with catalog.transaction() as db:
        db.execute("UPDATE collection SET name = ?, description = COALESCE(?, description),"
                   " updated_at = ? WHERE id = ?",
                   (name, nfc(description) if description is not None else None, now(), collection_id))


def delete_collection(catalog: Catalog, collection_id: int) -> None:
    """Delete a collection; its link /c/<slug> keeps answering with what it held
    (``issued_collection``)."""
    found = get_collection(catalog, collection_id)
    with catalog.transaction() as db:
        if found is not None:
            items = [[i.kind, i.ref, i.title] for i in found.items]
            db.execute("INSERT OR REPLACE INTO issued_collection(slug, name, deleted_at, items)"
                       " VALUES (?,?,?,?)", (found.slug, found.name, now(),
                                             json.dumps(items, ensure_ascii=False)))
        db.execute("DELETE FROM collection WHERE id = ?", (collection_id,))


def deleted_collection(catalog: Catalog, slug: str) -> tuple[str, str, list[tuple[str, str, str]]] | None:
    """(name, deleted at, [(kind, ref, title)]) of a deleted collection, or None."""
    row = catalog.one("SELECT * FROM issued_collection WHERE slug = ?", (slug,))
    if row is None:
        return None
    return row["name"], row["deleted_at"], [(str(k), str(r), str(t)) for k, r, t in json.loads(row["items"])]
