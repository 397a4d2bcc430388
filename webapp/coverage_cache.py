"""The coverage pages' cache: rendered page bodies, CSV, charts and reports, per state of the
archive.

Why: computing a coverage page is cheap, rendering its large tables is not (tens of
milliseconds), and drawing a chart or a report takes a second or more. Every key holds the
snapshot stamp (``review.corpus.stamp``), so any change of the catalog or index gives new keys
and nothing stale is served. Bodies and CSV stay in memory per process; charts and reports go
to ``index/cache/coverage/`` too, shared by the server's processes and restarts (derived data,
deletable like the rest of the cache).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)

MEMORY_ITEMS = 64  # pages, CSV, charts and reports kept in memory per process
DISK_ITEMS = 200  # charts and reports kept under index/cache/coverage/
_MEMORY: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
_LOCK = threading.Lock()


def cached(key: tuple[Any, ...], make: Callable[[], bytes], *, disk: str = "") -> bytes:
    """``make()`` once per key (which holds the snapshot stamp, so any change of the archive
    gives new keys): kept in this process's memory, and with ``disk`` (a file suffix) also
    under ``index/cache/coverage/``, shared by the server's processes and restarts (charts and
    reports take a second or more to draw)."""
    key = (current_app.config["CATALOG_PATH"], *key)  # several homes may share a process (tests)
    with _LOCK:
        hit = _MEMORY.get(key)
        if hit is not None:
            _MEMORY.move_to_end(key)
            return hit
    path = None
    if disk:
        folder = current_app.config["BANTIN"].cache_dir / "coverage"
        path = folder / (hashlib.sha1(repr(key).encode("utf-8")).hexdigest()[:24] + "." + disk)
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        if data:
            _remember(key, data)
            return data
    data = make()
    if path is not None:
        _store(path, data)
    _remember(key, data)
    return data


def _remember(key: tuple[Any, ...], data: bytes) -> None:
    with _LOCK:
        _MEMORY[key] = data
        while len(_MEMORY) > MEMORY_ITEMS:
            _MEMORY.popitem(last=False)


def _store(path: Path, data: bytes) -> None:
    """Write atomically (temporary name, then rename); keep the folder to DISK_ITEMS files."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        files = sorted((p for p in path.parent.iterdir() if not p.name.startswith(".")),
                       key=lambda p: p.stat().st_mtime)
        for old in files[:-DISK_ITEMS]:
            old.unlink(missing_ok=True)
    except OSError as e:  # a full or read-only disk: serve from memory only
        log.warning("coverage cache %s not written: %s", path, e)
