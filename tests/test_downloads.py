"""Downloads (issue 20): a page image at full resolution and an issue's PDF (the original PDF,
or one assembled from the page images with an invisible text layer at the word boxes); a
search's full records as CSV / JSON / JSONL carrying the query_key; the OpenAPI description at
/api/ and the API page. Over HTTP with the Flask test client, on the small web home."""

# ruff: noqa: F811  (pytest fixtures imported from tests.web_fixtures are redefined as arguments)
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from archive.catalog import Catalog
from archive.ingest import ingest_scans
from tests.web_fixtures import (  # noqa: F401
    PAGE_H,
    PAGE_W,
    PASSWORD,
    WebHome,
    login,
    make_app,
    reader,
    web_app,
    web_home,
)
from webapp import apidoc
from webapp import users as accounts


def test_page_image_at_full_resolution(reader: Any, web_home: WebHome) -> None:
    r = reader.get("/download/ttshcb-2012-07/1.jpg")
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    assert "attachment" in r.headers["Content-Disposition"]
    image = Image.open(io.BytesIO(r.data))
    assert image.format == "JPEG" and image.size == (PAGE_W, PAGE_H)  # the scan's own pixels
    scan = Image.open(web_home.path / "scans/ttshcb/2012/ttshcb-2012-07/001.png").convert("L")
    diff = sum(abs(a - b) for a, b in zip(image.convert("L").tobytes(), scan.tobytes(), strict=True))
    assert diff / (PAGE_W * PAGE_H) < 3  # the same page, not another one or a blank
    assert reader.get("/download/ttshcb-2012-07/9.jpg").status_code == 404
    assert reader.get("/download/khong-co/1.jpg").status_code == 404
    assert reader.get("/download/..%2F..%2Fetc/1.jpg").status_code == 404


def test_assembled_issue_pdf_has_the_pages_and_a_text_layer_at_the_words(reader: Any, web_home: WebHome) -> None:
    r = reader.get("/download/ttshcb-2012-07.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pdf = pdfium.PdfDocument(r.data)
    assert len(pdf) == 2
    page = pdf[0]
    width, height = page.get_size()
    text = page.get_textpage()
    assert "Chi bộ thôn Đông tổ chức sinh hoạt" in " ".join(text.get_text_range().split())
    # each drawn word's first letter lies where the word is on the scan
    words = web_home.words["ttshcb-2012-07/1"]
    checked = 0
    for word in [w for w in words if len(w.text) >= 5][:10]:
        found = text.search(word.text, match_case=True, match_whole_word=True).get_next()
        assert found, word.text
        left, bottom, right, top = text.get_charbox(found[0])
        x0, y0, x1, y1 = word.box
        assert abs(left / width - x0) < 0.02 and abs((1 - top / height) - y0) < 0.03, word.text
        checked += 1
    assert checked == 10
    bitmap = page.render(scale=PAGE_W / 2 / width).to_pil().convert("L")
    assert min(bitmap.tobytes()) < 100  # the scan is drawn (the text layer is invisible, the ink is not)
    again = reader.get("/download/ttshcb-2012-07.pdf")
    assert again.data == r.data  # made once, then served from the cache


def test_download_links_on_issue_page_and_viewer(reader: Any) -> None:
    issue = reader.get("/i/ttshcb-2012-07").get_data(as_text=True)
    assert 'href="/download/ttshcb-2012-07.pdf"' in issue
    viewer = reader.get("/i/ttshcb-2012-07/2").get_data(as_text=True)
    assert 'href="/download/ttshcb-2012-07/2.jpg"' in viewer and 'href="/download/ttshcb-2012-07.pdf"' in viewer


def test_original_pdf_is_sent_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "index").mkdir()
    folder = tmp_path / "scans" / "ttshcb" / "2013"
    folder.mkdir(parents=True)
    source = folder / "ttshcb-2013-01.pdf"
    c = canvas.Canvas(str(source), pagesize=(539, 765))
    for n in (1, 2):
        c.drawString(72, 700, f"Trang {n}")
        c.showPage()
    c.save()
    with Catalog(tmp_path / "index" / "catalog.sqlite") as catalog:
        assert not ingest_scans(catalog, tmp_path / "scans").problems
        accounts.add_user(catalog, "doc", "reader", PASSWORD)
    client = make_app(WebHome(tmp_path)).test_client()
    login(client)
    r = client.get("/download/ttshcb-2013-01.pdf")
    assert r.status_code == 200 and r.data == source.read_bytes()


def test_search_records_in_three_formats_carry_the_query_key(reader: Any, web_home: WebHome) -> None:
    if not web_home.search_ready:
        pytest.skip("no search engine")
    key = reader.get("/api/search?q=chi+bo").get_json()["query_key"]
    data = reader.get("/search/records.json?q=chi+bo").get_json()
    assert data["query_key"] == key and data["total"] == len(data["records"]) > 0
    article = web_home.articles["nq21"]
    rec = next(r for r in data["records"] if r["id"] == article)
    api = reader.get(f"/api/articles/{article}").get_json()
    for name in ("title", "byline", "section", "topics", "doc_refs", "text"):
        assert rec[name] == api[name], name
    assert rec["date"].startswith("2022-06") and rec["query_key"] == key
    lines = reader.get("/search/records.jsonl?q=chi+bo").get_data(as_text=True).splitlines()
    assert [json.loads(line) for line in lines] == data["records"]
    r = reader.get("/search/records.csv?q=chi+bo")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["id"] for row in rows] == [x["id"] for x in data["records"]]
    row = next(x for x in rows if x["id"] == article)
    assert row["text"] == rec["text"] and row["doc_refs"] == "21-NQ/TW" and row["query_key"] == key
    assert reader.get("/search/records.xml?q=chi+bo").status_code == 404
    assert reader.get("/search/records.csv").status_code == 400


def test_openapi_description_covers_every_api_route(web_app: Any, reader: Any) -> None:
    from openapi_spec_validator import validate

    r = reader.get("/api/")
    assert r.status_code == 200 and r.mimetype == "application/json"
    spec = r.get_json()
    validate(spec)  # a valid OpenAPI 3.1 document
    documented = {_shape(p) for p in spec["paths"]}
    routes = {_shape(rule.rule) for rule in web_app.url_map.iter_rules()
              if rule.rule.startswith(("/api/", "/oai", "/download/"))}
    assert routes <= documented, routes - documented
    assert documented <= routes, documented - routes  # nothing documented that does not exist
    anonymous = web_app.test_client()
    assert anonymous.get("/api/").status_code == 401


def _shape(path: str) -> str:
    import re

    return re.sub(r"[<{][^>}]*[>}]", "{}", path)


def test_api_page_in_vietnamese_with_examples(reader: Any) -> None:
    html = reader.get("/docs/api").get_data(as_text=True)
    assert "Hướng dẫn dùng API" in html and 'href="/api/"' in html
    for ep in apidoc.ENDPOINTS:
        assert ep.path in html
        if ep.example:
            assert ep.example.replace("&", "&amp;") in html


def test_assembled_pdf_follows_an_editors_correction(tmp_path_factory: pytest.TempPathFactory) -> None:
    from archive.editorial import correct_page
    from tests.web_fixtures import build_web_home

    home = build_web_home(tmp_path_factory.mktemp("pdf-correction"), index=False)
    client = make_app(home).test_client()
    login(client)
    before = pdfium.PdfDocument(client.get("/download/ttshcb-2012-09.pdf").data)[0].get_textpage().get_text_range()
    assert "Phòng," in before and "HIỆU ĐÍNH" not in before
    with home.catalog() as catalog:
        text = "\n".join(w.text for w in home.words["ttshcb-2012-09/1"]).replace("Phòng,", "HIỆU ĐÍNH", 1)
        correct_page(catalog, "ttshcb-2012-09/1", text, author="bientap", base_version=0)
    after = pdfium.PdfDocument(client.get("/download/ttshcb-2012-09.pdf").data)[0].get_textpage().get_text_range()
    assert "HIỆU ĐÍNH" in after  # the text in force, not the PDF made before the correction


def test_downloads_take_a_personal_token_and_send_anonymous_browsers_to_login(web_app: Any,
                                                                                web_home: WebHome) -> None:
    with web_home.catalog() as catalog:
        token = accounts.create_token(catalog, "doc", "script")
    script = web_app.test_client()
    r = script.get("/download/ttshcb-2012-09/1.jpg", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    anonymous = web_app.test_client().get("/download/ttshcb-2012-09.pdf")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login?next=")
    assert script.get("/api/me", headers={"Authorization": "Bearer sai"}).status_code == 401
