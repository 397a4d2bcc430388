"""Generations of the search index: atomic publication, the writer lock, the manifest.

Layout of ``index/search/``::

    CURRENT            names the generation readers use ("gen-000007"), replaced atomically
    gen-000007/        a Whoosh index + manifest.sqlite (document id → content key, versions)
    writer.lock        held (flock) by the one process that writes

Why generations: a Whoosh commit writes several files and is not crash-safe, so the writer
never touches the generation readers use. An update hard-links the current generation's
files into a new directory (Whoosh only ever adds and deletes files, never rewrites one),
applies its changes there, fsyncs them, and only then replaces ``CURRENT`` with
:func:`os.replace`. A crash or ``kill -9`` at any moment leaves ``CURRENT`` naming a
complete generation; the next writer deletes the half-written one. Readers reopen when
``CURRENT`` changes; the generation before the current one is kept for readers still on it.
No search engine is imported here.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.errors import BantinError, ExitCode, IndexLocked

CURRENT = "CURRENT"
MANIFEST = "manifest.sqlite"
LOCK = "writer.lock"
CHUNK = 1 << 20  # bytes hashed at a time
REBUILD_HINT = ("run `bantin index --rebuild` to rebuild it from the catalog (nothing is lost: "
                "the index is derived)")


class IndexDamaged(BantinError):
    """The current generation's files no longer match their checksums, or cannot be read."""

    exit_code = ExitCode.PARTIAL


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _index_files(gen: Path) -> list[Path]:
    """The generation's Whoosh files (not the manifest, its journal or lock files)."""
    return sorted(p for p in gen.iterdir() if p.is_file() and not p.name.startswith(MANIFEST)
                  and not p.name.endswith("LOCK"))


def verify_generation(gen: Path, verified: set[tuple[str, int, int, int]] | None = None) -> list[str]:
    """What is wrong with generation ``gen`` ([] when sound): the manifest must be a sound
    SQLite file, and every index file recorded at publication must still be there with the
    same size and SHA-256 (generations published before checksums were kept: the manifest
    only). Reads every byte (16 MB for the full sample: tens of milliseconds). ``verified``
    (a reader's memory of files already checked, by name, inode, size and mtime) skips files
    seen before, so a reader re-checks only the new segments of an updated generation."""
    problems: list[str] = []
    try:
        manifest = Manifest(gen, readonly=True)
        try:
            check = manifest.db.execute("PRAGMA quick_check").fetchall()
            if [r[0] for r in check] != ["ok"]:
                problems.append(f"{gen.name}/{MANIFEST} is damaged ({str(check[0][0])[:100]})")
            files = manifest.files()
        finally:
            manifest.close()
    except sqlite3.DatabaseError as e:
        return [f"{gen.name}/{MANIFEST} cannot be read ({e})"]
    for name, (size, digest) in sorted(files.items()):
        path = gen / name
        try:
            st = path.stat()
            seen = (name, st.st_ino, st.st_size, st.st_mtime_ns)
            if verified is not None and seen in verified:
                continue
            if st.st_size != size:
                problems.append(f"{gen.name}/{name} has changed size")
            elif _sha256(path) != digest:
                problems.append(f"{gen.name}/{name} does not match its checksum")
            elif verified is not None:
                verified.add(seen)
        except OSError as e:
            problems.append(f"{gen.name}/{name} cannot be read ({e.strerror or e})")
    return problems


def _chunks(ids: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


class IndexStore:
    """The generations under ``index/search/`` (see the module docstring)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def current(self) -> Path | None:
        """The generation readers use, or None when there is none yet."""
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        path = self.root / name
        return path if name.startswith("gen-") and (path / MANIFEST).exists() else None

    def generations(self) -> list[Path]:
        if not self.root.exists():
            return []
        return sorted(p for p in self.root.iterdir() if p.is_dir() and p.name.startswith("gen-"))

    @contextmanager
    def writing(self, timeout: float = 60.0) -> Iterator[None]:
        """Hold the writer lock (one writer process at a time); IndexLocked after ``timeout``."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexLocked(
                            f"the search index {self.root} is being written by another process;"
                            " wait for it to finish, then run `bantin index` again") from None
                    time.sleep(0.1)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            yield
        finally:
            os.close(fd)

    def cleanup(self) -> None:
        """Delete half-written generations and all but the one before the current (which a
        reader may still have open). Call with the writer lock held."""
        current = self.current()
        gens = self.generations()
        older = [g for g in gens if current is not None and g.name < current.name]
        for gen in gens:
            if gen == current or (older and gen == older[-1]):
                continue
            shutil.rmtree(gen, ignore_errors=True)

    def _next(self) -> Path:
        numbers = [int(g.name[4:]) for g in self.generations() if g.name[4:].isdigit()]
        return self.root / f"gen-{max(numbers, default=0) + 1:06d}"

    def empty(self) -> Path:
        gen = self._next()
        gen.mkdir(parents=True)
        return gen

    def fork(self, source: Path) -> Path:
        """A new generation sharing ``source``'s index files (hard links) with its own copy of
        the manifest. Whoosh only ever adds and deletes files, so the source stays intact."""
        gen = self._next()
        gen.mkdir(parents=True)
        for path in source.iterdir():
            if path.is_dir() or path.name.endswith("LOCK") or path.name.startswith(MANIFEST + "-"):
                continue
            if path.name == MANIFEST:
                shutil.copy2(path, gen / path.name)
            else:
                os.link(path, gen / path.name)
        return gen

    def publish(self, gen: Path) -> None:
        """Make ``gen`` the one readers use: flush its files to disk, then swap CURRENT."""
        for path in gen.iterdir():
            if path.is_file() and path.stat().st_nlink == 1:
                _fsync(path)
        _fsync_dir(gen)
        tmp = self.root / (CURRENT + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(gen.name + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.root / CURRENT)
        _fsync_dir(self.root)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Manifest:
    """``manifest.sqlite`` of a generation: each document's content key, and the versions."""

    def __init__(self, gen: Path, *, readonly: bool = False) -> None:
        path = gen / MANIFEST
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True,
                                      check_same_thread=False)
        else:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode = DELETE")
            self.db.execute("CREATE TABLE IF NOT EXISTS doc (id TEXT PRIMARY KEY, ckey TEXT NOT NULL,"
                            " doctype TEXT NOT NULL, issue_id TEXT NOT NULL)")
            self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self.db.execute("CREATE TABLE IF NOT EXISTS file (name TEXT PRIMARY KEY, size INTEGER NOT NULL,"
                            " sha256 TEXT NOT NULL)")

    def close(self) -> None:
        self.db.close()

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, **values: str) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                            list(values.items()))

    def keys(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT id, ckey FROM doc").fetchall())

    def keys_of(self, ids: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(sorted(set(ids))):
            out.update(self.db.execute(f"SELECT id, ckey FROM doc WHERE id IN ({','.join('?' * len(chunk))})",
                                       chunk).fetchall())
        return out

    def replace(self, rows: list[tuple[str, str, str, str]], gone: list[str]) -> None:
        """Record added or rewritten documents ``(id, ckey, doctype, issue_id)`` and forget
        ``gone``, in one transaction."""
        self.db.execute("BEGIN")
        for chunk in _chunks(sorted(gone)):
            self.db.execute(f"DELETE FROM doc WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        self.db.executemany("INSERT OR REPLACE INTO doc(id, ckey, doctype, issue_id)"
                            " VALUES (?, ?, ?, ?)", rows)
        self.db.execute("COMMIT")

    def issues_of(self, ids: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunks(sorted(set(ids))):
            out.update(r[0] for r in self.db.execute(
                f"SELECT issue_id FROM doc WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def digest(self) -> str:
        h = hashlib.sha1()
        for doc_id, ckey in self.db.execute("SELECT id, ckey FROM doc ORDER BY id"):
            h.update(f"{doc_id}\t{ckey}\n".encode())
        return h.hexdigest()

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM doc").fetchone()[0])

    def files(self) -> dict[str, tuple[int, str]]:
        """name → (size, sha256) of the index files recorded at publication ({} before)."""
        try:
            rows = self.db.execute("SELECT name, size, sha256 FROM file").fetchall()
        except sqlite3.OperationalError:  # a generation published before checksums were kept
            return {}
        return {name: (size, digest) for name, size, digest in rows}

    def record_files(self, gen: Path) -> None:
        """Record each index file's size and SHA-256 (call before publishing). Files carried
        over from the forked generation (hard links, never rewritten by Whoosh) keep the
        checksum recorded when they were first written, so a damaged file stays detectable."""
        known = self.files()
        present = {p.name: p for p in _index_files(gen)}
        rows = []
        for name, path in present.items():
            size = path.stat().st_size
            if name in known and known[name][0] == size:
                continue
            rows.append((name, size, _sha256(path)))
        self.db.execute("BEGIN")
        self.db.executemany("DELETE FROM file WHERE name = ?", [(n,) for n in known if n not in present])
        self.db.executemany("INSERT OR REPLACE INTO file(name, size, sha256) VALUES (?, ?, ?)", rows)
        self.db.execute("COMMIT")


def index_version(digest: str, *versions: str) -> str:
    """Twelve hex characters naming what a count was made from: the indexed documents'
    content keys (``digest``) and the analyzer, schema and topic-list ``versions``."""
    payload = "|".join([digest, *versions])
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:12]
