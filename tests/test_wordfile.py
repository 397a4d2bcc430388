"""The Word reader: every trap of legacy-encoded Word files, on documents the tests build."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from docx.enum.style import WD_STYLE_TYPE

from archive.errors import BadInput
from indexer.extract import office
from indexer.extract.legacy import encode
from indexer.extract.wordfile import read_docx, read_word_file
from tests.word_docs import NS, add_legacy, new_document, save, set_font, soft_hyphens

BODY = "Người dân tham gia xây dựng Đảng, những ưu điểm của tổ chức cơ sở đảng được phát huy."
HEADING = "NGHỊ QUYẾT VỀ CÔNG TÁC TƯ TƯỞNG"


def test_tcvn3_soft_hyphen_is_u_and_capitals_font_is_upper_cased(tmp_path: Path) -> None:
    d = new_document()
    add_legacy(d.add_paragraph(), HEADING, "tcvn3", bold=True)
    add_legacy(d.add_paragraph(), BODY, "tcvn3")
    path = save(d, tmp_path / "a.docx")
    assert "<w:softHyphen/>" in _xml(path)  # the trap is really in the file
    doc = read_docx(path)
    assert [b.text for b in doc.body] == [HEADING, BODY]
    assert doc.encodings == ("tcvn3",)
    assert doc.body[0].spans[0].bold


def test_vni_and_mixed_encodings_in_one_paragraph(tmp_path: Path) -> None:
    d = new_document()
    p = d.add_paragraph()
    run = p.add_run("Unicode: Hồ Chí Minh; ")
    set_font(run, "Times New Roman")
    add_legacy(p, "TCVN3: Thường vụ Tỉnh ủy; ", "tcvn3")
    add_legacy(p, "VNI: Ủy ban Mặt trận Tổ quốc.", "vni")
    doc = read_docx(save(d, tmp_path / "m.docx"))
    assert doc.body[0].text == ("Unicode: Hồ Chí Minh; TCVN3: Thường vụ Tỉnh ủy; "
                                "VNI: Ủy ban Mặt trận Tổ quốc.")
    assert doc.encodings == ("tcvn3", "unicode", "vni")


def test_vni_mark_in_the_next_run_joins_its_letter(tmp_path: Path) -> None:
    d = new_document()
    p = d.add_paragraph()
    raw = encode("Việt Nam", "vni")  # "Vieät Nam": the mark after "e"
    for piece, bold in ((raw[:3], False), (raw[3:], True)):
        run = p.add_run(piece)
        set_font(run, "VNI-Times")
        run.bold = bold
    assert read_docx(save(d, tmp_path / "v.docx")).body[0].text == "Việt Nam"


def test_font_from_paragraph_style_character_style_and_defaults(tmp_path: Path) -> None:
    d = new_document()
    body = d.styles.add_style("ThanBai", WD_STYLE_TYPE.PARAGRAPH)
    body.font.name = ".VnTime"
    derived = d.styles.add_style("ThanBaiDam", WD_STYLE_TYPE.PARAGRAPH)
    derived.base_style = body
    derived.font.bold = True
    caps = d.styles.add_style("ChuHoa", WD_STYLE_TYPE.CHARACTER)
    caps.font.name = ".VnArialH"
    d.add_paragraph(encode("Chi bộ họp thường kỳ", "tcvn3"), style="ThanBai")
    d.add_paragraph(encode("Đảng bộ tỉnh", "tcvn3"), style="ThanBaiDam")  # font via basedOn
    p = d.add_paragraph("", style="ThanBai")
    p.add_run(encode("tổng kết", "tcvn3"), style="ChuHoa")
    doc = read_docx(save(d, tmp_path / "s.docx"))
    assert [b.text for b in doc.body] == ["Chi bộ họp thường kỳ", "Đảng bộ tỉnh", "TỔNG KẾT"]
    assert doc.body[1].spans[0].bold

    d2 = new_document()
    d2.add_paragraph(encode("Thông báo nội bộ", "vni"))
    defaults = _xml_replace('<w:rPrDefault><w:rPr>',
                            '<w:rPrDefault><w:rPr><w:rFonts w:ascii="VNI-Times" w:hAnsi="VNI-Times"/>')
    path = save(d2, tmp_path / "defaults.docx")
    _edit_part(path, "word/styles.xml", defaults)
    _edit_part(path, "word/styles.xml", _drop_normal_fonts)
    assert read_docx(path).body[0].text == "Thông báo nội bộ"


def test_sym_elements_symbol_fonts_hyphens_tabs_and_breaks(tmp_path: Path) -> None:
    d = new_document()
    p = d.add_paragraph()
    add_legacy(p, "Mục tiêu", "tcvn3")
    d.add_paragraph("MARK")
    wing = p.add_run("\uf0a7 ")
    set_font(wing, "Wingdings")

    def edit(xml: str) -> str:
        return xml.replace(
            "<w:t>MARK</w:t>",
            '<w:sym w:font="Wingdings" w:char="F0D8"/><w:t xml:space="preserve"> Tăng</w:t>'
            '<w:noBreakHyphen/><w:t>trưởng</w:t><w:tab/><w:t>7</w:t>'
            '<w:sym w:font="Symbol" w:char="F0B1"/><w:t>1%</w:t><w:br/>'
            '<w:sym w:font=".VnTime" w:char="F0AE"/><w:t>ã</w:t>')
    doc = read_docx(save(d, tmp_path / "sym.docx", edit))
    assert doc.body[0].text == "Mục tiêu "  # the Wingdings bullet dropped
    assert doc.body[1].text == " Tăng-trưởng\t7±1%\nđã"  # w:sym in .VnTime decoded too
    assert "symbol" in doc.encodings


def test_fields_hidden_text_and_tracked_changes(tmp_path: Path) -> None:
    d = new_document()
    d.add_paragraph("FIELD")
    d.add_paragraph("HIDDEN")
    d.add_paragraph("TRACKED")
    fld = ('<w:r><w:t xml:space="preserve">Trang </w:t></w:r>'
           '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
           '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
           '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
           '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
           '<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>/8</w:t></w:r></w:fldSimple>')
    hidden = ('<w:r><w:t xml:space="preserve">Hiện </w:t></w:r>'
              '<w:r><w:rPr><w:vanish/></w:rPr><w:t>ẩn </w:t></w:r><w:r><w:t>ra </w:t></w:r>'
              '<w:r><w:rPr><w:caps/></w:rPr><w:t>chữ in</w:t></w:r>')  # w:caps prints capitals
    tracked = ('<w:r><w:t xml:space="preserve">Nghị quyết </w:t></w:r>'
               '<w:del w:id="1" w:author="A"><w:r><w:delText>cũ </w:delText></w:r></w:del>'
               '<w:ins w:id="2" w:author="A"><w:r><w:t xml:space="preserve">mới </w:t></w:r></w:ins>'
               '<w:r><w:t>ban hành</w:t></w:r>')

    def edit(xml: str) -> str:
        for marker, runs in (("FIELD", fld), ("HIDDEN", hidden), ("TRACKED", tracked)):
            xml = xml.replace(f"<w:r><w:t>{marker}</w:t></w:r>", runs)
        return xml
    doc = read_docx(save(d, tmp_path / "f.docx", edit))
    assert [b.text for b in doc.body] == ["Trang 3/8", "Hiện ra CHỮ IN", "Nghị quyết mới ban hành"]


def test_tables_text_boxes_headers_footers_and_footnotes(tmp_path: Path) -> None:
    d = new_document()
    add_legacy(d.add_paragraph(), "Trước bảng", "tcvn3")
    table = d.add_table(rows=2, cols=2)
    for (r, c), text, enc in (((0, 0), "Chỉ tiêu", "tcvn3"), ((0, 1), "Kết quả", "vni"),
                              ((1, 0), "Đảng viên mới", "tcvn3"), ((1, 1), "1.250 người", "tcvn3")):
        add_legacy(table.cell(r, c).paragraphs[0], text, enc)
    d.add_paragraph("BOX")
    section = d.sections[0]
    add_legacy(section.header.paragraphs[0], "Thông tin nội bộ – Số 5", "tcvn3")
    add_legacy(section.footer.paragraphs[0], "Lưu hành nội bộ", "vni")
    box = ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx>'
           '<w:txbxContent><w:p><w:r><w:rPr><w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/>'
           f'</w:rPr><w:t>{encode("Hộp chữ", "tcvn3")}</w:t></w:r></w:p></w:txbxContent>'
           '</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox>'
           '<w:txbxContent><w:p><w:r><w:t>COPY</w:t></w:r></w:p></w:txbxContent>'
           '</v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>'
           '<w:r><w:t xml:space="preserve">Sau hộp</w:t><w:footnoteReference w:id="1"/></w:r>')
    notes = (f'<w:footnotes {NS}><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
             '<w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:rPr>'
             f'<w:rFonts w:ascii="VNI-Times" w:hAnsi="VNI-Times"/></w:rPr><w:t>'
             f'{encode("Trích Văn kiện Đại hội", "vni")}</w:t></w:r></w:p></w:footnote>'
             '</w:footnotes>')

    def edit(xml: str) -> str:
        xml = xml.replace("<w:document ", f"<w:document {NS.split(' ', 1)[1]} ", 1) \
            if "xmlns:wps" not in xml else xml
        return xml.replace("<w:r><w:t>BOX</w:t></w:r>", box)
    doc = read_docx(save(d, tmp_path / "t.docx", edit, {"word/footnotes.xml": notes}))
    texts = [(b.text, b.table, b.row, b.col, b.kind) for b in doc.body]
    assert texts == [("Trước bảng", 0, 0, 0, "body"),
                     ("Chỉ tiêu", 1, 1, 1, "body"), ("Kết quả", 1, 1, 2, "body"),
                     ("Đảng viên mới", 1, 2, 1, "body"), ("1.250 người", 1, 2, 2, "body"),
                     ("Sau hộp", 0, 0, 0, "body"), ("Hộp chữ", 0, 0, 0, "textbox")]
    assert "COPY" not in doc.text()
    assert doc.headers == ("Thông tin nội bộ – Số 5",)
    assert doc.footers == ("Lưu hành nội bộ",)
    assert doc.notes == ("Trích Văn kiện Đại hội",)
    assert "Lưu hành" not in "\n".join(b.text for b in doc.body)  # running lines kept apart


def test_output_is_nfc_for_decomposed_unicode(tmp_path: Path) -> None:
    d = new_document()
    d.add_paragraph("Ho\u0302\u0300 Chi\u0301 Minh")
    assert read_docx(save(d, tmp_path / "n.docx")).body[0].text == "Hồ Chí Minh"


@pytest.mark.parametrize("fmt", ["doc", "rtf", "odt"])
def test_doc_rtf_odt_are_read_through_libreoffice(tmp_path: Path, fmt: str) -> None:
    d = new_document()
    add_legacy(d.add_paragraph(), HEADING, "tcvn3", bold=True)
    add_legacy(d.add_paragraph(), BODY, "tcvn3")
    add_legacy(d.add_paragraph(), "Ủy ban kiểm tra Tỉnh ủy", "vni")
    source = save(d, tmp_path / "src.docx")
    work = tmp_path / "cache"
    converted = office.convert(source, fmt, tmp_path / "out", profile_root=work)
    doc = read_word_file(converted, work_dir=work)
    assert [b.text for b in doc.body if b.text] == [HEADING, BODY, "Ủy ban kiểm tra Tỉnh ủy"]
    assert not any(p.name.startswith("convert-") for p in work.iterdir())  # temp removed


def test_bad_files_are_named(tmp_path: Path) -> None:
    work = tmp_path / "cache"
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 this is not a zip at all")
    damaged = save(new_document(), tmp_path / "damaged.docx",
                   edit=lambda xml: xml[: len(xml) // 2])  # truncated XML inside a good ZIP
    locked = tmp_path / "locked.docx"  # what Word writes for a password: an OLE container
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 +
                       "EncryptedPackage".encode("utf-16-le") + b"\0" * 500)
    not_rtf = tmp_path / "x.rtf"
    not_rtf.write_text("plain text", encoding="utf-8")
    garbage = tmp_path / "garbage.doc"
    garbage.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)
    torn = tmp_path / "torn.doc"  # names a WordDocument stream, but the storage is garbage
    torn.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 200 +
                     "WordDocument".encode("utf-16-le") + bytes(range(256)) * 8)
    cases = {empty: "empty", broken: "not a .docx", damaged: "damaged", locked: "password", not_rtf: "not an RTF",
             garbage: "not a Word document", torn: "LibreOffice could not open it"}
    for path, fault in cases.items():
        with pytest.raises(BadInput) as e:
            read_word_file(path, work_dir=work, name=f"scans/tbnb/2005/{path.name}")
        assert f"scans/tbnb/2005/{path.name}" in str(e.value) and fault in str(e.value)


def test_libreoffice_timeout_is_a_bad_input(tmp_path: Path) -> None:
    d = new_document()
    d.add_paragraph("Chi bộ")
    source = save(d, tmp_path / "slow.docx")
    rtf = office.convert(source, "rtf", tmp_path / "out", profile_root=tmp_path / "cache")
    with pytest.raises(BadInput, match="did not finish converting it within 0 s"):
        read_word_file(rtf, work_dir=tmp_path / "cache", timeout=0.01)


def test_macros_are_reported_never_run(tmp_path: Path) -> None:
    d = new_document()
    d.add_paragraph("Văn bản có macro")
    path = save(d, tmp_path / "macro.docx", parts={"word/vbaProject.bin": "Attribute VB_Name"})
    doc = read_docx(path)
    assert doc.macros and doc.body[0].text == "Văn bản có macro"


# --- helpers ------------------------------------------------------------------------------

def _xml(path: Path, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def _edit_part(path: Path, part: str, edit) -> None:  # type: ignore[no-untyped-def]
    soft_hyphens(path, None, {part: edit(_xml(path, part))})


def _xml_replace(old: str, new: str):  # type: ignore[no-untyped-def]
    def edit(xml: str) -> str:
        assert old in xml
        return xml.replace(old, new, 1)
    return edit


def _drop_normal_fonts(xml: str) -> str:
    return re.sub(r'(<w:style w:type="paragraph" w:default="1"[^>]*>.*?)<w:rFonts[^>]*/>',
                  r"\1", xml, count=1, flags=re.S)
