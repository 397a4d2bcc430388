"""The PDF text layer: Unicode, TCVN3 and VNI pages, two columns, hidden OCR layers, pages
that must go to OCR, and extract_page end to end on text-layer pages."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from archive.models import PageTask
from indexer.extract import legacy, textlayer
from indexer.extract.page import extract_page
from tests.legacy_pdfs import A4, Columns, Margin, Para, Rule, Title, make_pdf

P1 = ("Thực hiện Nghị quyết số 21-NQ/TW của Ban Chấp hành Trung ương Đảng, các chi bộ đã tập "
      "trung củng cố tổ chức, nâng cao chất lượng sinh hoạt, phát huy vai trò tiên phong gương "
      "mẫu của đảng viên ở khu dân cư.")
P2 = ("Nhiều cách làm hay được nhân rộng: chi bộ thôn Đông đưa nội dung học tập và làm theo tư "
      "tưởng, đạo đức, phong cách Hồ Chí Minh vào sinh hoạt thường kỳ; người dân đồng tình.")
P3 = ("Ủy ban nhân dân xã ưu tiên nguồn lực cho chương trình xây dựng nông thôn mới, những công "
      "trình thiết thực được triển khai đúng tiến độ, được nhân dân tin tưởng.")
P4 = ("Hỏi – đáp: Đảng viên có những nhiệm vụ gì khi sinh hoạt nơi cư trú? Trả lời: gương mẫu "
      "chấp hành chủ trương của Đảng, chính sách, pháp luật của Nhà nước.")
TWO_COLUMNS = [
    Title("NGHỊ QUYẾT VỀ XÂY DỰNG ĐẢNG Ở CƠ SỞ"),
    Columns(((P1, P2), (P3, P4))),
    Title("Kinh nghiệm – cách làm hay", 13),
    Columns(((P2,), (P1,))),
    Para("Dữ liệu mẫu – nội dung hư cấu", 8),
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fonts")


def _task(path: Path, page: int = 0) -> PageTask:
    return PageTask(page_id="tbnb-2005-01/1", path=str(path), source_kind="pdf",
                    file_page=page, sha256="abc")


def _check_words(result, expected_text: str) -> None:
    """Words rebuild the text, boxes lie on the page, numbering follows reading order."""
    assert unicodedata.is_normalized("NFC", result.text)
    assert " ".join(w.text for w in result.words) == " ".join(expected_text.split())
    previous = (0, 0)
    for w in result.words:
        x0, y0, x1, y1 = w.box
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, w
        assert (w.block, w.line) >= previous
        previous = (w.block, w.line)
        assert w.conf == 100.0
    assert result.confidence == 100.0


@pytest.mark.parametrize("encoding,quirks", [(None, False), ("tcvn3", False), ("tcvn3", True),
                                             ("vni", False)])
def test_two_column_pages_extract_exactly(tmp_path, cache, encoding, quirks):
    pdf = tmp_path / "page.pdf"
    drawn = make_pdf(pdf, [TWO_COLUMNS], cache=cache, encoding=encoding, quirks=quirks)
    result, note = textlayer.extract_text_page(_task(pdf))
    assert result is not None, note
    assert result.text == drawn[0].text
    assert result.method == ("text" if encoding is None else "legacy")
    assert result.encoding == (encoding or "")
    assert result.engine == "pdfplumber" and result.engine_version
    assert result.settings_key == textlayer.settings_key(result.method)
    _check_words(result, drawn[0].text)

    words: dict[str, object] = {}
    for w in result.words:
        words.setdefault(w.text, w)  # first occurrence
    title = [w for w in result.words if w.line == 1]
    assert [w.text for w in title] == "NGHỊ QUYẾT VỀ XÂY DỰNG ĐẢNG Ở CƠ SỞ".split()
    assert all(w.bold and w.size == 15.0 for w in title)
    assert title[0].box[1] < 0.1  # at the top of the page
    body = [w for w in result.words if w.size == 10.0]
    assert body and not any(w.bold for w in body)
    left: Any = words["Thực"]  # first word of the left column; of the right one, "Ủy"
    right: Any = words["Ủy"]
    assert left.box[2] < 0.5 < right.box[0]
    assert abs(left.box[1] - right.box[1]) < 0.01  # side by side
    assert left.line < right.line and left.block < right.block


@pytest.mark.parametrize("encoding,quirks", [(None, False), ("tcvn3", True), ("vni", False)])
def test_odd_page_with_right_aligned_head_and_unbalanced_columns(tmp_path, cache, encoding,
                                                                  quirks):
    """The reading order of a real odd page: a running head right-aligned over the right
    column, a banner in the left column, a long left column beside a short right one (as
    at the end of an issue), the page number in the right corner."""
    page = [Margin("Thông tin sinh hoạt chi bộ – Số 8/2006", "right"),
            Columns(((P1, Title("VĂN BẢN MỚI", 11), P2, P3), (P4,))),
            Margin("7", "right", top=False, size=10)]
    pdf = tmp_path / "odd.pdf"
    drawn = make_pdf(pdf, [page], cache=cache, encoding=encoding, quirks=quirks, size=A4)
    result, note = textlayer.extract_text_page(_task(pdf))
    assert result is not None, note
    assert result.text == drawn[0].text
    lines = result.text.splitlines()
    assert lines[0] == "Thông tin sinh hoạt chi bộ – Số 8/2006" and lines[-1] == "7"
    _check_words(result, drawn[0].text)


def test_a_rule_across_the_page_ends_the_columns_above_it(tmp_path, cache):
    """Two sets of columns with nothing but a drawn rule between them (a boxed item over
    the articles, sections set apart by a rule): the first set is read, then the second,
    not the left columns of both, then the right ones."""
    page = [Columns(((P1,), (P3,))), Rule(), Columns(((P2,), (P4,)))]
    pdf = tmp_path / "ruled.pdf"
    drawn = make_pdf(pdf, [page], cache=cache, size=A4)
    result, note = textlayer.extract_text_page(_task(pdf))
    assert result is not None, note
    assert result.text == drawn[0].text


def test_tcvn3_capitals_and_bold_in_one_line(tmp_path, cache):
    page = [Title("ỦY BAN NHÂN DÂN TỈNH: Ấn Độ và Ước mơ", 14),
            Para("Ông Nguyễn Văn Ấm, Ủy viên Ban Thường vụ, nói: “Đổi mới là tất yếu”. " * 3)]
    pdf = tmp_path / "caps.pdf"
    drawn = make_pdf(pdf, [page], cache=cache, encoding="tcvn3")
    result, note = textlayer.extract_text_page(_task(pdf))
    assert result is not None, note
    assert result.text == drawn[0].text
    fonts_used = {w.text: w.bold for w in result.words}
    assert fonts_used["ỦY"] and fonts_used["Ấn"] and not fonts_used["Ông"]


def test_mixed_unicode_and_legacy_fonts_on_one_page(tmp_path, cache):
    page = [Title("Thông tin thời sự", encoding="unicode"), Para(P1, encoding="vni"),
            Para(P3, encoding="tcvn3"), Para(P4, encoding="unicode")]
    pdf = tmp_path / "mixed.pdf"
    drawn = make_pdf(pdf, [page], cache=cache, encoding=None)
    result, note = textlayer.extract_text_page(_task(pdf))
    assert result is not None, note
    assert result.text == drawn[0].text
    assert result.method == "legacy" and result.encoding in ("tcvn3", "vni")
    assert "mixed legacy encodings tcvn3, vni" in result.note


def test_garbage_in_a_legacy_font_goes_to_ocr(tmp_path, cache):
    rng = random.Random(7)
    codes = list(legacy.TCVN3_DECODE) + list("bcdfghklmnpqrstvx")
    garbage = " ".join("".join(rng.choice(codes) for _ in range(rng.randint(2, 6)))
                       for _ in range(120))
    from reportlab.pdfgen import canvas

    from samplegen import fonts

    names = fonts.register_legacy_fonts(cache)
    pdf = tmp_path / "garbage.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4, invariant=1)
    c.setFont(names["tcvn3"], 11)
    for i in range(12):
        c.drawString(40, 780 - 16 * i, garbage[i * 60:(i + 1) * 60])
    c.save()
    result, note = textlayer.extract_text_page(_task(pdf))
    assert result is None
    assert note.startswith("legacy tcvn3 repair not confident")


def test_image_only_pdf_has_no_text_layer(tmp_path):
    image = tmp_path / "scan.png"
    Image.new("L", (300, 420), 255).save(image)
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(420, 595), invariant=1)
    c.drawImage(str(image), 0, 0, 420, 595)
    c.save()
    assert textlayer.extract_text_page(_task(pdf)) == (None, "no text layer")


def test_sparse_text_over_a_page_image_goes_to_ocr(tmp_path, cache):
    image = tmp_path / "scan.png"
    Image.new("L", (300, 420), 230).save(image)
    pdf = tmp_path / "stamped.pdf"
    make_pdf(pdf, [[Para("Trang 3")]], cache=cache, image=image)
    result, note = textlayer.extract_text_page(_task(pdf))
    assert result is None and "too sparse" in note


def test_hidden_ocr_layer_is_kept_only_when_it_reads_as_vietnamese(tmp_path, cache):
    image = tmp_path / "scan.png"
    Image.new("L", (300, 420), 240).save(image)
    good = tmp_path / "good.pdf"
    drawn = make_pdf(good, [[Para(P1), Para(P3)]], cache=cache, render_mode=3, image=image)
    result, note = textlayer.extract_text_page(_task(good))
    assert result is not None, note
    assert result.text == drawn[0].text and result.method == "text"
    assert "hidden OCR text layer" in result.note

    bad = tmp_path / "bad.pdf"  # what an English OCR engine makes of Vietnamese
    poor = "Th ng tin sinh ho t chi b , ngh quy t s 21 c a Ban Ch p h nh Trung ng ng " * 4
    make_pdf(bad, [[Para(poor)]], cache=cache, render_mode=3, image=image)
    result, note = textlayer.extract_text_page(_task(bad))
    assert result is None and note.startswith("hidden OCR text layer not plausible")


def test_extract_page_end_to_end_without_ocr(tmp_path, cache):
    pdf = tmp_path / "issue.pdf"
    pages = [TWO_COLUMNS, [Title("Hỏi – đáp"), Para(P4)]]
    drawn = make_pdf(pdf, pages, cache=cache, encoding="tcvn3")
    for index, expected in enumerate(drawn):
        result = extract_page(_task(pdf, index))
        assert not result.failed, result.error
        assert result.method == "legacy" and result.encoding == "tcvn3"
        assert result.text == expected.text
        assert result.seconds >= 0


@pytest.mark.parametrize("name,bold", [
    ("AAAAAA+Arial-BoldMT", True), ("TimesNewRomanPS-BoldItalicMT", True),
    ("TimesNewRomanPS-BdMT", True), (".VnTime,Bold", True), ("VNI-Times-B", True),
    (".VnTimeB", True), ("Arial Black", True), ("AAAAAA+.VnTimeH", False), (".VnTime", False),
    ("VNI-Book", False), ("TimesNewRomanPSMT", False), ("LiberationSerif", False),
])
def test_bold_from_font_names(name, bold):
    assert textlayer.is_bold(name) is bold
