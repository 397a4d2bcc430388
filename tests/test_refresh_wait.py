"""An editor's save answers ``refresh_wait`` seconds after the POST at the latest, counted from
the request's start (issue 18): the time the save itself took under load is not added to it."""

from __future__ import annotations

import time
from pathlib import Path

from flask import g

from archive.catalog import Catalog
from archive.config import load_config
from webapp import create_app
from webapp.refreshing import carry


def _app(home: Path):  # type: ignore[no-untyped-def]
    app = create_app({"HOME": str(home), "TESTING": True})
    app.config["BANTIN_REFRESHER"] = True  # as under `bantin serve`: a refresh process drains the queue
    return app


def test_the_wait_is_counted_from_the_start_of_the_request(home: Path) -> None:
    app = _app(home)
    config = load_config(home)
    with app.test_request_context("/desk/i/x/1"), Catalog(config.catalog_path) as catalog:
        app.preprocess_request()  # the hooks: the start is noted before the guard turns us away
        assert isinstance(g.started, float)
        g.started -= float(config.refresh_wait)  # the save itself took all of it
        begun = time.monotonic()
        carried = carry(catalog, config, pages=["ttshcb-2001-05/1"])
        waited = time.monotonic() - begun
        assert not carried.done  # nobody drains the queue here: it is still queued
        assert waited < float(config.refresh_wait) / 2  # answered at once, not a whole wait later
        queued = [r["doc_id"] for r in catalog.query("SELECT doc_id FROM reindex_queue")]
        assert queued == ["ttshcb-2001-05/1"]  # and the page stays queued for the refresh


def test_a_save_that_was_quick_still_waits_for_the_refresh(home: Path) -> None:
    app = _app(home)
    config = load_config(home)
    with app.test_request_context("/desk/i/x/1"), Catalog(config.catalog_path) as catalog:
        app.preprocess_request()  # the hooks: the start is noted before the guard turns us away
        begun = time.monotonic()
        carried = carry(catalog, config, pages=["ttshcb-2001-05/1"])
        assert not carried.done and time.monotonic() - begun >= float(config.refresh_wait) * 0.9


def test_every_answer_says_how_long_the_app_took(home: Path) -> None:
    """``Server-Timing`` tells the app's part of an answer from the wait for a thread or a core
    (``bench/web.py`` reports it for the saves)."""
    client = _app(home).test_client()
    for path in ("/login", "/search"):  # a page, and a redirect to the login
        timing = client.get(path).headers.get("Server-Timing", "")
        assert timing.startswith("app;dur=") and float(timing.split("=")[1]) >= 0
