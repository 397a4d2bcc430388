"""The catalog for the current request: one connection per server thread, reused.

Why per thread and not per request: opening a catalog applies the schema (a few dozen
idempotent statements), which would cost every request; SQLite connections must not be
shared between threads, and the WSGI server keeps a fixed pool of threads, so one connection
per thread and catalog file is both safe and cheap. WAL mode lets them read while the
pipeline or an editor writes.
"""

from __future__ import annotations

import threading

from flask import current_app

from archive.catalog import Catalog

_local = threading.local()


def catalog() -> Catalog:
    path = current_app.config["CATALOG_PATH"]
    open_ = getattr(_local, "catalogs", None)
    if open_ is None:
        open_ = _local.catalogs = {}
    c = open_.get(path)
    if c is None:
        c = open_[path] = Catalog(path)
    return c


def close_thread_catalogs() -> None:
    """Close this thread's connections (tests call it between homes)."""
    for c in getattr(_local, "catalogs", {}).values():
        c.close()
    _local.catalogs = {}
