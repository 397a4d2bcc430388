"""The coverage pages over HTTP on the small sample: login, every table equal to its CSV
download, heatmap cells and trend points that open exactly the articles they count, the
articles/words switch and the editor's threshold, charts, errors, report downloads, and
``bench/web.py``'s targets."""
# ruff: noqa: F811  (pytest fixtures imported from tests.review_fixtures are redefined as arguments)

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from docx import Document
from PIL import Image

from archive.catalog import Catalog
from review.evidence import PAGE_OF_TABLE
from tests.review_fixtures import SampleHome, sample_app, sample_client, sample_home  # noqa: F401
from tests.test_report import _parse
from tests.web_fixtures import web_home_factory  # noqa: F401

PAGES = ["/coverage", "/coverage/structure", "/coverage/topics", "/coverage/documents",
         "/coverage/trends", "/coverage/examples", "/coverage/report"]


def test_every_page_answers_a_reader_and_refuses_a_stranger(sample_app: Any, sample_client: Any) -> None:
    stranger = sample_app.test_client()
    for path in PAGES:
        r = stranger.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login?next="), path
        ok = sample_client.get(path)
        assert ok.status_code == 200, path
        html = ok.get_data(as_text=True)
        assert 'href="/coverage"' in html or 'href="/coverage/"' in html  # the menu entry
        assert "Thống kê" in html and "<script>" not in html.replace('<script src="/static/', "")


@pytest.mark.parametrize("query", ["", "by=term", "series=tbnb&by=decade", "from=1995&to=2010"])
def test_every_table_equals_its_csv_download(sample_client: Any, query: str) -> None:
    checked = 0
    for table, page in PAGE_OF_TABLE.items():
        path = f"/coverage/{page}" + (f"?{query}" if query else "")
        parsed = _parse(sample_client, path, table)
        r = sample_client.get(f"/coverage/{page}.csv?" + urlencode([("table", table), *parse_qsl(query)]))
        assert r.status_code == 200 and r.mimetype == "text/csv"
        assert r.headers["Content-Disposition"].startswith(f'attachment; filename="bantin-{table}-')
        body = r.get_data(as_text=True)
        assert body.startswith("\ufeff")
        rows = list(csv.DictReader(io.StringIO(body[1:])))
        web = [row for row in parsed.rows if row]
        assert len(web) == len(rows), (table, query)
        for w, row in zip(web, rows):
            assert {k: v for k, (v, _text) in w.items()} == {k: row[k] for k in w}, (table, query)
            assert row["index_version"]
        checked += 1
    assert checked == len(PAGE_OF_TABLE)


def _heat_cells(html: str) -> list[dict[str, str]]:
    out = []
    for m in re.finditer(r'<td class="([^"]*)" data-topic="([^"]+)" data-period="([^"]+)" data-articles="(\d+)" '
                         r'data-share="([^"]*)"><a href="([^"]+)"', html):
        out.append({"flag": m.group(1), "topic": m.group(2), "period": m.group(3), "articles": m.group(4),
                    "share": m.group(5), "href": unescape(m.group(6))})
    return out


def test_heatmap_cells_open_the_articles_they_count(sample_client: Any) -> None:
    html = sample_client.get("/coverage/topics?by=term").get_data(as_text=True)
    cells = _heat_cells(html)
    assert len(cells) >= 2 * 15 * 3  # two series, fifteen topics, several terms held
    assert {c["flag"].split()[0] for c in cells if c["flag"]} >= {"empty"}
    for c in [c for c in cells if c["articles"] != "0"] + [c for c in cells if c["articles"] == "0"][:10]:
        link = urlsplit(c["href"])
        assert link.path == "/search" and "topic=" + c["topic"] in link.query
        api = sample_client.get("/api/search?" + link.query).get_json()
        assert api["total"] == int(c["articles"]), c
        page = sample_client.get(c["href"])  # the page a click opens says the same
        assert page.status_code == 200
        assert f'{int(c["articles"])} kết quả' in page.get_data(as_text=True) or c["articles"] == "0"


def test_the_measure_switch_and_the_threshold(sample_client: Any) -> None:
    articles = sample_client.get("/coverage/topics?by=term&threshold=2").get_data(as_text=True)
    assert 'id="measure-words"' in articles and "<strong>số tin, bài</strong>" in articles
    switch = unescape(re.search(r'<a href="([^"]+)" id="measure-words">', articles).group(1))  # type: ignore[union-attr]
    words = sample_client.get(switch).get_data(as_text=True)
    assert "measure=words" in switch and "<strong>số chữ</strong>" in words
    table = _parse(sample_client, switch, "topics")
    shares = {(row["series"][0], row["topic"][0], row["period"][0]): row["share_words"][0] for row in table.rows if row}
    for c in _heat_cells(words)[:40]:
        series = dict(parse_qsl(urlsplit(c["href"]).query))["series"]
        assert c["share"] == shares[(series, c["topic"], c["period"])]
    thin_low = sum("thin" in c["flag"] for c in _heat_cells(articles))
    high = sample_client.get("/coverage/topics?by=term&threshold=60").get_data(as_text=True)
    thin_high = sum("thin" in c["flag"] for c in _heat_cells(high))
    assert thin_high > thin_low
    assert 'name="threshold" type="number" min="0" max="100" step="0.5" value="60"' in high


def test_trend_points_open_their_hits(sample_client: Any) -> None:
    query = urlencode({"terms": "sinh hoạt chi bộ, kinh tế"})
    html = sample_client.get("/coverage/trends?" + query).get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>")]
    points = [unescape(h) for h in re.findall(r'<a href="([^"]+)"><circle', svg)]
    table = _parse(sample_client, "/coverage/trends?" + urlencode({"terms": "sinh hoạt chi bộ, kinh tế"}), "trends")
    rows = [r for r in table.rows if r]
    linked = {(r["term"][0], r["series"][0], r["year"][0]): r for r in rows if r["per_10k"][0]}
    assert len(points) == len(linked) >= 4
    for href in points:
        q = dict(parse_qsl(urlsplit(href).query))
        row = linked[(q["q"], q["series"], q["from"])]
        assert sample_client.get("/api/search?" + urlsplit(href).query).get_json()["total"] == int(row["documents"][0])


def test_charts_are_the_reports_png(sample_client: Any) -> None:
    for name in ("completeness", "articles", "words", "lags", "heatmap-ttshcb", "heatmap-tbnb"):
        r = sample_client.get(f"/coverage/chart.png?name={name}&by=term")
        assert r.status_code == 200 and r.mimetype == "image/png", name
        image = Image.open(io.BytesIO(r.data))
        assert image.width >= 1000 and image.height >= 300
    assert sample_client.get("/coverage/chart.png?name=nothing").status_code == 404
    html = sample_client.get("/coverage/structure?by=term").get_data(as_text=True)
    assert html.count("<svg") == 3 and 'class="png"' in html


@pytest.mark.parametrize(("path", "message"), [
    ("/coverage/topics?threshold=abc", "ngưỡng"),
    ("/coverage/topics?measure=pages", "articles"),
    ("/coverage/structure?from=2010&to=2000", "khoảng năm ngược"),
    ("/coverage/trends?terms=%28chi+bo", "ngoặc"),
    ("/coverage/examples?per_period=0", "số bài mỗi thời kỳ"),
    ("/coverage/report.docx?by=week", "cách nhóm"),
])
def test_bad_parameters_get_a_message(sample_client: Any, path: str, message: str) -> None:
    r = sample_client.get(path)
    assert r.status_code == 400
    assert message in unescape(r.get_data(as_text=True))


def test_report_downloads(sample_client: Any, sample_home: SampleHome) -> None:
    r = sample_client.get("/coverage/report.docx?series=tbnb&by=decade")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"].startswith('attachment; filename="bantin-phu-luc-')
    doc = Document(io.BytesIO(r.data))
    assert doc.paragraphs[0].text == "Phụ lục thống kê" and "Thông báo nội bộ" in doc.paragraphs[1].text
    assert "Thông tin sinh hoạt chi bộ" not in doc.paragraphs[1].text
    with Catalog(sample_home.path / "index" / "catalog.sqlite") as catalog:
        rows = catalog.query("SELECT detail FROM audit WHERE action = 'export' AND target LIKE '/coverage/report%'")
    assert any(row["detail"] == "report docx" for row in rows)
    view = sample_client.get("/coverage/report.html?by=term&view=1")
    assert view.headers["Content-Disposition"].startswith("inline")


def test_permalinks_reproduce_each_table(sample_client: Any) -> None:
    html = sample_client.get("/coverage/documents?series=ttshcb&by=term").get_data(as_text=True)
    links = [unescape(h) for h in re.findall(r'<a href="([^"]+)" class="permalink">', html)]
    charts = [link for link in links if "#chart-" in link]
    assert charts == ["/coverage/documents?series=ttshcb&by=term#chart-lags"]
    assert f'id="{charts[0].split("#")[1]}"' in html
    links = [link for link in links if link not in charts]
    assert len(links) == 4
    for link in links:
        assert link.startswith("/coverage/documents?series=ttshcb&by=term#")
        name = link.split("#", 1)[1]
        again = _parse(sample_client, link.split("#")[0], name)
        first = _parse(sample_client, "/coverage/documents?series=ttshcb&by=term", name)
        assert again.rows == first.rows


def test_bench_targets_all_answer(sample_client: Any, sample_home: SampleHome) -> None:
    from webapp.coverage import bench_paths

    with Catalog(sample_home.path / "index" / "catalog.sqlite") as catalog:
        targets = bench_paths(catalog)
    paths = [p for _name, ps in targets for p in ps]
    assert len(paths) >= 30
    for path in paths[::3]:
        assert sample_client.get(path).status_code == 200, path


def test_coverage_pages_without_a_search_index_say_how_to_build_it(web_home_factory: Any) -> None:
    from tests.web_fixtures import login, make_app

    home = web_home_factory(index=False)
    client = make_app(home).test_client()
    assert login(client).status_code == 302
    page = client.get("/coverage/trends?terms=chi+b%E1%BB%99")
    assert page.status_code == 503
    assert "bantin build" in page.get_data(as_text=True)
    assert client.get("/coverage/").status_code == 200  # catalog-only pages still answer
