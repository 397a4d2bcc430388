"""Word documents the tests build: python-docx for what it can write, raw XML edits of
``word/document.xml`` (and friends) for what it cannot (w:softHyphen, w:sym, fields,
tracked changes, text boxes, footnotes)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.shared import Pt

from indexer.extract.legacy import encode, encode_runs

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:v="urn:schemas-microsoft-com:vml" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')


def set_font(run: object, name: str) -> None:
    """Font of a run on ascii, hAnsi and cs, as Word writes a legacy font."""
    run.font.name = name  # type: ignore[attr-defined]
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    rfonts.set(qn("w:cs"), name)


def add_legacy(paragraph: object, text: str, encoding: str, *, base: str = ".VnTime",
               caps_font: str = ".VnTimeH", bold: bool = False) -> None:
    """``text`` typed in a legacy font: TCVN3 runs in .VnTime / .VnTimeH, VNI in VNI-Times.
    A TCVN3 ``ư`` (0xAD) is written as the marker ``¤SH¤`` for :func:`soft_hyphens`."""
    if encoding == "vni":
        run = paragraph.add_run(encode(text, "vni"))  # type: ignore[attr-defined]
        set_font(run, "VNI-Times")
        run.bold = bold
        return
    for raw, caps in encode_runs(text, "tcvn3"):
        run = paragraph.add_run(raw.replace("\xad", "¤SH¤"))  # type: ignore[attr-defined]
        set_font(run, caps_font if caps else base)
        run.bold = bold


def save(document: object, path: Path, edit: Callable[[str], str] | None = None,
         parts: dict[str, str] | None = None) -> Path:
    """Save, then apply ``edit`` to word/document.xml and add or replace ``parts``."""
    document.save(str(path))  # type: ignore[attr-defined]
    soft_hyphens(path, edit, parts or {})
    return path


def soft_hyphens(path: Path, edit: Callable[[str], str] | None, parts: dict[str, str]) -> None:
    """Rewrite the package: ``¤SH¤`` markers become ``<w:softHyphen/>`` (as Word writes
    the TCVN3 ư), then ``edit`` and ``parts``."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    out = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
    with out:
        names = set()
        for info, data in items:
            names.add(info.filename)
            if info.filename in parts:
                data = parts[info.filename].encode("utf-8")
            elif info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                xml = _split_markers(xml)
                if edit:
                    xml = edit(xml)
                data = xml.encode("utf-8")
            out.writestr(info, data)
        for name, text in parts.items():
            if name not in names:
                out.writestr(name, text.encode("utf-8"))


def _split_markers(xml: str) -> str:
    """``<w:t>ab¤SH¤c</w:t>`` -> ``<w:t>ab</w:t><w:softHyphen/><w:t>c</w:t>``."""
    def fix(m: re.Match[str]) -> str:
        open_tag, body = m.group(1), m.group(2)
        pieces = body.split("¤SH¤")
        keep = '<w:t xml:space="preserve">'
        return (open_tag if len(pieces) == 1 else keep) + \
            f"</w:t><w:softHyphen/>{keep}".join(pieces) + "</w:t>"
    return re.sub(r"(<w:t(?: [^>]*)?>)([^<]*¤SH¤[^<]*)</w:t>", fix, xml)


def new_document() -> object:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.size = Pt(12)
    return document
