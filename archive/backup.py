"""Backup and restore of what cannot be rebuilt from the scans.

A backup is a ZIP holding ``catalog.sqlite`` (series, issues, page text, articles, editors'
corrections, collections, users, audit log), ``bantin.toml`` when present (the secret key),
and ``manifest.json`` (format, time, row counts, and each file's size and SHA-256, which
restore holds the ZIP to). The catalog is copied with SQLite's online
backup API, so the copy is consistent even while the web app or a stage is writing.
The search index and caches are derived and left out: `bantin build` rebuilds them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import tempfile
import tomllib
import zipfile
import zlib
from pathlib import Path
from typing import Any

from archive import issued
from archive.catalog import Catalog, now
from archive.config import SETTINGS, Config
from archive.errors import BadInput, UsageError

FORMAT = "bantin-backup/1"
MEMBERS = ("manifest.json", "catalog.sqlite", "bantin.toml")
MAX_MANIFEST = 1024 * 1024  # bytes
MAX_SETTINGS = 256 * 1024  # bytes
DISK_MARGIN = 64 * 1024 * 1024  # bytes left free on the disk after a restore
CHUNK = 1024 * 1024  # bytes read at a time


def _counts(db: sqlite3.Connection) -> dict[str, int]:
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def write_backup(config: Config, out: Path) -> dict[str, Any]:
    """Write the backup ZIP to ``out`` (atomically); returns the manifest."""
    if not config.catalog_path.exists():
        raise UsageError(f"no catalog at {config.catalog_path}: nothing to back up "
                         "(run `bantin build` first, or check --home)")
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".bantin-backup-") as tmp:
        copy = Path(tmp) / "catalog.sqlite"
        source = Catalog(config.catalog_path)  # applies the schema, sets WAL
        try:
            target = sqlite3.connect(copy)
            try:
                source.db.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
                counts = _counts(target)
            finally:
                target.close()
        finally:
            source.close()
        members = {"catalog.sqlite": copy}
        settings = config.home / "bantin.toml"
        if settings.exists():
            members["bantin.toml"] = Path(tmp) / "bantin.toml"
            shutil.copyfile(settings, members["bantin.toml"])  # one read: size and bytes agree
        files = {name: {"size": path.stat().st_size, "sha256": _sha256(path)}
                 for name, path in members.items()}
        manifest = {"format": FORMAT, "created": now(), "home": str(config.home), "tables": counts,
                    "files": files}
        partial = Path(tmp) / "backup.zip"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name, path in members.items():
                z.write(path, name)
            z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        os.replace(partial, out)
    return manifest


def _holds_data(config: Config) -> bool:
    if not config.catalog_path.exists():
        return False
    db = sqlite3.connect(f"file:{config.catalog_path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return any(db.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone()
                   for t in ("issue", "account", "page_version", "collection") if t in tables)
    finally:
        db.close()


def _refuse(source: Path, fault: str) -> BadInput:
    return BadInput(source, " ".join(f"not restored: {fault}".split()),
                    "nothing in the home was changed; use a file `bantin backup` wrote")


def _entries(z: zipfile.ZipFile, source: Path) -> dict[str, zipfile.ZipInfo]:
    """The backup's entries by name: regular files with known names only."""
    out: dict[str, zipfile.ZipInfo] = {}
    for info in z.infolist():
        kind = stat.S_IFMT(info.external_attr >> 16)
        if info.filename not in MEMBERS:
            raise _refuse(source, f"unexpected entry {info.filename[:80]!r} (a backup holds only "
                                  f"{', '.join(MEMBERS)})")
        if info.is_dir() or kind not in (0, stat.S_IFREG):
            what = "a link" if kind == stat.S_IFLNK else "not a regular file"
            raise _refuse(source, f"entry {info.filename!r} is {what}")
        if info.filename in out:
            raise _refuse(source, f"entry {info.filename!r} appears twice")
        if info.flag_bits & 0x1:
            raise _refuse(source, f"entry {info.filename!r} is encrypted")
        out[info.filename] = info
    for name in ("manifest.json", "catalog.sqlite"):
        if name not in out:
            raise _refuse(source, f"not a Bản tin backup (no {name})")
    return out


def _read_manifest(z: zipfile.ZipFile, info: zipfile.ZipInfo, source: Path) -> dict[str, Any]:
    if info.file_size > MAX_MANIFEST:
        raise _refuse(source, f"manifest.json is {info.file_size:,} bytes (at most {MAX_MANIFEST:,})")
    with z.open(info) as f:
        raw = f.read(MAX_MANIFEST + 1)
    if len(raw) > MAX_MANIFEST:
        raise _refuse(source, f"manifest.json is larger than {MAX_MANIFEST:,} bytes")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise _refuse(source, f"manifest.json is not valid JSON ({e})") from e
    if not isinstance(manifest, dict):
        raise _refuse(source, "manifest.json is not a JSON object")
    if manifest.get("format") != FORMAT:
        raise _refuse(source, f"unknown backup format {str(manifest.get('format'))[:40]!r} "
                              f"(this version reads {FORMAT})")
    return manifest


def _stated_sizes(manifest: dict[str, Any], entries: dict[str, zipfile.ZipInfo],
                  source: Path) -> dict[str, int]:
    """The size each entry may have: the manifest's ``files`` (backups since issue 18) and the
    ZIP's own header must agree; older backups state none, and the header counts."""
    files = manifest.get("files")
    sizes: dict[str, int] = {}
    for name, info in entries.items():
        if name == "manifest.json":
            continue
        stated = info.file_size
        if isinstance(files, dict):
            entry = files.get(name)
            if not isinstance(entry, dict) or not isinstance(entry.get("size"), int):
                raise _refuse(source, f"manifest.json states no size for {name}")
            if entry["size"] != info.file_size:
                raise _refuse(source, f"{name} is {info.file_size:,} bytes in the ZIP but "
                                      f"{entry['size']:,} in manifest.json")
            stated = entry["size"]
        if name == "bantin.toml" and stated > MAX_SETTINGS:
            raise _refuse(source, f"bantin.toml is {stated:,} bytes (at most {MAX_SETTINGS:,})")
        sizes[name] = stated
    return sizes


def _extract(z: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limit: int,
             digest: str | None, source: Path) -> None:
    """Stream one entry to ``target``, stopping as soon as it passes ``limit`` bytes."""
    written = 0
    sha = hashlib.sha256()
    try:
        with z.open(info) as f, open(target, "wb") as out:
            while chunk := f.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise _refuse(source, f"{info.filename} holds more than the {limit:,} bytes "
                                          "it states")
                sha.update(chunk)
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as e:
        raise _refuse(source, f"{info.filename} cannot be read ({e})") from e
    if written != limit:
        raise _refuse(source, f"{info.filename} holds {written:,} bytes, not the {limit:,} it states")
    if digest is not None and sha.hexdigest() != digest:
        raise _refuse(source, f"{info.filename} does not match the checksum in manifest.json")


def _check_catalog(path: Path, source: Path) -> None:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = db.execute("PRAGMA integrity_check").fetchall()
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        raise _refuse(source, f"catalog.sqlite is not an SQLite database ({e})") from e
    if [r[0] for r in result] != ["ok"]:
        raise _refuse(source, f"catalog.sqlite is damaged ({str(result[0][0])[:120]})")
    if not {"issue", "page", "account"} <= tables:
        raise _refuse(source, "catalog.sqlite is not a Bản tin catalog (no issue, page or account table)")


def _check_settings(path: Path, source: Path) -> None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise _refuse(source, f"bantin.toml is not valid TOML ({e})") from e
    unknown = sorted(set(data) - {s.name for s in SETTINGS})
    if unknown:
        raise _refuse(source, f"bantin.toml holds unknown settings ({', '.join(unknown)[:120]})")
def keep_issued(restored: Path, replaced: Path) -> int:
    """Carry every permalink issued by the catalog being replaced into the restored one (ids
    made after the backup keep answering: they point at the restored articles holding their
    text). Returns the ids carried over."""
    catalog = Catalog(restored)  # applies the schema: a backup older than the log gets it
    carried = 0
    try:
        attached = replaced.exists()
        if attached:  # ATTACH is refused inside a transaction
            catalog.db.execute("ATTACH DATABASE ? AS replaced", (f"file:{replaced}?mode=ro",))
        with catalog.transaction() as db:
            issued.remember_all(db)
            tables = {r[0] for r in db.execute("SELECT name FROM replaced.sqlite_master")} if attached else set()
            if "article" in tables:  # ids in force there, logged or not
                carried += db.execute(
                    "INSERT OR IGNORE INTO issued_article(id, issue_id, title, text, live, targets,"
                    " first_at, updated_at) SELECT id, issue_id, title, text, 1, '[]', ?, ?"
                    " FROM replaced.article", (now(), now())).rowcount
            if "issued_article" in tables:
                carried += db.execute("INSERT OR IGNORE INTO issued_article SELECT * FROM"
                                      " replaced.issued_article").rowcount
            if "issued_collection" in tables:
                db.execute("INSERT OR IGNORE INTO issued_collection SELECT * FROM replaced.issued_collection")
            issued.refresh_all(db)
        if attached:
            catalog.db.execute("DETACH DATABASE replaced")
    finally:
        catalog.close()
    return carried


def restore_backup(config: Config, source: Path, *, force: bool = False) -> dict[str, Any]:
    """Read a backup into ``config.home``; refuses a home that holds data unless ``force``.

    Nothing in the home changes until the whole backup has been checked: entries must be
    regular files with the known names (no links, folders or others), no larger than the
    manifest and the ZIP header state (streamed with that cap), fitting on the disk; the
    manifest is capped at :data:`MAX_MANIFEST` bytes and must be JSON; the catalog must pass
    ``PRAGMA integrity_check`` and hold the catalog's tables; ``bantin.toml`` must be TOML
    with known settings. Any fault raises :class:`BadInput` with a one-line message (exit 4).
    """
    source = source.resolve()
    try:
        z = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile, ValueError) as e:
        raise BadInput(source, f"not a Bản tin backup ({e})", "give the file `bantin backup` wrote") from e
    with z:
        entries = _entries(z, source)
        manifest = _read_manifest(z, entries["manifest.json"], source)
        sizes = _stated_sizes(manifest, entries, source)
        if _holds_data(config) and not force:
            raise UsageError(f"{config.home} already holds an archive; restore into an empty "
                             "home, or pass --force to replace its catalog")
        if (config.home / "bantin.toml").exists() and "bantin.toml" in entries and not force:
            raise UsageError(f"{config.home / 'bantin.toml'} exists; pass --force to replace it")
        config.index_dir.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(config.index_dir).free
        needed = sum(sizes.values())
        if needed + DISK_MARGIN > free:
            raise _refuse(source, f"it needs {needed:,} bytes and {config.index_dir} has "
                                  f"{free:,} free (keeping {DISK_MARGIN:,} spare)")
        files = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
        with tempfile.TemporaryDirectory(dir=config.index_dir, prefix=".restore-") as tmp:
            staged = {}
            for name, limit in sizes.items():
                digest = files.get(name, {}).get("sha256") if files else None
                staged[name] = Path(tmp) / name
                _extract(z, entries[name], staged[name], limit,
                         digest if isinstance(digest, str) else None, source)
            _check_catalog(staged["catalog.sqlite"], source)
            if "bantin.toml" in staged:
                _check_settings(staged["bantin.toml"], source)
            keep_issued(staged["catalog.sqlite"], config.catalog_path)
            # every check passed: now, and only now, the home changes
            for suffix in ("-wal", "-shm"):
                Path(str(config.catalog_path) + suffix).unlink(missing_ok=True)
            os.replace(staged["catalog.sqlite"], config.catalog_path)
            if "bantin.toml" in staged:
                os.replace(staged["bantin.toml"], config.home / "bantin.toml")
    # the search index and caches describe the old catalog: drop them, `bantin build` remakes them
    for derived in (config.search_dir, config.cache_dir):
        shutil.rmtree(derived, ignore_errors=True)
    return manifest
