"""The statistical appendix on the small sample: ``bantin report`` writes a DOCX that
python-docx reads back with its headings, tables and images; every hyperlink is absolute
under --base-url and opens for a logged-in reader; its numbers are those of the web pages
and the CSV downloads for the same filters; the HTML report says the same; LibreOffice
converts the DOCX to PDF."""
# ruff: noqa: F811  (pytest fixtures imported from tests.review_fixtures are redefined as arguments)

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from docx import Document
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from tests.conftest import run_bantin
from tests.review_fixtures import BASE_URL, SampleHome, sample_app, sample_client, sample_home  # noqa: F401

FILTERS = ["--by", "term"]
QUERY = "by=term"
SECTIONS = ["1. Kho lưu trữ hiện có", "2. Cơ cấu và bố cục qua các thời kỳ",
            "3. Nội dung và mức độ bao quát chủ đề", "4. Văn bản được dẫn và độ trễ",
            "5. Bộ sưu tập minh chứng", "6. Bài viết tiêu biểu theo chủ đề và thời kỳ",
            "7. Phát hành: số lượng in, khổ và số trang", "8. Nguồn số liệu và cách kiểm chứng",
            "Phụ lục. Báo cáo của các đơn vị"]
DOCS = Path(__file__).resolve().parent.parent / "docs" / "img"


@pytest.fixture(scope="module")
def report_docx(sample_home: SampleHome, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "phu-luc.docx"
    r = run_bantin(sample_home.path, "report", "--format", "docx", "--out", str(out),
                   "--base-url", BASE_URL, *FILTERS)
    assert r.returncode == 0, r.stderr
    assert "report written to" in r.stdout
    return out


# --- reading a DOCX back -----------------------------------------------------------------------

def blocks(path: Path) -> list[Paragraph | DocxTable]:
    """Paragraphs and tables of the body in document order."""
    doc = Document(str(path))
    out: list[Paragraph | DocxTable] = []
    for child in doc.element.body.iterchildren():
        if child.tag.endswith("}p"):
            out.append(Paragraph(child, doc))
        elif child.tag.endswith("}tbl"):
            out.append(DocxTable(child, doc))
    return out


def links_of(paragraph: Paragraph) -> list[str]:
    return [h.address + (f"#{h.fragment}" if h.fragment else "") for h in paragraph.hyperlinks]


def cell_links(table: DocxTable) -> list[list[tuple[str, str]]]:
    """(text, link or '') of every cell, row by row (the first row is the header)."""
    out = []
    for row in table.rows:
        line = []
        for cell in row.cells:
            links = [h.address for p in cell.paragraphs for h in p.hyperlinks]
            line.append((cell.text, links[0] if links else ""))
        out.append(line)
    return out


def tables_with_sources(path: Path) -> list[tuple[DocxTable, str, str]]:
    """Each table with the page and CSV links of the caption just before it."""
    out = []
    last: list[str] = []
    for block in blocks(path):
        if isinstance(block, Paragraph):
            if block.hyperlinks:
                last = links_of(block)
        else:
            if any("/bao-cao" in u for u in last):  # the districts' reports appendix: no coverage
                out.append((block, "", ""))       # page or CSV (tests/test_reports.py checks it)
                continue
            page = next(u for u in last if "/coverage/" in u and ".csv" not in u)
            csv_url = next(u for u in last if ".csv" in u)
            out.append((block, page, csv_url))
    return out


def vn_number(text: str) -> float | None:
    """``1.234`` → 1234, ``12,5 %`` → 12.5, '' → None."""
    text = text.replace("%", "").strip()
    if not text:
        return None
    return float(text.replace(".", "").replace(",", "."))


def path_of(url: str) -> str:
    assert url.startswith(BASE_URL + "/"), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- the tests ---------------------------------------------------------------------------------

def test_headings_tables_and_images(report_docx: Path) -> None:
    doc = Document(str(report_docx))
    styles = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert styles[0] == ("Title", "Phụ lục thống kê")
    assert [t for s, t in styles if s == "Heading 1"] == SECTIONS
    h2 = [t for s, t in styles if s == "Heading 2"]
    assert "2.1. Số trang, số tin, bài và độ dài" in h2 and "4.2. Văn bản chưa được nhắc tới" in h2
    assert any(s == "Heading 3" and t.startswith("Khóa ") for s, t in styles)  # examples by term
    # holdings, structure, sections, kinds, a heatmap per series, gaps, documents mentioned,
    # documents never mentioned (and cited documents missing from the register, when any)
    assert len(doc.tables) >= 9
    for table in doc.tables:
        assert len(table.rows) >= 1 and all(c.text for c in table.rows[0].cells)
    # charts: completeness, articles, words, a heatmap per series, lags
    assert len(doc.inline_shapes) >= 6
    for shape in doc.inline_shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        part = doc.part.related_parts[blip.embed]
        assert part.content_type == "image/png" and part.blob[:8] == b"\x89PNG\r\n\x1a\n"
    assert doc.core_properties.language == "vi-VN"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Thông tin sinh hoạt chi bộ" in text and "Thông báo nội bộ" in text  # NFC Vietnamese


def test_every_hyperlink_is_absolute_and_opens_for_a_reader(report_docx: Path, sample_client: Any) -> None:
    doc = Document(str(report_docx))
    urls: set[str] = set()
    for p in doc.paragraphs:
        urls.update(links_of(p))
    for table in doc.tables:
        for row in cell_links(table):
            urls.update(link for _text, link in row if link)
    assert len(urls) >= 50
    kinds = {urlsplit(u).path.split("/")[1] for u in urls}
    assert {"search", "a", "coverage"} <= kinds  # holdings lead to /coverage/basis (issue 14)
    assert any(urlsplit(u).path == "/coverage/basis" for u in urls)
    for url in sorted(urls):
        r = sample_client.get(path_of(url))
        assert r.status_code == 200, (url, r.status_code)


def test_collections_and_example_articles_are_linked(report_docx: Path, sample_home: SampleHome) -> None:
    items = blocks(report_docx)
    texts = [b.text if isinstance(b, Paragraph) else "" for b in items]
    start = texts.index("5. Bộ sưu tập minh chứng")
    end = texts.index("6. Bài viết tiêu biểu theo chủ đề và thời kỳ")
    section = [b for b in items[start:end] if isinstance(b, Paragraph)]
    assert (section[1].style.name, section[1].text) == ("Heading 2", "5.1. Minh chứng về quán triệt nghị quyết")
    bullets = [p for p in section if p.style.name == "List Bullet"]
    assert len(bullets) == 3
    assert all(p.hyperlinks for p in bullets)
    assert [links_of(p)[0].split("/")[3].split("?")[0] for p in bullets] == ["a", "a", "search"]
    assert "Giải thích nghị quyết" in bullets[0].text
    examples = [b for b in items[end:] if isinstance(b, Paragraph) and b.style.name == "List Bullet"
                and b.hyperlinks and "/a/" in links_of(b)[0]]
    with sample_home.catalog() as catalog:
        known = {r["id"] for r in catalog.query("SELECT id FROM article")}
    assert examples and all(urlsplit(links_of(p)[0]).path[3:] in known for p in examples)


def test_report_numbers_equal_the_web_pages_and_csv(report_docx: Path, sample_client: Any) -> None:
    """Each table of the report against the web page showing it and its CSV download, for the
    same filters: the page's cells hold the CSV's values (``data-value``) and show the text the
    report shows, row by row. Heatmap matrices (report only) are matched to the long table by
    their cells' links."""
    checked_tables = checked_cells = 0
    for table, page_url, csv_url in tables_with_sources(report_docx):
        if not page_url:
            continue
        r = sample_client.get(path_of(csv_url))
        assert r.status_code == 200, csv_url
        rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
        name = dict(parse_qsl(urlsplit(csv_url).query))["table"]
        page = _parse(sample_client, path_of(page_url), name)
        web = [row for row in page.rows if row]
        assert len(web) == len(rows), name
        for w, row in zip(web, rows):
            assert {k: value for k, (value, _text) in w.items()} == {k: row[k] for k in w}, name
        cells = cell_links(table)
        header = [text for text, _ in cells[0]]
        if name == "topics" and header[0] == "Chủ đề":  # a heatmap matrix
            # a share opens the view of its numerator and denominator (issue 14): the long
            # table's share link
            by_link = {row["share_articles_url"]: row for row in rows if row.get("share_articles_url")}
            for line in cells[1:]:
                for text, link in line[1:]:
                    if not link:
                        assert text == "–"
                        continue
                    row = by_link[link]
                    share, count = re.fullmatch(r"(.+ %) \((\d+)\)", text).groups()  # type: ignore[union-attr]
                    assert vn_number(share) == float(row["share_articles"] or 0)
                    assert int(count) == int(row["articles"])
                    checked_cells += 1
        else:
            keys = [next(k for k, label in page.headers if label.strip() == h) for h in header]
            shown = [(w, row) for w, row in zip(web, rows) if _shown(name, row)]
            assert len(cells) - 1 == len(shown), name
            for line, (w, row) in zip(cells[1:], shown):
                for (text, link), key in zip(line, keys):
                    assert text == w[key][1], (name, key, text, w[key])
                    if re.fullmatch(r"-?\d+(\.\d+)?", row[key]):
                        assert vn_number(text) == float(row[key]), (name, key)
                    if link and f"{key}_url" in row:
                        assert link == row[f"{key}_url"], (name, key)  # the same evidence
                    checked_cells += 1
        checked_tables += 1
    assert checked_tables >= 9 and checked_cells >= 300


def _shown(name: str, row: dict[str, str]) -> bool:
    """The report lists documents that were mentioned (the page lists every one)."""
    return name != "documents" or bool(row["first_mention"])


class _TableParser(HTMLParser):
    """``<table data-table=NAME>`` of a coverage page: rows {data-key: (data-value, text)}
    and the headers (data-key, label)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.inside = False
        self.rows: list[dict[str, tuple[str, str]]] = []
        self.headers: list[tuple[str, str]] = []
        self._th = self._td = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self.inside = a.get("data-table") == self.name
        elif self.inside and tag == "tr":
            self.rows.append({})
        elif self.inside and tag == "td":
            self._td = a["data-key"] or ""
            self.rows[-1][self._td] = (a.get("data-value") or "", "")
        elif self.inside and tag == "th" and a.get("data-key"):
            self._th = a["data-key"] or ""
            self.headers.append((self._th, ""))

    def handle_data(self, data: str) -> None:
        if self._th:
            key, text = self.headers[-1]
            self.headers[-1] = (key, text + data)
        elif self._td:
            value, text = self.rows[-1][self._td]
            self.rows[-1][self._td] = (value, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._th = ""
        elif tag == "td":
            self._td = ""
        elif tag == "table":
            self.inside = False


def _parse(client: Any, path: str, name: str) -> _TableParser:
    r = client.get(path)
    assert r.status_code == 200, path
    parser = _TableParser(name)
    parser.feed(r.get_data(as_text=True))
    return parser


def test_the_html_report_says_the_same(report_docx: Path, sample_client: Any) -> None:
    """The HTML download from the web app, for the same filters, has the DOCX's tables cell
    for cell (texts and links) and the same charts."""
    r = sample_client.get(f"/coverage/report.html?{QUERY}")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "script-src" not in r.headers["Content-Security-Policy"] and "default-src 'none'" in \
        r.headers["Content-Security-Policy"]
    html = r.get_data(as_text=True)
    html_tables = re.findall(r"<table id=\"bang-\d+\".*?</table>", html, re.DOTALL)
    docx_tables = [t for t, _p, _c in tables_with_sources(report_docx)]
    assert len(html_tables) == len(docx_tables)
    for ht, dt in zip(html_tables, docx_tables):
        html_cells = [unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", ht)]
        docx_cells = [text for line in cell_links(dt)[1:] for text, _ in line]
        assert html_cells == docx_cells
        html_links = [unescape(u) for u in re.findall(r'<td[^>]*><a href="([^"]+)"', ht)]
        assert html_links == [link for line in cell_links(dt)[1:] for _t, link in line if link]
    assert html.count('<img src="data:image/png;base64,') == len(Document(str(report_docx)).inline_shapes)


def test_report_refuses_a_relative_base_url_and_leaves_nothing(sample_home: SampleHome, tmp_path: Path) -> None:
    out = tmp_path / "x.docx"
    r = run_bantin(sample_home.path, "report", "--out", str(out), "--base-url", "/kho")
    assert r.returncode == 2 and "--base-url" in r.stderr
    r = run_bantin(sample_home.path, "report", "--out", str(out), "--series", "khong-co",
                   "--base-url", BASE_URL)
    assert r.returncode == 2 and "khong-co" in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_libreoffice_converts_the_docx_to_pdf(report_docx: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (make setup installs libreoffice-writer-nogui)")
    profile = tmp_path / "profile"
    env = {**os.environ, "HOME": str(tmp_path)}
    r = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(report_docx)],
                       capture_output=True, text=True, timeout=300, env=env, check=False)
    pdf = tmp_path / "phu-luc.pdf"
    assert r.returncode == 0 and pdf.exists() and pdf.stat().st_size > 20_000, (r.stdout, r.stderr)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages >= 5
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Kho lưu trữ hiện có" in text and "Văn bản được dẫn và độ trễ" in text
    if os.environ.get("BANTIN_SCREENSHOTS") == "1":  # the README's picture of a page
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "2", "-l", "2", "-singlefile", str(pdf),
                        str(DOCS / "report-page")], check=True)
