"""The session cookie is set at the login and when the session changes, not on every answer
(issue 18: re-signing it was a tenth of a search's time); the server still ends the session
12 hours after the login, whatever the cookie says."""

from __future__ import annotations

from pathlib import Path

from archive.catalog import Catalog
from archive.config import load_config
from tests.web_fixtures import login
from webapp import create_app, users


def test_the_cookie_is_not_signed_again_on_every_answer(home: Path) -> None:
    app = create_app({"HOME": str(home), "TESTING": True})
    with Catalog(load_config(home).catalog_path) as catalog:
        users.add_user(catalog, "docgia", "reader", "mot-mat-khau-du-dai", by="test")
    client = app.test_client()
    answer = login(client, "docgia", "mot-mat-khau-du-dai")
    assert answer.status_code == 302
    assert any(c.startswith("bantin_session=") for c in answer.headers.getlist("Set-Cookie"))
    again = client.get("/api/me")  # an answer that does not touch the session
    assert again.status_code == 200
    assert not any(c.startswith("bantin_session=") for c in again.headers.getlist("Set-Cookie"))
    assert client.get("/api/me").status_code == 200  # still logged in with the cookie it has
