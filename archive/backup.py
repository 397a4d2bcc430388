"""Backup and restore of what cannot be rebuilt from the scans.

A backup is a ZIP holding ``catalog.sqlite`` (series, issues, page text, articles, editors'
corrections, collections, users, audit log), ``bantin.toml`` when present (the secret key),
and ``manifest.json`` (format, time, row counts). The catalog is copied with SQLite's online
backup API, so the copy is consistent even while the web app or a stage is writing.
The search index and caches are derived and left out: `bantin build` rebuilds them.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from archive.catalog import Catalog, now
from archive.config import Config
from archive.errors import BadInput, UsageError

FORMAT = "bantin-backup/1"


def _counts(db: sqlite3.Connection) -> dict[str, int]:
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


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
        manifest = {"format": FORMAT, "created": now(), "home": str(config.home), "tables": counts}
        partial = Path(tmp) / "backup.zip"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.write(copy, "catalog.sqlite")
            settings = config.home / "bantin.toml"
            if settings.exists():
                z.write(settings, "bantin.toml")
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


def restore_backup(config: Config, source: Path, *, force: bool = False) -> dict[str, Any]:
    """Read a backup into ``config.home``; refuses a home that holds data unless ``force``."""
    source = source.resolve()
    try:
        z = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as e:
        raise BadInput(source, f"not a Bản tin backup ({e})", "give the file `bantin backup` wrote") from e
    with z:
        names = set(z.namelist())
        if "manifest.json" not in names or "catalog.sqlite" not in names:
            raise BadInput(source, "not a Bản tin backup (no manifest.json or catalog.sqlite)",
                           "give the file `bantin backup` wrote")
        manifest = json.loads(z.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise BadInput(source, f"unknown backup format {manifest.get('format')!r}",
                           f"this version reads {FORMAT}")
        if _holds_data(config) and not force:
            raise UsageError(f"{config.home} already holds an archive; restore into an empty "
                             "home, or pass --force to replace its catalog")
        if (config.home / "bantin.toml").exists() and "bantin.toml" in names and not force:
            raise UsageError(f"{config.home / 'bantin.toml'} exists; pass --force to replace it")
        config.index_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=config.index_dir, prefix=".restore-") as tmp:
            z.extract("catalog.sqlite", tmp)
            extracted = Path(tmp) / "catalog.sqlite"
            check = sqlite3.connect(extracted)
            try:
                if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BadInput(source, "the catalog inside is damaged", "use another backup")
            finally:
                check.close()
            for suffix in ("-wal", "-shm"):
                Path(str(config.catalog_path) + suffix).unlink(missing_ok=True)
            os.replace(extracted, config.catalog_path)
            if "bantin.toml" in names:
                z.extract("bantin.toml", tmp)
                os.replace(Path(tmp) / "bantin.toml", config.home / "bantin.toml")
    # the search index and caches describe the old catalog: drop them, `bantin build` remakes them
    for derived in (config.search_dir, config.cache_dir):
        shutil.rmtree(derived, ignore_errors=True)
    return manifest
