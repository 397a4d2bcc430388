"""District reports (issue 21): the register, intake of PDF / Word / scanned reports, the
received / late / missing table against the truth, figures prefilled then confirmed, upload
on the desk, search limited to reports or bulletins, and the report's appendix (DOCX read back,
every number and name a link its target confirms)."""

# ruff: noqa: F811  (pytest fixtures imported from tests.review_fixtures are redefined as arguments)
from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest

from archive import reporters
from archive.catalog import Catalog
from archive.errors import ConfigError
from indexer.reports import prefill
from tests.review_fixtures import SampleHome, client_as, home_copy, sample_home  # noqa: F401
from tests.web_fixtures import csrf_from

BASE = "https://kho.bantin.test"
REVIEW = "tong-ket-2025"


_client = client_as
_csrf = csrf_from


def test_prefill_only_plain_statements() -> None:
    text = ("Trong năm, Huyện ủy An Lạc đã tiếp nhận 1.870 bản Thông báo nội bộ. "
            "Có 48/59 chi bộ sử dụng bản tin trong sinh hoạt chi bộ thường kỳ. "
            "Đã tổ chức 4 cuộc khảo sát ý kiến cán bộ, đảng viên.")
    found = prefill(text)
    assert {k: v for k, (v, _s) in found.items()} == {"copies_received": 1870, "cells_using": 48, "cells": 59,
                                                      "surveys": 4}
    assert found["surveys"][1] == "Đã tổ chức 4 cuộc khảo sát ý kiến cán bộ, đảng viên."
    twice = prefill("Đã tổ chức 4 cuộc khảo sát. Sau đó tổ chức 5 cuộc khảo sát.")
    assert twice["surveys"] == (None, "")  # two values: the editor decides


def test_register_errors_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "reporters.toml").write_text('[[review]]\ncode = "X Y"\ndeadline = "2025"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="reporters.toml"):
        reporters.load_register(tmp_path)


def test_statuses_and_figures_equal_the_truth(sample_home: SampleHome) -> None:  # noqa: F811
    truth = {r["unit"]: r for r in sample_home.truth("reports.jsonl")}
    register = reporters.load_register(sample_home.path)
    with Catalog(sample_home.path / "index" / "catalog.sqlite") as catalog:
        rows = reporters.statuses(catalog, register, REVIEW)
        assert {s.unit.code: s.status for s in rows} == {u: t["status"] for u, t in truth.items()}
        assert sorted(s.status for s in rows).count("late") >= 2 and [s.status for s in rows].count("missing") == 1
        kinds = set()
        for s in rows:
            if s.report is None:
                continue
            kinds.add(s.report["kind"])
            assert s.report["problem"] == "" and "Dữ liệu mẫu" in s.report["text"]
            machine = {k: v["machine"] for k, v in reporters.figures(catalog, s.report["id"]).items()}
            t = truth[s.unit.code]
            assert machine == {k: t[k] for k in reporters.FIGURES}, s.unit.code
    assert {"pdf", "docx", "image"} <= kinds


def test_status_page_upload_confirm_search_and_links(home_copy: Path) -> None:
    from webapp.linkcheck import check_claims, page_claims

    client = _client(home_copy, "bientap21")
    page = client.get("/bao-cao").get_data(as_text=True)
    assert 'data-unit="units-missing">1<' in page and 'data-status="late"' in page
    # the missing unit sends its report as a Word file through the desk
    d = docx.Document()
    d.add_paragraph("Thị ủy Hòa Phong đã tiếp nhận 640 bản bản tin. Đã tổ chức 2 cuộc khảo sát.")
    buf = io.BytesIO()
    d.save(buf)
    r = client.post(f"/bao-cao/{REVIEW}/tai-len", data={
        "csrf_token": _csrf(page), "unit": "hoa-phong", "file": (io.BytesIO(buf.getvalue()), "bao-cao.docx")},
        content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert (home_copy / "scans" / "reports" / REVIEW / "hoa-phong.docx").exists()
    view = client.get(f"/bao-cao/{REVIEW}/hoa-phong").get_data(as_text=True)
    assert "640" in view and "2 cuộc khảo sát" in view
    r = client.post(f"/bao-cao/{REVIEW}/hoa-phong/so-lieu",
                    data={"csrf_token": _csrf(view), "copies_received": "640", "surveys": "2"})
    assert r.status_code == 302
    page = client.get("/bao-cao").get_data(as_text=True)
    assert 'data-unit="units-missing">0<' in page and 'data-unit="total-copies_received">640<' in page
    found = page_claims(page, BASE)
    result = check_claims(found, BASE, client)
    assert result.ok, [str(f) for f in result.faults]
    hits = client.get("/bao-cao/tim?q=khao+sat&scope=reports").get_data(as_text=True)
    assert 'data-unit="reports">8 ' in hits and 'id="bulletins"' not in hits
    assert client.get("/bao-cao/tim?q=khảo+sát&scope=both").get_data(as_text=True).count('id="bulletins"') == 1
    r = client.get("/bao-cao/tim?q=chi+bo&scope=bulletins")
    assert r.status_code == 302 and r.headers["Location"].startswith("/search?q=chi")
    assert client.get(f"/bao-cao/{REVIEW}/..%2F..%2Findex/tep").status_code == 404
    with Catalog(home_copy / "index" / "catalog.sqlite") as catalog:
        actions = {r["action"] for r in catalog.query("SELECT action FROM audit")}
    assert {"report-upload", "report-figures"} <= actions


def test_readers_see_but_cannot_upload(sample_home: SampleHome) -> None:  # noqa: F811
    from tests.review_fixtures import READER

    client = _client(sample_home.path, READER)
    page = client.get("/bao-cao").get_data(as_text=True)
    assert "upload-form" not in page
    assert client.post(f"/bao-cao/{REVIEW}/tai-len", data={"csrf_token": _csrf(page)}).status_code == 403
    assert client.get(f"/bao-cao/{REVIEW}/an-lac/tep").status_code == 200


def test_report_appendix_links_every_number_and_name(home_copy: Path) -> None:
    from review.filters import Filters
    from review.report import render_report
    from review.report_docx import write_docx
    from webapp.linkcheck import check_claims, claims

    client = _client(home_copy, "bientap21")
    with Catalog(home_copy / "index" / "catalog.sqlite") as catalog:
        reporters.confirm(catalog, f"{REVIEW}/an-lac", {"copies_received": 1870}, author="bientap21")
        from archive.config import load_config
        report = render_report(catalog, load_config(home_copy), Filters(), base_url=BASE)
    out = home_copy / "r.docx"
    write_docx(report, out)
    doc = docx.Document(str(out))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "7. Phát hành: số lượng in, khổ và số trang" in headings
    assert "Phụ lục. Báo cáo của các đơn vị" in headings
    start = next(i for i, p in enumerate(doc.paragraphs) if p.text == "Phụ lục. Báo cáo của các đơn vị")
    bullets = [p for p in doc.paragraphs[start:] if p.style.name == "List Bullet"]
    names = [u.name for u in reporters.load_register(home_copy).units]
    assert len(bullets) == len(names)
    assert all(p.hyperlinks for p in bullets if "chưa nộp" not in p.text)
    # every number of the appendix's and the distribution section's tables links to its source
    tables = [t for t in doc.tables if t.rows[0].cells[0].text == "Đơn vị"
              or "Số ghi số lượng in" in [c.text for c in t.rows[0].cells]]
    assert len(tables) == 2
    for t in tables:
        header = [c.text for c in t.rows[0].cells]
        for row in t.rows[1:]:
            for label, cell in zip(header, row.cells):
                text = cell.text.strip()
                if label != "Năm" and text and re.fullmatch(r"[\d.,]+", text):
                    assert any(p.hyperlinks for p in cell.paragraphs), (label, text)
            if t.rows[0].cells[0].text == "Đơn vị" and row.cells[0].text != "Tổng cộng":
                assert any(p.hyperlinks for p in row.cells[0].paragraphs)  # every unit's name
    mine = [c for c in claims(report) if "/bao-cao" in c.url or "/coverage/colophons" in c.url
            or "/coverage/distribution" in c.url]
    assert len(mine) > 20
    result = check_claims(mine, BASE, client)
    assert result.ok, [str(f) for f in result.faults][:10]
