"""The reading room over HTTP (Flask's test client): browse, page viewer, article and cite,
JSON API, search page and exports, and the `bantin serve/user/secret` commands."""

# ruff: noqa: F811  (pytest fixtures imported from tests.web_fixtures are redefined as arguments)
from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.test_web_cite import parse_ris
from tests.web_fixtures import PASSWORD, WebHome, login, make_app, reader, web_app, web_home, web_home_factory  # noqa: F401
from webapp import users


def text_of(r: Any) -> str:
    assert r.status_code == 200, (r.request.path, r.status_code)
    return r.get_data(as_text=True)


# --- browse --------------------------------------------------------------------------------

def test_home_lists_series_with_counts(reader: Any) -> None:
    html = text_of(reader.get("/"))
    assert "Thông tin sinh hoạt chi bộ" in html and "Thông báo nội bộ" in html
    assert 'lang="vi"' in html and "Đăng xuất" in html


def test_series_page_title_history_and_calendar(reader: Any) -> None:
    html = text_of(reader.get("/s/ttshcb"))
    assert "Thông báo nội bộ" in html and "Ban Tư tưởng – Văn hóa Trung ương" in html  # history
    assert "tháng 7/1989" in html and "tháng 12/1999" in html
    assert 'href="/i/ttshcb-2012-07"' in html and 'href="/i/ttshcb-2012-09"' in html
    year = re.search(r'id="y2012".*?</div>', html, re.DOTALL).group(0)
    assert year.count('class="cell held"') == 2 and year.count('class="cell gap"') == 10
    assert 'title="Thiếu số 8/2012"' in year
    assert reader.get("/s/nope").status_code == 404


def test_issue_page_toc_thumbnails_and_search_within(reader: Any, web_home: WebHome) -> None:
    html = text_of(reader.get("/i/ttshcb-2012-07"))
    assert "Thông tin sinh hoạt chi bộ, số 7/2012" in html and "tháng 7/2012" in html
    assert f'href="/a/{web_home.articles["hoc-tap"]}"' in html
    assert "Kinh nghiệm – cách làm hay" in html and "Nguyễn Văn An" in html
    assert html.count('src="/img/ttshcb-2012-07/') == 2 and "/thumb.jpg" in html
    found = text_of(reader.get("/i/ttshcb-2012-07?q=hop+tac+xa"))
    assert 'href="/i/ttshcb-2012-07/2?q=hop%20tac%20xa"' in found or "/i/ttshcb-2012-07/2?q=hop" in found
    assert "Không thấy trong số này" in text_of(reader.get("/i/ttshcb-2012-07?q=khongcotu"))
    assert reader.get("/i/ttshcb-2099-01").status_code == 404


def _rects(html: str, cls: str) -> list[dict[str, float]]:
    out = []
    for m in re.finditer(rf'<rect class="{cls}"[^>]*>', html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m.group(0)))
        out.append({k: float(attrs[k]) for k in ("x", "y", "width", "height")} | {"word": attrs.get("data-word")})
    return out


def test_viewer_marks_the_query_words_at_their_boxes(reader: Any, web_home: WebHome) -> None:
    html = text_of(reader.get("/i/ttshcb-2012-07/1?q=lam+theo"))  # typed without diacritics
    hits = _rects(html, "hit")
    words = web_home.words["ttshcb-2012-07/1"]
    assert hits, "no marked words"
    for h in hits:
        w = words[int(h["word"])]
        assert w.text.strip(",.").lower() in ("làm", "theo")
        assert h["x"] == pytest.approx(w.box[0], abs=1e-4) and h["y"] == pytest.approx(w.box[1], abs=1e-4)
        assert h["x"] + h["width"] == pytest.approx(w.box[2], abs=1e-4)
        assert h["y"] + h["height"] == pytest.approx(w.box[3], abs=1e-4)
    from archive.vntext import fold

    expected = sum(1 for w in words if re.sub(r"\W", "", fold(w.text)) in ("lam", "theo"))
    assert len(hits) == expected
    assert html.count('<mark class="hit"') == len(hits)  # the text pane marks the same words
    assert 'href="/i/ttshcb-2012-07/2?q=lam+theo"' in html  # next page keeps the query


def test_viewer_confidence_low_words_and_outlines(reader: Any, web_home: WebHome) -> None:
    aid = web_home.articles["hoc-tap"]
    html = text_of(reader.get(f"/i/ttshcb-2012-07/1?a={aid}"))
    assert "độ tin cậy trung bình" in html
    low = [w for w in web_home.words["ttshcb-2012-07/1"] if w.conf < 70]
    assert len(low) >= 1 and len(_rects(html, "lowbox")) == len(low)  # the fixture's poorly read words
    assert html.count('<span class="low" title="Độ tin cậy 35 %">') == len(low)
    assert _rects(html, "outline current")  # the article arrived from is outlined
    assert 'id="next-page"' in html and 'id="prev-page"' not in html
    assert reader.get("/i/ttshcb-2012-07/3").status_code == 404


def test_page_image_sizes(reader: Any) -> None:
    from PIL import Image

    sizes = {}
    for size in ("thumb", "view", "large"):
        r = reader.get(f"/img/ttshcb-2012-07/2/{size}.jpg")
        assert r.status_code == 200 and r.mimetype == "image/jpeg"
        sizes[size] = Image.open(io.BytesIO(r.data)).size
        assert "private" in r.headers["Cache-Control"]
    assert sizes["thumb"][0] == 240 and sizes["view"][0] <= 1400
    assert sizes["view"][1] / sizes["view"][0] == pytest.approx(1270 / 900, rel=0.01)


# --- article and cite ----------------------------------------------------------------------

def test_article_page(reader: Any, web_home: WebHome) -> None:
    aid = web_home.articles["hoc-tap"]
    html = text_of(reader.get(f"/a/{aid}"))
    assert "<h1 id=\"article-title\">Học tập và làm theo tư tưởng" in html
    assert "Mỗi đảng viên đăng ký một việc làm cụ thể" in html
    assert "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh</a>" in html  # topic name
    assert '<span class="term">làm theo</span>&nbsp;×3' in html  # evidence terms
    assert 'href="/search?ref=05-CT/TW"' in html
    assert f'href="/i/ttshcb-2012-07/1?a={aid}"' in html and f'href="/i/ttshcb-2012-07/2?a={aid}"' in html
    cite_text = re.search(r'<textarea id="cite-text"[^>]*>(.*?)</textarea>', html, re.DOTALL).group(1)
    assert cite_text == ("Nguyễn Văn An, &#34;Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí "
                         "Minh&#34;, Thông tin sinh hoạt chi bộ, số 7/2012, tr. 1–2, "
                         f"http://localhost/a/{aid}")
    assert reader.get("/a/khong-co").status_code == 404


def test_citation_uses_base_url_setting(web_home: WebHome) -> None:
    app = make_app(web_home, SETTINGS={"base_url": "https://thuvien.example/bantin/"})
    client = app.test_client()
    login(client)
    aid = web_home.articles["nq21"]
    (rec,) = parse_ris(text_of(client.get(f"/a/{aid}/cite.ris")))
    assert rec["UR"] == [f"https://thuvien.example/bantin/a/{aid}"]
    assert rec["T2"] == ["Thông báo nội bộ"] and rec["AU"] == ["BTG"]


def test_cite_downloads(reader: Any, web_home: WebHome) -> None:
    aid = web_home.articles["kinh-te"]
    ris = reader.get(f"/a/{aid}/cite.ris")
    assert "attachment" in ris.headers["Content-Disposition"]
    (rec,) = parse_ris(text_of(ris))
    assert rec["TI"] == ["Hợp tác xã kiểu mới ở xã Thanh Hà"] and rec["SP"] == ["2"]
    bib = text_of(reader.get(f"/a/{aid}/cite.bib"))
    assert bib.startswith("@article{") and "Hợp tác xã kiểu mới" in bib
    (item,) = json.loads(text_of(reader.get(f"/a/{aid}/cite.json")))
    assert item["title"] == "Hợp tác xã kiểu mới ở xã Thanh Hà" and item["issue"] == "7"
    assert reader.get(f"/a/{aid}/cite.doc").status_code == 404


# --- API -----------------------------------------------------------------------------------

def test_api_issues_pages_articles(reader: Any, web_home: WebHome) -> None:
    data = reader.get("/api/issues?series=ttshcb").get_json()
    assert data["total"] == 2 and {i["id"] for i in data["issues"]} == {"ttshcb-2012-07", "ttshcb-2012-09"}
    issue = reader.get("/api/issues/tbnb-2022-06").get_json()
    assert issue["title"] == "Thông báo nội bộ" and issue["date"] == "2022-06"
    assert [p["page"] for p in issue["pages"]] == [1, 2] and issue["articles"][0]["id"] == web_home.articles["nq21"]
    page = reader.get("/api/pages/ttshcb-2012-07/1").get_json()
    from archive.export import PAGE_FIELDS

    assert set(PAGE_FIELDS) <= set(page) and page["method"] == "ocr" and page["page"] == 1
    assert page["words"][0]["box"] == pytest.approx(list(web_home.words["ttshcb-2012-07/1"][0].box), abs=1e-4)
    art = reader.get(f"/api/articles/{web_home.articles['nq21']}").get_json()
    for name in ("id", "series", "year", "number", "date", "section", "title", "byline", "kind",
                 "first_page", "last_page", "words", "confidence", "topics", "doc_refs", "text", "url"):
        assert name in art, name
    assert art["doc_refs"] == ["21-NQ/TW"] and art["topics"] == ["xay-dung-dang"]
    assert art["url"] == f"/a/{web_home.articles['nq21']}" and art["date"] == "2022-06"
    assert reader.get("/api/articles/nope").status_code == 404
    assert reader.get("/api/pages/ttshcb-2012-07/9").get_json()["status"] == 404


# --- search --------------------------------------------------------------------------------

def test_garbled_section_names_are_no_filter_values(reader: Any, web_home: WebHome) -> None:
    """A banner OCR garbled on one article is not offered as a section to filter by; the
    sections of the list are (issue 20)."""
    garbled = 'TT KẾT NẬP im NIÊN "TÚ'
    catalog = web_home.catalog()
    try:
        catalog.db.execute("UPDATE article SET section = ? WHERE id = ?",
                           (garbled, web_home.articles["kinh-te"]))
        catalog.db.commit()
        html = text_of(reader.get("/search"))
        options = re.search(r'<select name="section">(.*?)</select>', html, re.DOTALL)
        assert options and "Những vấn đề chung" in options.group(1)
        assert "KẾT NẬP" not in options.group(1)
    finally:
        catalog.db.execute("UPDATE article SET section = ? WHERE id = ?",
                           ("Kinh nghiệm – cách làm hay", web_home.articles["kinh-te"]))
        catalog.db.commit()
        catalog.close()

def test_search_page_without_query_shows_help(reader: Any) -> None:
    html = text_of(reader.get("/search"))
    assert "Cách tìm" in html and 'name="q"' in html


def test_search_query_state_round_trips() -> None:
    from webapp.searching import Query

    q = Query.from_args({"q": " nghi quyet ", "series": "tbnb", "year_from": "2020", "year_to": "abc",
                         "min_conf": "70,5", "sort": "-date", "page": "3", "per_page": "999"})
    assert q.q == "nghi quyet" and q.year_to is None and q.min_conf == 70.5 and q.per_page == 20
    assert q.url() == "/search?q=nghi+quyet&series=tbnb&from=2020&min_conf=70.5&sort=-date&page=3"
    assert q.url(topic="kinh-te") == ("/search?q=nghi+quyet&series=tbnb&from=2020&topic=kinh-te"
                                      "&min_conf=70.5&sort=-date")
    assert Query.from_args({"year_from": "1999", "to": "2001"}).url() == "/search?from=1999&to=2001"
    assert Query.from_args(dict(q.pairs())) == q


needs_search = pytest.mark.skipif("not __import__('importlib').util.find_spec('indexer.search.engine')",
                                  reason="the search engine (indexer/search/engine.py) is not in this tree yet")


@needs_search
def test_search_without_diacritics_finds_the_article(reader: Any, web_home: WebHome) -> None:
    assert web_home.search_ready
    html = text_of(reader.get("/search?q=hoc+tap+va+lam+theo"))
    first = re.search(r'<li class="hit-item" data-id="([^"]+)"', html).group(1)
    assert first == web_home.articles["hoc-tap"]
    assert "<mark>" in html
    facet = re.search(r'data-facet="series".*?href="([^"]+)"', html, re.DOTALL).group(1)
    narrowed = text_of(reader.get(facet.replace("&amp;", "&")))
    assert "series=" in facet and 'aria-current="true"' in narrowed


@needs_search
def test_search_exports_stream_every_hit(reader: Any, web_home: WebHome) -> None:
    r = reader.get("/search/export.csv?q=chi+bo&per_page=1")
    rows = list(csv.DictReader(io.StringIO(text_of(r).lstrip("\ufeff"))))
    data = json.loads(text_of(reader.get("/search/export.json?q=chi+bo&per_page=1")))
    assert len(rows) == data["total"] == len(data["hits"]) >= 2
    assert data["hits"][0]["url"].startswith("http://localhost/")
    api = reader.get("/api/search?q=chi+bo").get_json()
    assert api["total"] == data["total"] and set(api) >= {"total", "query_key", "index_version", "hits", "facets"}
    with web_home.catalog() as catalog:
        assert catalog.one("SELECT count(*) AS n FROM audit WHERE action = 'export'")["n"] >= 2


# --- command line --------------------------------------------------------------------------

def test_cli_user_commands(bantin: Any, home: Path) -> None:
    r = bantin("user", "add", "Lan", "--role", "editor", input="mat-khau-dai-1\n")
    assert r.code == 0 and "added lan (editor)" in r.out
    r = bantin("user", "add", "lan", input="x\n")
    assert r.code == 2 and "already exists" in r.err
    assert bantin("user", "add", "ngan", input="short\n").code == 2
    for weak in ("password", "12345678", "aaaaaaaaaaaa", "ngan.2024", "1234567890"):
        r = bantin("user", "add", "ngan.2024", input=weak + "\n")
        assert r.code == 2 and "mật khẩu" in r.err, weak
    r = bantin("user", "add", "lan", "--update", input="iloveyou123\n")  # a password change
    assert r.code == 2 and "quá phổ biến" in r.err
    assert bantin("user", "add", "bad name!", input="mat-khau-dai-1\n").code == 2
    r = bantin("user", "list")
    assert re.search(r"lan\s+editor\s+active", r.out)
    token = bantin("user", "token", "lan").out.strip()
    assert token.startswith("bt_") and len(token) > 40
    assert bantin("user", "disable", "lan").code == 0
    assert re.search(r"lan\s+editor\s+disabled", bantin("user", "list").out)
    assert bantin("user", "disable", "nobody").code == 2
    from archive.catalog import Catalog

    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        assert users.user_for_token(catalog, token) is None  # disabled: the token stops working
        actions = [r["action"] for r in catalog.query("SELECT action FROM audit ORDER BY id")]
    assert actions[:3] == ["user-add", "token-create", "user-disable"]


def test_cli_secret_is_written_once(bantin: Any, home: Path) -> None:
    (home / "bantin.toml").write_text("port = 9000\n", encoding="utf-8")
    assert bantin("secret").code == 0
    first = tomllib.loads((home / "bantin.toml").read_text(encoding="utf-8"))
    assert first["port"] == 9000 and len(first["secret_key"]) >= 32
    assert (home / "bantin.toml").stat().st_mode & 0o077 == 0
    assert "already set" in bantin("secret").out
    assert tomllib.loads((home / "bantin.toml").read_text())["secret_key"] == first["secret_key"]
    bantin("secret", "--rotate")
    assert tomllib.loads((home / "bantin.toml").read_text())["secret_key"] != first["secret_key"]


def test_cli_serve_refuses_without_secret(bantin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BANTIN_SECRET_KEY", raising=False)
    r = bantin("serve", "--port", "0")
    assert r.code == 6 and "bantin secret" in r.err


def test_viewer_and_api_show_an_editors_correction(web_home_factory: Any) -> None:
    from archive.editorial import correct_page

    home = web_home_factory(index=False)
    with home.catalog() as catalog:
        words = home.words["ttshcb-2012-09/1"]
        text = "\n".join(w.text for w in words).replace("Phòng,", "Phòng,\nHIỆU ĐÍNH", 1)
        correct_page(catalog, "ttshcb-2012-09/1", text, author="bientap", base_version=0)
    client = make_app(home).test_client()
    login(client)
    html = text_of(client.get("/i/ttshcb-2012-09/1?q=hieu+dinh"))
    assert "đã hiệu đính (bản 1)" in html and '<mark class="hit"' in html
    page = client.get("/api/pages/ttshcb-2012-09/1").get_json()
    assert page["version"] == 1 and "HIỆU ĐÍNH" in page["text"]


def test_bantin_serve_runs_waitress_for_real(web_home: WebHome) -> None:
    """`bantin serve` in a subprocess: /healthz answers, pages need a login, Ctrl+C stops it."""
    import http.client
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "BANTIN_SECRET_KEY": "k" * 48,
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    entry = "import sys; from bantin.main import main; sys.exit(main())"
    proc = subprocess.Popen([sys.executable, "-c", entry, "--home", str(web_home.path), "serve",
                             "--port", str(port), "--workers", "2"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120  # a loaded CI machine starts Python slowly
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                r = conn.getresponse()
                break
            except OSError:
                assert proc.poll() is None, proc.communicate(timeout=5)  # exited: say why
                assert time.monotonic() < deadline, "bantin serve did not answer within 120 s"
                time.sleep(0.2)
        assert r.status == 200 and b'"ok"' in r.read()
        assert r.getheader("Server") == "bantin"
        conn.request("GET", "/s/ttshcb")
        r = conn.getresponse()
        assert r.status == 302 and r.getheader("Location").startswith("/login")
        r.read()
        children = _children(proc.pid)
        assert len(children) == 3  # --workers 2: two server processes share the port, and the refresh process
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    assert f"localhost:{port}" in out and "2 processes" in out and "refresh process" in out
    assert proc.returncode == 0
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]  # none left behind


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@needs_search
def test_api_search_matches_the_cli_json(reader: Any, web_home: WebHome) -> None:
    """/api/search and `bantin search --json` give the same fields and the same numbers."""
    import contextlib
    import io as _io

    from bantin.main import main

    out = _io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--home", str(web_home.path), "--quiet", "search", "chi bo", "--series",
                     "ttshcb", "--json"])
    assert code == 0
    cli = json.loads(out.getvalue())
    api = reader.get("/api/search?q=chi+bo&series=ttshcb").get_json()
    assert set(cli) <= set(api)
    assert (api["total"], api["query_key"], api["index_version"]) == (cli["total"], cli["query_key"],
                                                                      cli["index_version"])
    assert [h["id"] for h in api["hits"]] == [h["id"] for h in cli["hits"]]
    assert set(cli["hits"][0]) <= set(api["hits"][0]) and api["facets"] == cli["facets"]


def test_search_url_is_made_canonical(reader: Any) -> None:
    r = reader.get("/search?series=&q=chi+bo&from=&to=2020&kind=&sort=relevance&page=1&year_from=2010")
    assert r.status_code == 302 and r.headers["Location"] == "/search?q=chi+bo&from=2010&to=2020"
    assert reader.get("/search?q=chi+bo&from=2010&to=2020").status_code in (200, 503)
    assert reader.get("/search?q=&series=").headers["Location"] == "/search"
