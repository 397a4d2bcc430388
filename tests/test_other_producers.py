"""A bulletin made the way a provincial office makes one: typed in a word processor (python-docx
here), exported to PDF by LibreOffice, then also printed and scanned (the PDF rasterised,
tilted and blurred). The sample archive's PDFs all come from one typesetter (reportlab); these
pages come from another, with its own fonts, spacing and text layer, and must segment alike.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_bantin

pytestmark = pytest.mark.slow

S = ("Thực hiện Nghị quyết số 35-NQ/TW ngày 22/10/2018 của Bộ Chính trị, các chi bộ đã tổ chức "
     "học tập, quán triệt đến từng đảng viên, gắn với nhiệm vụ chính trị của địa phương. ")
T = ("Các cấp ủy tăng cường kiểm tra, giám sát, kịp thời biểu dương những tập thể, cá nhân làm "
     "tốt, chấn chỉnh những nơi còn hình thức. ")
ARTICLES = [  # (banner, title, byline); the section and kind segmentation should find
    ("NHỮNG VẤN ĐỀ CHUNG", "Bảo vệ nền tảng tư tưởng của Đảng trong tình hình mới", "Trần Văn Hùng"),
    (None, "Chi bộ thôn Đông Hà đổi mới nội dung sinh hoạt", "Lê Thị Mai"),
    ("GƯƠNG NGƯỜI TỐT, VIỆC TỐT", "Người bí thư chi bộ tận tụy ở bản Nà Lầu", "PV"),
    ("HỎI – ĐÁP", "Hỏi – đáp về sinh hoạt chi bộ định kỳ", ""),
]
EXPECTED = [
    ("Những vấn đề chung", ARTICLES[0][1], "Trần Văn Hùng", "bai"),
    ("Những vấn đề chung", ARTICLES[1][1], "Lê Thị Mai", "bai"),
    ("Gương người tốt, việc tốt", ARTICLES[2][1], "PV", "bai"),
    ("Hỏi – đáp", ARTICLES[3][1], "", "hoi-dap"),
]


def _docx(path: Path) -> Path:
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()

    def para(text: str, size: float = 12, bold: bool = False, align=None, before: float = 0):  # type: ignore[no-untyped-def]
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.font.size, run.bold, run.font.name = Pt(size), bold, "Times New Roman"
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_before = Pt(before)

    center, right, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY
    para("BAN TUYÊN GIÁO TỈNH ỦY", 10, True, center)
    para("THÔNG BÁO NỘI BỘ", 26, True, center)
    para("Số 5 – tháng 5/2019", 12, True, center)
    para("Lưu hành nội bộ", 10, False, center)
    section = doc.add_section(WD_SECTION.CONTINUOUS)  # the articles in two columns
    cols = section._sectPr.xpath("./w:cols")
    col = cols[0] if cols else OxmlElement("w:cols")
    col.set(qn("w:num"), "2")
    col.set(qn("w:space"), "340")
    if not cols:
        section._sectPr.append(col)
    for banner, title, byline in ARTICLES:
        if banner:
            para(banner, 13, True, center, 14)
        para(title, 16, True, None, 10)
        for k in range(3):
            para((S + T) * 2 if k != 1 else T + S, 12, False, justify, 4)
        if byline:
            para(byline, 12, True, right)
    doc.save(str(path))
    return path


SPANNING = [  # banner, title, signature, paragraphs: titles across both columns
    ("ĐỊNH HƯỚNG SINH HOẠT CHI BỘ", "Nội dung sinh hoạt chi bộ tháng 8/2021",
     "Ban Tuyên giáo Trung ương", 7),
    ("KINH NGHIỆM – CÁCH LÀM HAY", "Xã Yên Hòa làm tốt công tác dân vận", "Phạm Minh Tuấn", 9),
    ("THÔNG TIN THỜI SỰ", "Kinh tế 7 tháng đầu năm 2021 tiếp tục phục hồi", "PV", 4),
]
SENTENCES = [
    "Năm qua, Đảng bộ xã đã lãnh đạo thực hiện thắng lợi các chỉ tiêu kinh tế – xã hội, đời "
    "sống nhân dân được nâng lên rõ rệt.",
    "Công tác xây dựng Đảng được chú trọng, chất lượng sinh hoạt chi bộ có nhiều chuyển biến, "
    "đảng viên phát huy vai trò tiền phong.",
    "Các đoàn thể chính trị – xã hội tích cực vận động hội viên tham gia phong trào thi đua yêu "
    "nước, giúp nhau phát triển kinh tế.",
    "Chính quyền cơ sở giải quyết kịp thời kiến nghị của cử tri, giữ vững an ninh chính trị, "
    "trật tự an toàn xã hội trên địa bàn.",
]


def _docx_spanning(path: Path) -> Path:
    """Another house style: Arial, a running header and a page number field in the footer,
    each title across the page over a two-column body, signatures italic and flush right."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    center, right, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY

    def para(text: str, size: float, bold: bool = False, italic: bool = False, align=None,  # type: ignore[no-untyped-def]
             before: float = 0, indent: float = 0):
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.font.size, run.bold, run.italic, run.font.name = Pt(size), bold, italic, "Arial"
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_before = Pt(before)
        if indent:
            p.paragraph_format.first_line_indent = Pt(indent)

    def columns(n: int) -> None:
        section = doc.add_section(WD_SECTION.CONTINUOUS)
        for old in section._sectPr.xpath("./w:cols"):
            section._sectPr.remove(old)
        col = OxmlElement("w:cols")
        col.set(qn("w:num"), str(n))
        col.set(qn("w:space"), "360")
        section._sectPr.append(col)

    first = doc.sections[0]
    first.header.paragraphs[0].text = "Thông tin sinh hoạt chi bộ – Số 8/2021"
    first.header.paragraphs[0].alignment = center
    footer = first.footer.paragraphs[0]
    footer.alignment = center
    run = footer.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        el = OxmlElement("w:fldChar" if kind else "w:instrText")
        if kind:
            el.set(qn("w:fldCharType"), kind)
        else:
            el.text = text
        run._r.append(el)
    para("BAN TUYÊN GIÁO TRUNG ƯƠNG", 10, True, align=center)
    para("THÔNG TIN SINH HOẠT CHI BỘ", 24, True, align=center)
    para("Số 8 – tháng 8/2021", 12, True, align=center)
    for banner, title, signature, n in SPANNING:
        columns(1)
        para(banner, 11, True, align=center, before=12)
        para(title, 18, True, align=center, before=4)
        columns(2)
        for k in range(n):
            para(" ".join(SENTENCES[(k + j) % 4] for j in range(3)), 11, align=justify,
                 indent=18, before=3)
        para(signature, 11, True, True, align=right)
    doc.save(str(path))
    return path


def _convert(source: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (make setup installs libreoffice-writer-nogui)")
    profile = source.parent / "profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(source.parent), str(source)],
                   check=True, capture_output=True, timeout=180)
    return source.with_suffix(".pdf")


@pytest.fixture(scope="module")
def office_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _convert(_docx(tmp_path_factory.mktemp("office") / "tbnb-2019-05.docx"))


def _scan(pdf: Path, folder: Path, seed: int, tilt: float, blur: float) -> None:
    """The PDF printed and scanned: rasterised at 300 dpi, tilted and blurred, one PNG a page."""
    import pdfplumber
    from PIL import Image, ImageFilter

    folder.mkdir(parents=True)
    rng = random.Random(seed)
    with pdfplumber.open(pdf) as doc:
        for n, page in enumerate(doc.pages, 1):
            image = page.to_image(resolution=300).original.convert("L")
            image = image.rotate(rng.uniform(-tilt, tilt), resample=Image.Resampling.BILINEAR,
                                 expand=True, fillcolor=255).filter(ImageFilter.GaussianBlur(blur))
            image.save(folder / f"trang {n}.png", dpi=(300, 300))


@pytest.mark.parametrize("scanned", [False, True])
def test_titles_across_both_columns_with_a_running_header(tmp_path: Path, scanned: bool) -> None:
    """Also scanned: OCR sees some paragraphs' first lines wider than the text, like a title
    in the body size in a news section; a line that runs on into the text is none."""
    pdf = _convert(_docx_spanning(tmp_path / "ttshcb-2021-08.docx"))
    home = tmp_path / "home"
    if scanned:
        _scan(pdf, home / "scans/ttshcb/2021/ttshcb-2021-08", seed=2, tilt=1.5, blur=0.9)
    else:
        target = home / "scans/ttshcb/2021/ttshcb-2021-08.pdf"
        target.parent.mkdir(parents=True)
        shutil.copy(pdf, target)
    assert _articles(home) == [
        ("Định hướng sinh hoạt chi bộ", SPANNING[0][1], "Ban Tuyên giáo Trung ương", "bai"),
        ("Kinh nghiệm – cách làm hay", SPANNING[1][1], "Phạm Minh Tuấn", "bai"),
        ("Thông tin thời sự", SPANNING[2][1], "PV", "tin"),
    ]
    out = run_bantin(home, "export", "articles", "--format", "jsonl")
    texts = [json.loads(line)["text"] for line in out.stdout.splitlines() if line.strip()]
    assert not any("Số 8/2021" in t or "Trung ương\n" in t for t in texts)


def _articles(home: Path) -> list[tuple[str, str, str, str]]:
    done = run_bantin(home, "build")
    assert done.returncode == 0, done.stderr
    out = run_bantin(home, "export", "articles", "--format", "jsonl")
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    return [(r["section"], r["title"], r["byline"], r["kind"]) for r in rows]


def test_a_word_processor_pdf_segments_like_the_sample(office_pdf: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    target = home / "scans/tbnb/2019/tbnb-2019-05.pdf"
    target.parent.mkdir(parents=True)
    shutil.copy(office_pdf, target)
    assert _articles(home) == EXPECTED
    pages = run_bantin(home, "export", "pages", "--format", "jsonl").stdout.splitlines()
    assert {json.loads(p)["method"] for p in pages} == {"text"}


def test_the_same_bulletin_printed_and_scanned(office_pdf: Path, tmp_path: Path) -> None:
    """Rasterised at 300 dpi, each page tilted by up to 1.2° and blurred: Tesseract reads it
    and the articles come out the same (OCR measures a wrapped title's lines at different
    heights; one of them reads like the section *Nội dung sinh hoạt chi bộ*)."""
    home = tmp_path / "home"
    _scan(office_pdf, home / "scans/tbnb/2019/tbnb-2019-05", seed=1, tilt=1.2, blur=0.8)
    assert _articles(home) == EXPECTED
