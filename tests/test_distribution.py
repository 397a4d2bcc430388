"""Distribution over time (issue 21): the print-run table, its evidence pages, the editors'
colophon corrections and Party cells on the desk, and the report's distribution section."""

# ruff: noqa: F811  (pytest fixtures imported from tests.review_fixtures are redefined as arguments)
from __future__ import annotations

import re
from pathlib import Path

from archive.catalog import Catalog
from review import distribution
from review.corpus import load_corpus
from review.filters import Filters
from tests.review_fixtures import SampleHome, client_as, home_copy, sample_home  # noqa: F401
from tests.web_fixtures import csrf_from

BASE = "https://kho.bantin.test"


_client = client_as
_csrf = csrf_from


def test_table_counts_every_issue_and_guesses_none(sample_home: SampleHome) -> None:  # noqa: F811
    truth = {r["issue"]: r for r in sample_home.truth("issues.jsonl")}
    with Catalog(sample_home.path / "index" / "catalog.sqlite") as catalog:
        corpus = load_corpus(catalog, sample_home.config)
        rows = distribution.year_runs(catalog, corpus, Filters())
        table = distribution.distribution_table(catalog, corpus, Filters())
    assert sum(len(r.issues) for r in rows) == len(truth)
    for r in rows:
        assert r.with_run + r.without_run == len(r.issues)
        for issue in r.issues:
            if truth[issue.id]["print_run"] is None:  # printed without a run: never a number
                assert r.facts[issue.id].values["print_run"] is None
    assert sum(table.values("without_run")) >= sum(t["print_run"] is None for t in truth.values())
    formats = {f for r in rows for f in r.formats}
    assert {"19 x 27 cm", "21 x 29 cm"} <= formats  # tbnb changed its format in 2012


def test_every_number_of_the_distribution_page_opens_its_count(home_copy: Path) -> None:
    from webapp.linkcheck import check_claims, page_claims

    client = _client(home_copy, "bientap21")
    html = client.get("/coverage/distribution").get_data(as_text=True)
    assert 'id="distribution"' in html and 'id="format_changes"' in html
    found = [c for c in page_claims(html, BASE) if "/coverage/colophons" in c.url]
    assert sum(1 for c in found if c.shows) >= 8
    result = check_claims(found, BASE, client)
    assert result.ok, [str(f) for f in result.faults]


def test_editor_corrects_a_print_run_and_enters_cells(home_copy: Path) -> None:
    from webapp.linkcheck import check_claims, page_claims

    client = _client(home_copy, "bientap21")
    with Catalog(home_copy / "index" / "catalog.sqlite") as catalog:
        issue = catalog.query("SELECT issue_id FROM colophon WHERE found = 0")[0]["issue_id"]
        series, year = issue.split("-")[0], int(issue.split("-")[1])
    page = client.get(f"/desk/colophon/{issue}").get_data(as_text=True)
    form = {"csrf_token": _csrf(page), "base_version": "0", "print_run": "12.500", "format": "19 x 27 cm",
            "reason": "đọc bản giấy"}
    assert client.post(f"/desk/colophon/{issue}", data=form).status_code == 302
    stale = client.post(f"/desk/colophon/{issue}", data={**form, "print_run": "1"}, follow_redirects=True)
    assert "người khác sửa" in stale.get_data(as_text=True)
    listing = client.get(f"/coverage/colophons?series={series}&from={year}&to={year}").get_data(as_text=True)
    assert "12.500" in listing
    page = client.get("/desk/cells").get_data(as_text=True)
    r = client.post("/desk/cells", data={"csrf_token": _csrf(page), "series": series, "year": str(year),
                                         "cells": "250"})
    assert r.status_code == 302
    html = client.get(f"/coverage/distribution?series={series}&from={year}&to={year}").get_data(as_text=True)
    per_cell = re.search(r'data-key="per_cell" data-value="([\d.]+)"', html)
    assert per_cell and float(per_cell.group(1)) > 0
    found = [c for c in page_claims(html, BASE) if "/coverage/colophons" in c.url]
    assert any(dict(c.shows).get("cells") == 250 for c in found)
    result = check_claims(found, BASE, client)
    assert result.ok, [str(f) for f in result.faults]
    history = client.get(f"/desk/colophon/{issue}").get_data(as_text=True)
    assert "Phiên bản 1" in history and "đọc bản giấy" in history
    with Catalog(home_copy / "index" / "catalog.sqlite") as catalog:
        actions = [r["action"] for r in catalog.query("SELECT action FROM audit")]
    assert "colophon-edit" in actions and "cells-set" in actions


def test_readers_cannot_edit(sample_home: SampleHome) -> None:  # noqa: F811
    from tests.review_fixtures import READER

    client = _client(sample_home.path, READER)
    assert client.get("/desk/colophon/tbnb-2005-10").status_code == 403
    assert client.get("/desk/cells").status_code == 403
    assert client.get("/coverage/colophons?series=tbnb&from=2005&to=2005").status_code == 200
