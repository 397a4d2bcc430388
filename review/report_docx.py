"""The appendix as a Word document (python-docx), for Word and LibreOffice.

Headings use the built-in *Heading 1–3* styles (so Word's navigation pane and table of
contents see them), tables *Table Grid*, text Times New Roman (Vietnamese letters, and
metric-compatible Liberation Serif in LibreOffice) marked as Vietnamese for proofing. Charts
are the PNG images of :mod:`review.charts`.

python-docx has no API to write hyperlinks (1.2.0 reads them only): :func:`add_link` builds
the ``w:hyperlink`` element with an external relationship of the paragraph's part, the form
Word itself writes; a shared address reuses one relationship.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from review.report import Figure, Heading, Link, Para, Report, TableBlock, body, header

LINK_COLOR = "1F5F99"
FLAG_FILL = {"empty": "F6D5D1", "thin": "FBE9D0", "nodata": "EEEEEE"}
BODY_FONT = "Times New Roman"


def add_link(paragraph: Paragraph, text: str, url: str, *, size: Pt | None = None) -> None:
    """Append ``text`` linking to ``url`` (absolute) to ``paragraph``."""
    rel = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), LINK_COLOR)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(color)
    props.append(underline)
    if size is not None:
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(int(size.pt * 2)))
        props.append(sz)
    run.append(props)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _styles(doc) -> None:  # type: ignore[no-untyped-def]
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(11)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), BODY_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        style = doc.styles[name]
        style.font.name = BODY_FONT
        style.font.color.rgb = RGBColor(0x1A, 0x3A, 0x5C)
        fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
        if fonts is not None:  # theme fonts would win over the name
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(attr), None)


def _shade(cell, fill: str) -> None:  # type: ignore[no-untyped-def]
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _paragraph(doc, block: Para) -> None:  # type: ignore[no-untyped-def]
    style = "List Bullet" if block.style == "bullet" else None
    p = doc.add_paragraph(style=style)
    for part in block.parts:
        if isinstance(part, Link):
            add_link(p, part.text, part.url)
        else:
            run = p.add_run(part)
            if block.style == "note":
                run.italic = True
                run.font.size = Pt(9)


def _table(doc, block: TableBlock, base_url: str) -> None:  # type: ignore[no-untyped-def]
    caption = doc.add_paragraph()
    run = caption.add_run(block.table.title)
    run.bold = True
    caption.add_run(" (")
    add_link(caption, "xem trên kho", block.page, size=Pt(9))
    caption.add_run(" · ")
    add_link(caption, "CSV", block.csv, size=Pt(9))
    caption.add_run(")")
    rows = body(block, base_url)
    table = doc.add_table(rows=1 + len(rows), cols=len(block.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for k, label in enumerate(header(block)):
        cell = table.rows[0].cells[k]
        cell.text = ""
        r = cell.paragraphs[0].add_run(label)
        r.bold = True
        r.font.size = Pt(8.5)
        _shade(cell, "E8EEF4")
    _repeat_header(table.rows[0])
    numeric = [block.table.columns[block.table.column(key)].kind not in ("text",) for key in block.columns]
    for i, line in enumerate(rows, start=1):
        cells = table.rows[i].cells
        for k, (text, url, flag) in enumerate(line):
            p = cells[k].paragraphs[0]
            if numeric[k]:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if url and text:
                add_link(p, text, url, size=Pt(8.5))
            else:
                r = p.add_run(text)
                r.font.size = Pt(8.5)
            if flag in FLAG_FILL:
                _shade(cells[k], FLAG_FILL[flag])
    doc.add_paragraph()


def _repeat_header(row) -> None:  # type: ignore[no-untyped-def]
    trpr = row._tr.get_or_add_trPr()
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    trpr.append(mark)


def _figure(doc, block: Figure, width: Cm) -> None:  # type: ignore[no-untyped-def]
    doc.add_picture(io.BytesIO(block.image), width=width)
    p = doc.add_paragraph()
    r = p.add_run(block.caption + " ")
    r.italic = True
    r.font.size = Pt(9)
    if block.page:
        add_link(p, "Xem biểu đồ và bảng số liệu trên kho", block.page, size=Pt(9))


def write_docx(report: Report, target: Path | BinaryIO) -> None:
    """Write the DOCX to a path or a binary file object."""
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    width = Cm(17.0)
    props = doc.core_properties
    props.title = f"{report.title}: {report.subtitle}"
    props.subject = "Phụ lục thống kê Bản tin"
    props.language = "vi-VN"
    props.keywords = f"index_version={report.index_version}"
    doc.add_heading(report.title, level=0)
    sub = doc.add_paragraph()
    sub.add_run(report.subtitle).bold = True
    meta = doc.add_paragraph()
    meta.add_run(f"Lập lúc {report.generated} từ kho ")
    add_link(meta, report.base_url, report.base_url + "/")
    for block in report.blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            _paragraph(doc, block)
        elif isinstance(block, TableBlock):
            _table(doc, block, report.base_url)
        elif isinstance(block, Figure):
            _figure(doc, block, width)
    doc.save(str(target) if isinstance(target, Path) else target)
