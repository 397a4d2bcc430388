"""Security of the web app over HTTP (Flask's test client): login everywhere, CSRF, path
traversal, inert OCR text, roles, sessions, tokens, throttling, the secret key."""

# ruff: noqa: F811  (pytest fixtures imported from tests.web_fixtures are redefined as arguments)
from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Blueprint

from archive.errors import ConfigError
from tests.web_fixtures import (  # noqa: F401
    PASSWORD,
    WebHome,
    csrf_from,
    login,
    make_app,
    reader,
    web_app,
    web_home,
    web_home_factory,
)
from webapp import create_app, security, users

SECRET_TEXT = "tấm gương đạo đức"  # printed in an article: must never reach a stranger


# Routes whose answer to a logged-in reader is a redirect by design (the audit's "next
# article to label" sends the editor to it).
REDIRECTING = {"audit.next_item", "imageapi.service"}


def _sample_args(home: WebHome) -> dict[str, Any]:
    """A real value for each URL variable, so each route would answer if the guard let it."""
    return {"issue_id": "ttshcb-2012-07", "seq": 1, "size": "view", "code": "ttshcb",
            "article_id": home.articles["hoc-tap"], "fmt": "ris", "filename": "bantin.css",
            "slug": _collection_slug(home), "sample_id": _audit_sample(home), "position": 1,
            "search_id": _saved_search(home), "report_id": 1,
            "review": "tong-ket", "unit": _district_report(home)}


def _saved_search(home: WebHome) -> int:
    """A real saved search of the reader ``doc``, for the /saved/<n> routes (issue 20)."""
    from archive import savedsearch

    with home.catalog() as catalog:
        found = next(iter(savedsearch.list_for(catalog, "doc")), None)
        return (found or savedsearch.save(catalog, "doc", "Kiểm tra", "/search?q=tam+guong", [])).id


def _district_report(home: WebHome) -> str:
    """A real district report of the home, for the /bao-cao/<review>/<unit> routes (issue 21)."""
    import docx

    from indexer.reports import intake

    (home.path / "reporters.toml").write_text('[[review]]\ncode = "tong-ket"\nname = "Tổng kết"\n'
                                              'deadline = "2025-10-15"\n\n[[unit]]\ncode = "an-lac"\n'
                                              'name = "Huyện ủy An Lạc"\n', encoding="utf-8")
    folder = home.path / "scans" / "reports" / "tong-ket"
    if not (folder / "an-lac.docx").exists():
        folder.mkdir(parents=True, exist_ok=True)
        d = docx.Document()
        d.add_paragraph("Huyện ủy An Lạc đã tiếp nhận 120 bản bản tin.")
        d.save(str(folder / "an-lac.docx"))
        with home.catalog() as catalog:
            intake(catalog, home.config)
    return "an-lac"


def _audit_sample(home: WebHome) -> int:
    """A real audit sample of the home, for the /desk/audit/<n> routes (issue 15)."""
    from review.audit import draw_sample

    with home.catalog() as catalog:
        found = catalog.one("SELECT MIN(id) AS id FROM audit_sample")
        if found is not None and found["id"] is not None:
            return int(found["id"])
        return draw_sample(catalog, n=2, seed=1, drawn_by="quantri")


def _collection_slug(home: WebHome) -> str:
    """A real evidence collection of the home, for the /c/<slug> routes (issue 7)."""
    from archive import collections

    with home.catalog() as catalog:
        found = next((c for c in collections.list_collections(catalog) if c.name == "Kiểm tra"), None)
        return (found or collections.create_collection(catalog, "Kiểm tra", owner="quantri")).slug


def _urls(app: Any, home: WebHome) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every rule of the app's URL map."""
    args = _sample_args(home)
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            values = {name: args.get(name, _default(rule, name)) for name in rule.arguments}
            url = _build(app, rule, values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                out.append((rule.endpoint, method, url))
    return out


def _default(rule: Any, name: str) -> Any:
    """A value for a URL variable no test knows (routes added by later areas)."""
    from werkzeug.routing.converters import NumberConverter

    return 1 if isinstance(rule._converters.get(name), NumberConverter) else "x"


def _build(app: Any, rule: Any, values: dict[str, Any]) -> str:
    adapter = app.url_map.bind("localhost")
    fmt_for = {"search.export": "csv", "api.search_export": "json", "records.search_records": "jsonl"}
    if rule.endpoint in fmt_for:
        values = {**values, "fmt": fmt_for[rule.endpoint]}
    if rule.endpoint == "imageapi.image":  # a IIIF image request (issue 20)
        values = {**values, "region": "full", "size": "max", "rotation": "0", "quality": "default",
                  "fmt": "jpg"}
    return adapter.build(rule.endpoint, values, method=next(iter(rule.methods - {"HEAD", "OPTIONS"})))


def test_the_allow_list_is_explicit_and_small() -> None:
    assert {"auth.login", "healthz", "static"} == security.PUBLIC_ENDPOINTS


def test_every_route_refuses_without_login(web_app: Any, web_home: WebHome) -> None:
    anonymous = web_app.test_client()
    logged_in = {role: web_app.test_client() for role in ("reader", "editor", "admin")}
    for role, name in (("reader", "doc"), ("editor", "bientap"), ("admin", "quantri")):
        login(logged_in[role], name)
    checked = 0
    for endpoint, method, url in _urls(web_app, web_home):
        if endpoint in security.PUBLIC_ENDPOINTS:
            continue
        url += ("&" if "?" in url else "?") + "q=tam+guong"
        r = anonymous.open(url, method=method)
        body = r.get_data(as_text=True)
        if method == "GET":
            if url.startswith(security.MACHINE_PATHS):  # the API, OAI-PMH, IIIF, ALTO, hOCR answer 401
                assert r.status_code == 401, (endpoint, url, r.status_code)
                assert r.headers["WWW-Authenticate"].startswith("Bearer")
            else:
                assert r.status_code == 302, (endpoint, url, r.status_code)
                assert r.headers["Location"].startswith("/login?next="), (endpoint, r.headers["Location"])
            # ... and the same URL does answer a logged-in user (the route is real)
            ok = logged_in[security.required_role(web_app, endpoint)].get(url)
            answers = (302, 303) if endpoint in REDIRECTING else (200, 503)
            assert ok.status_code in answers, (endpoint, url, ok.status_code)
        else:  # an unsafe method without a session has no CSRF token either
            assert r.status_code in (400, 401, 302), (endpoint, method, url, r.status_code)
        assert SECRET_TEXT not in body and "đạo đức" not in body.replace("đạo đức, phong", "")
        checked += 1
    assert checked >= 12  # the app's own routes at least


def test_unknown_urls_also_need_a_login(web_app: Any) -> None:
    r = web_app.test_client().get("/no/such/page")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    r = web_app.test_client().get("/api/no/such")
    assert r.status_code == 401


def test_public_endpoints_hold_no_data(web_app: Any) -> None:
    client = web_app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    login_page = client.get("/login")
    assert login_page.status_code == 200 and "Đăng nhập" in login_page.get_data(as_text=True)
    assert client.get("/static/bantin.css").status_code == 200
    assert client.get("/static/../webapp/__init__.py").status_code == 404


def test_session_cookie_is_signed_httponly_samesite(web_app: Any) -> None:
    client = web_app.test_client()
    r = login(client)
    cookies = r.headers.getlist("Set-Cookie")
    assert len(cookies) == 2  # the session and the device cookie (webapp/auth.py)
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    cookie = next(c for c in cookies if c.startswith("bantin_session="))
    name, value = cookie.split(";")[0].split("=", 1)
    forged = web_app.test_client()
    forged.set_cookie(name, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert forged.get("/").status_code == 302  # a tampered signature is no session


def test_secure_cookies_setting(web_home: WebHome) -> None:
    app = make_app(web_home, SETTINGS={"secure_cookies": True})
    r = login(app.test_client())
    cookies = r.headers.getlist("Set-Cookie")
    assert len(cookies) == 2 and all("Secure" in c for c in cookies)


def test_security_headers(reader: Any) -> None:
    r = reader.get("/")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in r.headers["Cache-Control"]


# --- CSRF ----------------------------------------------------------------------------------

def test_csrf_missing_or_wrong_gives_400(web_app: Any) -> None:
    client = web_app.test_client()
    assert client.post("/login", data={"name": "doc", "password": PASSWORD}).status_code == 400
    login(client)
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "wrong"}).status_code == 400
    assert client.post("/account", data={"action": "token"}).status_code == 400
    assert client.get("/").status_code == 200  # still logged in: nothing happened
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_csrf_header_is_accepted(reader: Any) -> None:
    token = csrf_from(reader.get("/account").get_data(as_text=True))
    r = reader.post("/account", data={"action": "token", "label": "x"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and "bt_" in r.get_data(as_text=True)


# --- files ---------------------------------------------------------------------------------

TRAVERSALS = [
    "/img/../../etc/passwd",
    "/img/..%2f..%2fetc%2fpasswd/1/view.jpg",
    "/img/ttshcb-2012-07/1/..%2f..%2f..%2fbantin.toml",
    "/img/ttshcb-2012-07/1/../../../index/catalog.sqlite",
    "/img/ttshcb-2012-07%2f..%2f..%2fscans/1/view.jpg",
    "/img/..%2fscans%2fttshcb/1/view.jpg",
    "/img/ttshcb-2012-07/1/original.jpg",
    "/img/ttshcb-2012-07/1/view.png",
    "/img/ttshcb-2012-07/99/view.jpg",
    "/img/ttshcb-2012-07/-1/view.jpg",
    "/img/ttshcb-2012-07/1%2f..%2f2/view.jpg",
    "/static/..%2f__init__.py",
    "/static/%2e%2e/users.py",
    "/static/../../archive/schema/030_accounts.sql",
    "/a/..%2f..%2fetc%2fpasswd/cite.ris",
    "/a/" + "..%2f" * 6 + "etc/passwd",
    "/scans/ttshcb/2012/ttshcb-2012-07/001.png",
    "/index/catalog.sqlite",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_path_traversal_gives_404(reader: Any, url: str) -> None:
    r = reader.get(url)
    assert r.status_code == 404, (url, r.status_code)
    assert b"PNG" not in r.data[:8] and b"SQLite" not in r.data and b"root:" not in r.data


def test_page_image_served_by_id_from_the_cache(reader: Any, web_home: WebHome) -> None:
    r = reader.get("/img/ttshcb-2012-07/1/thumb.jpg")
    assert r.status_code == 200 and r.mimetype == "image/jpeg" and r.data[:2] == b"\xff\xd8"
    cached = list((web_home.path / "index" / "cache" / "pages").rglob("*.jpg"))
    assert cached and all(re.fullmatch(r"[0-9a-f]{64}-\d+-(thumb|view|large|full)\.jpg", p.name) for p in cached)
    again = reader.get("/img/ttshcb-2012-07/1/thumb.jpg", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    # IIIF tiles (issue 20): a folder named by the page's hex identity, files named by numbers
    assert reader.get("/iiif/ttshcb-2012-07/1/0,0,512,512/512,512/0/default.jpg").status_code == 200
    tiles = list((web_home.path / "index" / "cache" / "tiles").rglob("*"))
    names = r"[0-9a-f]{2}|[0-9a-f]{64}-\d+(\.lock)?|t-\d+-\d+-\d+\.jpg|d-[0-9a-f]{20}\.jpg|master\.jpg|(meta|low)\.json"
    assert tiles and all(re.fullmatch(names, p.name) for p in tiles), tiles


# --- untrusted text ------------------------------------------------------------------------

def test_script_in_ocr_text_renders_inert(reader: Any, web_home: WebHome) -> None:
    aid = web_home.articles["tham-nhung"]
    for url in (f"/a/{aid}", "/i/ttshcb-2012-09/1", "/i/ttshcb-2012-09/1?q=script",
                "/i/ttshcb-2012-09?q=alert"):
        html = reader.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<b>đậm</b>" not in html, url
        assert "&lt;script&gt;alert" in html or "&lt;script&gt;alert(&#39;xss&#39;)" in html \
            or "alert(&#39;xss&#39;)" in html \
            or "&lt;script&gt;<mark>alert</mark>(&#39;xss&#39;)" in html, url  # within an issue: marked
    assert len(re.findall(r"<script\b", reader.get(f"/a/{aid}").get_data(as_text=True))) == 1  # ours


def test_snippet_keeps_only_marks() -> None:
    from webapp.search import safe_snippet

    html = str(safe_snippet('a <mark class="m">b</mark> &lt;script&gt;x &amp; <script>y</script>'))
    assert html == "a <mark>b</mark> &lt;script&gt;x &amp; &lt;script&gt;y&lt;/script&gt;"


# --- roles ---------------------------------------------------------------------------------

def _app_with_editor_routes(home: WebHome) -> Any:
    """An app with an editor-only view and an editor-only blueprint, as issue 7 will add."""
    app = make_app(home)
    desk = Blueprint("desk_test", __name__, url_prefix="/desk-test")
    security.blueprint_role(desk, "editor")

    @desk.get("/")
    def desk_home() -> str:
        return "desk"

    extra = Blueprint("extra_test", __name__)

    @extra.get("/admin-test")
    @security.admin_required
    def admin_only() -> str:
        return "admin"

    @extra.get("/edit-test")
    @security.editor_required
    def edit_only() -> str:
        return "edit"

    app.register_blueprint(desk)
    app.register_blueprint(extra)
    return app


def test_a_reader_cannot_reach_editor_routes(web_home: WebHome) -> None:
    app = _app_with_editor_routes(web_home)
    clients = {}
    for name in ("doc", "bientap", "quantri"):
        clients[name] = app.test_client()
        login(clients[name], name)
    assert clients["doc"].get("/desk-test/").status_code == 403
    assert clients["doc"].get("/edit-test").status_code == 403
    assert clients["bientap"].get("/desk-test/").get_data(as_text=True) == "desk"
    assert clients["bientap"].get("/edit-test").status_code == 200
    assert clients["bientap"].get("/admin-test").status_code == 403
    assert clients["quantri"].get("/admin-test").status_code == 200
    assert clients["quantri"].get("/desk-test/").status_code == 200


def test_every_role_restricted_route_refuses_a_reader(web_home: WebHome) -> None:
    """Enumerates the URL map: any route needing more than 'reader' (issue 7's editors' desk
    included, once registered) answers a reader 403."""
    app = _app_with_editor_routes(web_home)
    client = app.test_client()
    login(client, "doc")
    restricted = 0
    for endpoint, method, url in _urls(app, web_home):
        if security.required_role(app, endpoint) == "reader":
            continue
        restricted += 1
        data = {"csrf_token": csrf_from(client.get("/").get_data(as_text=True))}
        r = client.open(url, method=method, data=data if method != "GET" else None)
        assert r.status_code == 403, (endpoint, method, url, r.status_code)
    assert restricted >= 3


# --- sessions, tokens, throttling ----------------------------------------------------------

def test_disabling_or_new_password_ends_sessions(web_home_factory: Any) -> None:
    home = web_home_factory(index=False)
    app = make_app(home)
    client = app.test_client()
    login(client, "doc")
    assert client.get("/").status_code == 200
    with home.catalog() as catalog:
        users.set_password(catalog, "doc", "mat-khau-moi-123")
    assert client.get("/").status_code == 302
    login(client, "doc", "mat-khau-moi-123")
    assert client.get("/").status_code == 200
    with home.catalog() as catalog:
        users.set_disabled(catalog, "doc")
    assert client.get("/").status_code == 302
    assert login(client, "doc", "mat-khau-moi-123").status_code == 401


def test_bearer_tokens_open_the_api_only(web_app: Any, web_home: WebHome) -> None:
    with web_home.catalog() as catalog:
        token = users.create_token(catalog, "doc", "test")
    client = web_app.test_client()
    ok = client.get("/api/issues", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.get_json()["total"] == 3
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).get_json()["auth"] == "token"
    assert client.get("/api/issues", headers={"Authorization": "Bearer bt_wrong"}).status_code == 401
    assert client.get("/", headers={"Authorization": f"Bearer {token}"}).status_code == 302
    with web_home.catalog() as catalog:
        rows = catalog.query("SELECT token_hash FROM api_token")
    assert token not in {r["token_hash"] for r in rows}  # stored hashed


def test_login_is_throttled_per_user_and_address(web_home_factory: Any) -> None:
    home = web_home_factory(index=False, users={"doc": "reader", "khac": "reader"})
    app = make_app(home)
    a = app.test_client()
    a.environ_base["REMOTE_ADDR"] = "127.0.0.5"
    for _ in range(users.MAX_FAILURES_PER_USER):
        assert login(a, "doc", "sai-mat-khau").status_code == 401
    r = login(a, "doc", PASSWORD)  # right password, but too many failures for this name
    assert r.status_code == 429 and "Quá nhiều lần" in r.get_data(as_text=True)
    assert login(a, "khac", PASSWORD).status_code == 302  # another name is still fine
    b = app.test_client()
    b.environ_base["REMOTE_ADDR"] = "127.0.0.6"
    for n in range(users.MAX_FAILURES_PER_IP):
        login(b, f"ai-{n}", "sai")
    assert login(b, "khac", PASSWORD).status_code == 429  # this address is blocked
    with home.catalog() as catalog:
        actions = [r["action"] for r in catalog.query("SELECT action FROM audit")]
    assert "login-throttled" in actions and "login-failed" in actions and "login" in actions


def test_login_redirects_only_to_local_paths(web_app: Any) -> None:
    client = web_app.test_client()
    page = client.get("/login?next=//evil.example/x")
    token = csrf_from(page.get_data(as_text=True))
    r = client.post("/login", data={"name": "doc", "password": PASSWORD, "csrf_token": token,
                                    "next": "//evil.example/x"})
    assert r.headers["Location"] == "/"
    assert security.safe_next("/search?q=a") == "/search?q=a"
    assert security.safe_next("https://evil.example/") == "/"
    assert security.safe_next("/\\evil.example") == "/"


def test_app_refuses_to_start_without_a_real_secret(web_home: WebHome, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BANTIN_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="bantin secret"):
        create_app({"HOME": str(web_home.path)})
    for weak in ("dev", "changeme", "short-key"):
        with pytest.raises(ConfigError):
            create_app({"HOME": str(web_home.path), "SETTINGS": {"secret_key": weak}})
    app = create_app({"HOME": str(web_home.path), "SETTINGS": {"secret_key": "k" * 40}})
    assert app.config["SECRET_KEY"] == "k" * 40


# --- issue 18: sessions end on the server, throttles hold and spare the owner ---------------

def test_logout_ends_the_session_on_the_server(web_app: Any) -> None:
    client = web_app.test_client()
    login(client, "doc")
    copied = client.get_cookie("bantin_session").value  # e.g. stolen before the logout
    assert client.get("/api/me").status_code == 200
    csrf = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    thief = web_app.test_client()
    thief.set_cookie("bantin_session", copied)
    assert thief.get("/api/me").status_code == 401
    assert thief.get("/").status_code == 302
    other = web_app.test_client()  # another login of the same user is not affected
    login(other, "doc")
    assert other.get("/api/me").status_code == 200


def test_role_change_ends_open_sessions(web_home_factory: Any) -> None:
    home = web_home_factory(index=False)
    app = make_app(home)
    client = app.test_client()
    login(client, "bientap")
    copied = client.get_cookie("bantin_session").value
    with home.catalog() as catalog:
        users.set_role(catalog, "bientap", "reader")
        rows = catalog.query("SELECT ended FROM web_session WHERE account = 'bientap'")
    assert rows and all(r["ended"] == 1 for r in rows)
    thief = app.test_client()
    thief.set_cookie("bantin_session", copied)
    assert thief.get("/api/me").status_code == 401


def _concurrent_logins(path: Any, attempts: list[tuple[str, str]], ip: str) -> list[users.LoginOutcome]:
    import threading

    from archive.catalog import Catalog

    start = threading.Barrier(len(attempts))
    out: list[users.LoginOutcome] = []
    lock = threading.Lock()

    def attempt(name: str, password: str) -> None:
        catalog = Catalog(path)
        try:
            start.wait()
            outcome = users.authenticate(catalog, name, password, ip)
        finally:
            catalog.close()
        with lock:
            out.append(outcome)

    threads = [threading.Thread(target=attempt, args=a) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_concurrent_wrong_logins_cannot_race_the_throttle(web_home_factory: Any) -> None:
    home = web_home_factory(index=False)
    path = home.config.catalog_path
    same_name = _concurrent_logins(path, [("doc", f"sai-{n}")
                                          for n in range(30)], "10.1.1.1")
    checked = [o for o in same_name if not o.throttled]
    assert len(same_name) == 30 and len(checked) <= users.MAX_FAILURES_PER_USER
    many_names = _concurrent_logins(path, [(f"ai-{n}", "sai") for n in range(30)], "10.1.1.2")
    checked = [o for o in many_names if not o.throttled]
    assert len(checked) <= users.MAX_FAILURES_PER_IP


@pytest.fixture(autouse=True)
def _slow_machine_safe_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first delay after a throttle's limit is 2 s; on a loaded machine twenty logins and a
    password check take longer than that, and a test expecting 429 would see the delay over.
    Tests that need time to pass move the attempts into the past (:func:`_age_attempts`)."""
    monkeypatch.setattr(users, "FIRST_DELAY", 120)


def _age_attempts(home: WebHome, seconds: float) -> None:
    """Move every recorded login attempt ``seconds`` into the past (instead of sleeping)."""
    with home.catalog() as catalog, catalog.transaction() as db:
        db.execute("UPDATE login_try SET at = at - ?", (seconds,))


def test_known_browser_is_not_locked_out_and_others_wait_a_growing_delay(web_home_factory: Any) -> None:
    home = web_home_factory(index=False, users={"doc": "reader", "khac": "reader"})
    app = make_app(home)
    mine = app.test_client()  # the owner's usual browser
    assert login(mine, "doc").status_code == 302
    csrf = csrf_from(mine.get("/").get_data(as_text=True))
    mine.post("/logout", data={"csrf_token": csrf})
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    for _ in range(users.MAX_FAILURES_PER_USER + 2):
        login(attacker, "doc", "sai-mat-khau")
    r = login(attacker, "doc", PASSWORD)  # right password from an unknown browser: wait
    assert r.status_code == 429 and "Quá nhiều lần" in r.get_data(as_text=True)
    wait = int(r.headers["Retry-After"])
    assert 0 < wait <= users.MAX_DELAY
    assert login(mine, "doc").status_code == 302  # the owner's browser still logs in
    # the delay grows with each failure and ends: no hard lock
    assert users.throttle_delay(users.MAX_FAILURES_PER_USER + 1, users.MAX_FAILURES_PER_USER) \
        > users.throttle_delay(users.MAX_FAILURES_PER_USER, users.MAX_FAILURES_PER_USER) > 0
    _age_attempts(home, wait + 1)
    assert login(app.test_client(), "doc").status_code == 302
    # a known browser for one name is an unknown one for another name
    device = mine.get_cookie("bantin_device").value
    with app.test_request_context("/login", headers={"Cookie": "bantin_device=" + device}):
        from webapp import auth

        assert auth.known_device("doc") and not auth.known_device("khac")


def test_office_behind_one_address_is_not_locked_out(web_home_factory: Any) -> None:
    home = web_home_factory(index=False, users={"doc": "reader", "khac": "reader"})
    app = make_app(home)
    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert login(colleague, "khac").status_code == 302  # has logged in from here before
    colleague.post("/logout", data={"csrf_token": csrf_from(colleague.get("/").get_data(as_text=True))})
    noisy = app.test_client()
    noisy.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    for n in range(users.MAX_FAILURES_PER_IP):
        login(noisy, f"ai-{n}", "sai")
    assert login(noisy, "doc").status_code == 429  # unknown browsers at this address wait
    assert login(colleague, "khac").status_code == 302  # known browsers do not


def test_forwarded_for_is_honoured_from_trusted_proxies_only(web_home_factory: Any) -> None:
    home = web_home_factory(index=False, users={"doc": "reader"})
    behind = make_app(home, SETTINGS={"trusted_proxies": "127.0.0.1, 10.0.0.0/8"})
    for n in range(users.MAX_FAILURES_PER_IP):  # one office, through the proxy
        c = behind.test_client()
        c.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.5"
        login(c, f"ai-{n}", "sai")
    elsewhere = behind.test_client()
    elsewhere.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.1, 10.1.2.3"
    assert login(elsewhere, "doc").status_code == 302  # another client behind the proxy
    office = behind.test_client()
    office.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.5"
    assert login(office, "doc").status_code == 429
    with home.catalog() as catalog:
        ips = {r["ip"] for r in catalog.query("SELECT ip FROM login_try")}
    assert ips == {"203.0.113.5", "198.51.100.1"}
    # a client that is not a trusted proxy cannot pick its address with the header
    direct = make_app(home)
    spoof = direct.test_client()
    spoof.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.99"
    login(spoof, "doc", "sai")
    with home.catalog() as catalog:
        assert catalog.one("SELECT ip FROM login_try ORDER BY id DESC LIMIT 1")["ip"] == "127.0.0.1"
    with pytest.raises(ConfigError, match="trusted_proxies"):
        make_app(home, SETTINGS={"trusted_proxies": "not-an-address"})
