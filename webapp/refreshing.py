"""After a save: carry the correction into search and counts, inline or through the refresh process.

Why two ways: under ``bantin serve`` a process of its own drains ``reindex_queue``
(:func:`indexer.refresh.run_refresher`), so the request only waits for it, at most
``refresh_wait`` seconds, and then answers either "saved and updated" or "saved, being
updated" — the save itself is committed before either. Without that process (the tests'
client, a single debugging process) the refresh runs here, in the request, as before. Either
way the queue row is the record: whatever a crash interrupts, the refresh process, ``bantin
refresh`` or ``bantin build`` finishes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app, g, has_request_context

from archive.catalog import Catalog, queue_stamp
from archive.config import Config
from indexer.refresh import refresh

POLL = 0.05  # seconds between looks at the queue while waiting


@dataclass(frozen=True)
class Carried:
    done: bool  # search and counts show the change
    seconds: float
    index_skipped: bool = False  # no search index yet: `bantin build` makes it


def background() -> bool:
    """True when this server has a refresh process (``bantin serve`` sets it)."""
    return bool(current_app.config.get("BANTIN_REFRESHER"))


def carry(catalog: Catalog, config: Config, *, pages: Sequence[str] = (),
          articles: Sequence[str] = ()) -> Carried:
    """Bring search and counts in line with a committed save of ``pages`` / ``articles``."""
    started = time.monotonic()
    if not background():
        report = refresh(catalog, config, pages=pages, articles=articles)
        return Carried(True, report.seconds, report.index_skipped)
    ids = list(dict.fromkeys([*pages, *articles]))
    if ids:
        with catalog.transaction() as db:  # most saves queued them already; make sure
            db.executemany("INSERT OR IGNORE INTO reindex_queue(doc_id, kind, at) VALUES (?,?,?)",
                           [(i, "page" if "/" in i else "article", queue_stamp()) for i in ids])
    marks = ",".join("?" * len(ids))
    # from the request's start: under load the save itself can take a good part of a second
    # (its thread shares the process with searching threads), and the editor waits for all of it
    begun = g.get("started", started) if has_request_context() else started
    deadline = begun + float(config.refresh_wait)
    while ids:
        if not catalog.query(f"SELECT 1 FROM reindex_queue WHERE doc_id IN ({marks}) LIMIT 1", ids):
            break
        if time.monotonic() >= deadline:
            return Carried(False, time.monotonic() - started)
        time.sleep(POLL)
    return Carried(True, time.monotonic() - started)
