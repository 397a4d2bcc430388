"""ALTO 4.4 and hOCR of the fixture pages: valid against the ALTO 4.4 XSD (vendored under
tests/fixtures/alto/ with the XLink schema it imports), boxes in pixels of the page image,
word confidence, an editor's correction with the machine's reading kept as an ALTERNATIVE;
per page over HTTP, per issue as a ZIP, and from `bantin export alto`."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from archive import editorial, ocrxml
from tests.web_fixtures import PAGE_H, PAGE_W, WebHome, build_web_home, login, make_app

XSD = Path(__file__).parent / "fixtures" / "alto" / "alto-4-4.xsd"
NS = {"a": ocrxml.ALTO_NS}
ISSUE = "ttshcb-2012-07"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> WebHome:
    """A home of its own: the test corrects a page."""
    return build_web_home(tmp_path_factory.mktemp("ocrxml-home"), index=False)


@pytest.fixture(scope="module")
def client(home: WebHome) -> Iterator[Any]:
    app = make_app(home)
    c = app.test_client()
    assert login(c).status_code == 302
    yield c


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def test_alto_is_valid_and_in_pixels_of_the_page_image(client: Any, home: WebHome,
                                                        schema: etree.XMLSchema) -> None:
    response = client.get(f"/alto/{ISSUE}/1.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    doc = etree.fromstring(response.data)
    assert schema.validate(doc), schema.error_log.last_error
    page = doc.find(".//a:Page", NS)
    assert (page.get("WIDTH"), page.get("HEIGHT")) == (str(PAGE_W), str(PAGE_H))
    strings = doc.findall(".//a:String", NS)
    words = home.words[f"{ISSUE}/1"]
    assert [s.get("CONTENT") for s in strings] == [w.text for w in words]
    for s, w in zip(strings, words):
        assert abs(int(s.get("HPOS")) - w.box[0] * PAGE_W) <= 1  # boxes are stored to 5 decimals
        assert abs(int(s.get("VPOS")) - w.box[1] * PAGE_H) <= 1
        assert abs(int(s.get("WIDTH")) - (w.box[2] - w.box[0]) * PAGE_W) <= 1.5
        assert float(s.get("WC")) == pytest.approx(w.conf / 100, abs=0.006)
    assert any(float(s.get("WC")) < 0.5 for s in strings)  # the poorly read word says so
    # a broken file fails the same schema (the check can fail)
    strings[0].attrib.pop("CONTENT")
    assert not schema.validate(doc)


def test_a_correction_keeps_the_machine_reading_as_an_alternative(client: Any, home: WebHome,
                                                                  schema: etree.XMLSchema) -> None:
    with home.catalog() as catalog:
        machine = editorial.effective_page(catalog, f"{ISSUE}/2")
        assert machine is not None and machine.version == 0
        wrong = machine.words[3].text
        text = machine.text.replace(wrong, "Sửa-chữa", 1)
        editorial.correct_page(catalog, f"{ISSUE}/2", text, author="bientap", base_version=0)
    doc = etree.fromstring(client.get(f"/alto/{ISSUE}/2.xml").data)
    assert schema.validate(doc), schema.error_log.last_error
    corrected = [s for s in doc.findall(".//a:String", NS) if s.find("a:ALTERNATIVE", NS) is not None]
    assert [(s.get("CONTENT"), s.find("a:ALTERNATIVE", NS).text) for s in corrected] == [("Sửa-chữa", wrong)]
    assert corrected[0].get("WC") == "1.00"
    assert "hiệu đính, phiên bản 1" in client.get(f"/alto/{ISSUE}/2.xml").get_data(as_text=True)


def test_hocr_has_the_same_words_and_boxes(client: Any, home: WebHome) -> None:
    response = client.get(f"/hocr/{ISSUE}/1.html")
    assert response.status_code == 200
    doc = etree.fromstring(response.data)
    xhtml = {"h": "http://www.w3.org/1999/xhtml"}
    words = doc.findall(".//h:span[@class='ocrx_word']", xhtml)
    expected = home.words[f"{ISSUE}/1"]
    assert [w.text for w in words] == [w.text for w in expected]
    title = words[0].get("title")
    x0, y0 = (int(v) for v in title.split(";")[0].split()[1:3])
    assert abs(x0 - expected[0].box[0] * PAGE_W) <= 1 and abs(y0 - expected[0].box[1] * PAGE_H) <= 1
    assert "x_wconf" in title
    page = doc.find(".//h:div[@class='ocr_page']", xhtml)
    assert f"bbox 0 0 {PAGE_W} {PAGE_H}" in page.get("title")


def test_issue_zip_and_refusals(client: Any, home: WebHome, schema: etree.XMLSchema) -> None:
    response = client.get(f"/alto/{ISSUE}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as z:
        names = z.namelist()
        assert names == [f"{ISSUE}/001.alto.xml", f"{ISSUE}/002.alto.xml"]
        for name in names:
            assert schema.validate(etree.fromstring(z.read(name))), name
    with zipfile.ZipFile(io.BytesIO(client.get(f"/hocr/{ISSUE}.zip").data)) as z:
        assert z.namelist() == [f"{ISSUE}/001.hocr.html", f"{ISSUE}/002.hocr.html"]
    assert client.get(f"/alto/{ISSUE}/9.xml").status_code == 404
    assert client.get("/alto/nope.zip").status_code == 404
    anonymous = make_app(home).test_client()
    assert anonymous.get(f"/alto/{ISSUE}/1.xml").status_code == 401


def test_export_alto_writes_one_zip_per_issue(home: WebHome, tmp_path: Path, schema: etree.XMLSchema) -> None:
    from click.testing import CliRunner

    from bantin.main import cli

    out = tmp_path / "alto"
    result = CliRunner().invoke(cli, ["--home", str(home.path), "export", "alto", "--out", str(out)])
    assert result.exit_code == 0, result.output
    zips = sorted(p.name for p in out.iterdir())
    with home.catalog() as catalog:
        issues = [i.id for i in catalog.issues(None, include_missing=False)]
    assert zips == sorted(f"{i}.alto.zip" for i in issues)
    with zipfile.ZipFile(out / f"{ISSUE}.alto.zip") as z:
        assert all(schema.validate(etree.fromstring(z.read(n))) for n in z.namelist())


def test_characters_xml_cannot_carry_are_dropped(home: WebHome, schema: etree.XMLSchema) -> None:
    from archive.models import Word

    with home.catalog() as catalog:
        page = catalog.get_page(f"{ISSUE}/1")
    assert page is not None
    words = (Word("Nghị\x0cquyết\x00", (0.1, 0.1, 0.3, 0.12), 88.0), Word("số", (0.31, 0.1, 0.35, 0.12), 91.0))
    pw = ocrxml.PageWords(page, tuple(ocrxml._clean(w) for w in words), ("", ""), 0, "text")
    doc = etree.fromstring(ocrxml.alto(pw).encode("utf-8"))
    assert schema.validate(doc), schema.error_log.last_error
    assert [s.get("CONTENT") for s in doc.findall(".//a:String", NS)] == ["Nghịquyết", "số"]
    etree.fromstring(ocrxml.hocr(pw).encode("utf-8"))  # well-formed
