"""What a server process keeps of recent work: a small LRU, and whether the catalog changed.

Why: a reader pages through results, goes back, opens the same search again; a reading room
asks the same few questions many times. Answering a repeated search from memory is right only
while nothing it was made from changed: the index generation (:mod:`indexer.search.engine`
keys on it) and the catalog (corrected text, titles, topics, decisions), whose changes any
process may commit. SQLite's ``PRAGMA data_version``, read on a connection that never writes,
moves whenever another connection commits (about 7 µs a read), so a kept result is dropped by
the first commit after it, whoever made it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


class Recent(Generic[T]):
    """Values kept by key up to a total weight of ``size`` (each weighs ``weigh(value)``, 1 by
    default), the least recently used dropped first; shared by a server process's threads
    (the value is made outside the lock: two threads may both make it once, never a wrong one)."""

    def __init__(self, size: int, weigh: Callable[[T], int] | None = None) -> None:
        self.size = size
        self._weigh = weigh
        self._weight = 0
        self._kept: OrderedDict[Hashable, tuple[T, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        found = self.peek(key)
        if found is not None:
            return found
        value = make()
        self.put(key, value)
        return value

    def peek(self, key: Hashable) -> T | None:
        """The value kept for ``key`` (now the most recent), or None."""
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                return None
            self._kept.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: T, weight: int | None = None) -> None:
        """Keep ``value``; ``weight`` overrides ``weigh`` (when the key holds most of it)."""
        if weight is None:
            weight = self._weigh(value) if self._weigh else 1
        weight = max(1, weight)
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            self._kept[key] = (value, weight)
            self._weight += weight
            while self._weight > self.size and self._kept:
                _key, (_value, dropped) = self._kept.popitem(last=False)
                self._weight -= dropped

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._weight = 0

    def __len__(self) -> int:
        return len(self._kept)


class _Watch:
    """A read-only connection to one catalog, used for nothing but ``PRAGMA data_version``
    (its own value is meaningful only on the connection that read it: hence one of our own,
    opened again in a forked server process)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pid = os.getpid()
        self.inode = path.stat().st_ino
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self.lock = threading.Lock()

    def version(self) -> int:
        with self.lock:
            return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        """Close it (a connection opened in the parent of a forked process is left alone)."""
        if self.pid == os.getpid():
            with self.lock:
                self.db.close()


_watches: dict[Path, _Watch] = {}
_watches_lock = threading.Lock()


WATCHES_KEPT = 16  # catalogs watched at once (a server has one; a test run opens many)


def catalog_version(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """A value that changes whenever anyone commits to the catalog at ``path``, or the file is
    replaced (a restore): (inode, data_version). None when it cannot be read: then nothing
    may be answered from memory."""
    where = Path(path)
    try:
        inode = where.stat().st_ino
    except OSError:
        return None
    with _watches_lock:
        watch = _watches.get(where)
        if watch is None or watch.pid != os.getpid() or watch.inode != inode:
            stale = _watches.pop(where, None)
            if stale is not None:
                stale.close()
            try:
                watch = _Watch(where)
            except (OSError, sqlite3.Error):
                return None
            _watches[where] = watch
            while len(_watches) > WATCHES_KEPT:  # the one watched longest goes
                _watches.pop(next(iter(_watches))).close()
    try:
        return inode, watch.version()
    except sqlite3.Error:
        with _watches_lock:
            _watches.pop(where, None)
        return None
