"""The fast content-stream reader gives pdfminer's interpreter exactly what pdfminer's own
parser gives it: token by token on crafted streams, glyph by glyph on real PDFs (Unicode,
TCVN3 with its quirks, VNI, an inline image that sends the stream back to pdfminer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfminer.pdfinterp import PDFContentParser, PDFPageInterpreter
from pdfminer.pdftypes import PDFStream
from pdfminer.psparser import PSEOF
from PIL import Image
from reportlab.pdfgen import canvas

from indexer.extract import textlayer
from indexer.extract.contentstream import interpreter_class, objects
from tests.legacy_pdfs import A4, Columns, Margin, Para, Title, make_pdf

STREAMS = [
    b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET",
    b"BT /F1 9.5 Tf 1 0 0 1 56.7 -.5 Tm [(A) -120 (W) 30.5 (ay)] TJ T* (x) ' 1 2 (y) \" ET",
    rb"(nested (paren) and \) escaped \( and \\ back) Tj (oct \101\60\7 \0053) Tj",
    b"(line\\\r\ncontinued \\q unknown) Tj <48 65 6c6C 6f> Tj <7> Tj <> Tj",
    b"/Name#20with#23hash /F#31 /\xc3\xa9t\xc3\xa9 /Sp /  0 0 m % a comment ) ( [\n 1 1 l S",
    b"q 0.5 0 0 .5 -1.5 +2 cm /GS0 gs /Im1 Do Q true false << /Type /Foo /N 1 /A [1 2 [3]] >>",
    b"[1 2 3]  { 4 5 } -.25 +7 0.0 12. BT ET \n\n%%EOF",
]


def _pdfminer_objects(data: bytes) -> list[object]:
    parser = PDFContentParser([PDFStream({}, data)])
    out = []
    while True:
        try:
            out.append(parser.nextobject()[1])
        except PSEOF:
            return out


@pytest.mark.parametrize("data", STREAMS)
def test_tokens_are_pdfminers(data):
    assert list(objects(data)) == _pdfminer_objects(data)


def _glyphs(path: Path, interpreter: type) -> list[tuple]:
    pdf, pages = textlayer._OpenDocument.get(str(path))
    out = []
    for page in pages:
        collector = textlayer._collector_class()(pdf.rsrcmgr)
        collector.page_height = page.mediabox[3] - page.mediabox[1]
        interpreter(pdf.rsrcmgr, collector).process_page(page)
        out.append((collector.glyphs, collector.hidden, collector.unmapped,
                    collector.image_area))
    textlayer._OpenDocument.close()
    return out


@pytest.mark.parametrize("encoding,quirks", [(None, False), ("tcvn3", True), ("vni", False)])
def test_glyphs_are_pdfminers(tmp_path, encoding, quirks):
    pdf = tmp_path / "page.pdf"
    text = ("Nghị quyết số 21-NQ/TW (ngày 16/6/2022) của Ban Chấp hành Trung ương Đảng về "
            "tăng cường củng cố tổ chức cơ sở đảng; người dân đồng tình, hưởng ứng. ")
    pages = [[Margin("Thông tin sinh hoạt chi bộ – Số 8/2006"), Title("NGHỊ QUYẾT (MỚI) \\ 100%"),
              Columns(((text, text), (text,))), Para(text * 2)]]
    make_pdf(pdf, pages, cache=tmp_path / "fonts", encoding=encoding, quirks=quirks, size=A4)
    fast, slow = _glyphs(pdf, interpreter_class()), _glyphs(pdf, PDFPageInterpreter)
    assert fast == slow and len(fast[0][0]) > 500


def test_inline_images_are_left_to_pdfminer(tmp_path):
    pdf = tmp_path / "inline.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4, invariant=1)
    c.setFont("Helvetica", 11)
    c.drawString(72, 760, "Before the picture (BI) ID EI")
    c.drawInlineImage(Image.new("L", (8, 8), 128), 72, 600, 40, 40)
    c.drawString(72, 560, "After the picture")
    c.save()
    fast, slow = _glyphs(pdf, interpreter_class()), _glyphs(pdf, PDFPageInterpreter)
    assert fast == slow
    assert "".join(g.text for g in fast[0][0]) == "Before the picture (BI) ID EIAfter the picture"
