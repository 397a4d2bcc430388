"""Page text as the library formats for OCR: ALTO 4.4 and hOCR, one page at a time, and an
issue's pages as one ZIP.

Why from the catalog's words: every page already has its words with boxes (page fractions),
confidence, block and line (``archive.models.Word``), whether they came from a PDF text layer,
a legacy font, a Word file or Tesseract; ALTO and hOCR are those words in pixels of the page
image (``page.width_px`` × ``page.height_px``, the IIIF canvas size). The text in force is the
editors' latest correction (``archive.editorial.effective_page``); a corrected word keeps the
machine's reading as an ``<ALTERNATIVE PURPOSE="ocr">`` in ALTO (``x_alternative`` in hOCR's
title is not standard, so hOCR carries the text in force only). Confidence: ALTO's ``WC`` is
0..1, hOCR's ``x_wconf`` 0..100.
"""

from __future__ import annotations

import difflib
import html
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from xml.sax.saxutils import quoteattr

from archive.catalog import Catalog
from archive.editorial import PageVersion, effective_page, page_history
from archive.models import Page, Word

# Characters XML 1.0 cannot carry (a PDF text layer can hold them): dropped from the text.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
ALTO_SCHEMA = "http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"
FALLBACK_SIZE = (1654, 2339)  # A4 at 200 dpi, for a page never measured (a Word file's)


def pixel_size(page: Page) -> tuple[int, int]:
    """The page image's size in pixels, the frame every box is given in."""
    if page.width_px > 0 and page.height_px > 0:
        return int(page.width_px), int(page.height_px)
    return FALLBACK_SIZE


@dataclass(frozen=True)
class PageWords:
    """What the writers need of one page: its words in force and, per word, the machine's
    reading it replaced ("" when the word is the machine's own)."""

    page: Page
    words: tuple[Word, ...]
    originals: tuple[str, ...]
    version: int  # 0 = the machine's text
    method: str
    engine: str = ""
    engine_version: str = ""


def page_words(catalog: Catalog, page: Page) -> PageWords | None:
    current = effective_page(catalog, page.id)
    if current is None:
        return None
    history = page_history(catalog, page.id)
    machine = history[0] if history and history[0].version == 0 else None
    originals = _originals(machine, current)
    row = catalog.one("SELECT engine, engine_version FROM page_text WHERE page_id = ?", (page.id,))
    words = tuple(_clean(w) for w in current.words)
    originals = tuple(XML_ILLEGAL.sub("", o) for o in originals)
    return PageWords(page, words, originals, current.version, current.method,
                     (row["engine"] or "") if row else "", (row["engine_version"] or "") if row else "")


def _clean(w: Word) -> Word:
    text = XML_ILLEGAL.sub("", w.text)
    return w if text == w.text else Word(text, w.box, w.conf, w.block, w.line, w.size, w.bold)


def _originals(machine: PageVersion | None, current: PageVersion) -> tuple[str, ...]:
    """Per word in force, the machine reading it replaced (aligned token by token)."""
    if machine is None or current.version == 0:
        return ("",) * len(current.words)
    old = [w.text for w in machine.words]
    new = [w.text for w in current.words]
    out = [""] * len(new)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace":
            continue
        if i2 - i1 == j2 - j1:
            for k in range(j2 - j1):
                out[j1 + k] = old[i1 + k]
        else:  # n machine words became m: the run's reading goes with its first word
            out[j1] = " ".join(old[i1:i2])
    return tuple(out)


def _lines(words: tuple[Word, ...]) -> list[list[list[int]]]:
    """Word indices grouped into blocks of lines, in reading order."""
    blocks: list[list[list[int]]] = []
    key: tuple[int, int] | None = None
    for i, w in enumerate(words):
        if key is None or w.block != key[0]:
            blocks.append([[i]])
        elif w.line != key[1]:
            blocks[-1].append([i])
        else:
            blocks[-1][-1].append(i)
        key = (w.block, w.line)
    return blocks


def _px(words: list[Word], width: int, height: int) -> tuple[int, int, int, int]:
    """HPOS, VPOS, WIDTH, HEIGHT in pixels of the box around ``words``."""
    x0 = max(0.0, min(w.box[0] for w in words))
    y0 = max(0.0, min(w.box[1] for w in words))
    x1 = min(1.0, max(w.box[2] for w in words))
    y1 = min(1.0, max(w.box[3] for w in words))
    x, y = round(x0 * width), round(y0 * height)
    return x, y, max(0, round(x1 * width) - x), max(0, round(y1 * height) - y)


def _pos(box: tuple[int, int, int, int]) -> str:
    return f'HPOS="{box[0]}" VPOS="{box[1]}" WIDTH="{box[2]}" HEIGHT="{box[3]}"'


def alto(pw: PageWords, *, image_url: str = "") -> str:
    """The page as ALTO 4.4 XML (a string; encode as UTF-8)."""
    width, height = pixel_size(pw.page)
    seq = pw.page.seq
    software = pw.engine or {"text": "PDF text layer", "legacy": "PDF text layer (legacy font)",
                             "document": "Word file"}.get(pw.method, pw.method or "bantin")
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<alto xmlns="{ALTO_NS}" xmlns:xlink="http://www.w3.org/1999/xlink"'
           ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
           f' xsi:schemaLocation="{ALTO_NS} {ALTO_SCHEMA}" SCHEMAVERSION="4.4">',
           "<Description>", "<MeasurementUnit>pixel</MeasurementUnit>",
           f"<sourceImageInformation><fileName>{html.escape(image_url or pw.page.file, quote=False)}"
           "</fileName></sourceImageInformation>",
           '<Processing ID="PROC_1"><processingStepDescription>'
           f"{html.escape(pw.method or 'ocr', quote=False)}</processingStepDescription>"
           f"<processingSoftware><softwareName>{html.escape(software, quote=False)}</softwareName>"
           + (f"<softwareVersion>{html.escape(pw.engine_version, quote=False)}</softwareVersion>"
              if pw.engine_version else "")
           + "</processingSoftware></Processing>"]
    if pw.version:
        out.append(f'<Processing ID="PROC_2"><processingStepDescription>hiệu đính, phiên bản {pw.version}'
                   "</processingStepDescription></Processing>")
    out += ["</Description>", "<Layout>",
            f'<Page ID="P{seq}" PHYSICAL_IMG_NR="{seq}" WIDTH="{width}" HEIGHT="{height}">',
            f'<PrintSpace HPOS="0" VPOS="0" WIDTH="{width}" HEIGHT="{height}">']
    for b, block in enumerate(_lines(pw.words), 1):
        every = [pw.words[i] for line in block for i in line]
        out.append(f'<TextBlock ID="P{seq}_B{b}" {_pos(_px(every, width, height))}>')
        for n, line in enumerate(block, 1):
            line_words = [pw.words[i] for i in line]
            out.append(f'<TextLine ID="P{seq}_B{b}_L{n}" {_pos(_px(line_words, width, height))}>')
            for k, i in enumerate(line):
                w = pw.words[i]
                if k:
                    out.append("<SP/>")
                alt = pw.originals[i] if i < len(pw.originals) else ""
                attrs = (f'ID="P{seq}_W{i + 1}" CONTENT={quoteattr(w.text)} '
                         f'{_pos(_px([w], width, height))} WC="{max(0.0, min(1.0, w.conf / 100)):.2f}"')
                if alt:
                    out.append(f"<String {attrs}><ALTERNATIVE PURPOSE=\"ocr\">"
                               f"{html.escape(alt, quote=False)}</ALTERNATIVE></String>")
                else:
                    out.append(f"<String {attrs}/>")
            out.append("</TextLine>")
        out.append("</TextBlock>")
    out += ["</PrintSpace>", "</Page>", "</Layout>", "</alto>", ""]
    return "\n".join(out)


def hocr(pw: PageWords, *, title: str = "", image_url: str = "") -> str:
    """The page as hOCR 1.2 (XHTML with ``ocr_page``, ``ocr_carea``, ``ocr_line``, ``ocrx_word``)."""
    width, height = pixel_size(pw.page)
    seq = pw.page.seq

    def bbox(words: list[Word]) -> str:
        x, y, w, h = _px(words, width, height)
        return f"bbox {x} {y} {x + w} {y + h}"

    image = html.escape(image_url or pw.page.file)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"'
           ' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
           '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="vi" lang="vi">', "<head>",
           f"<title>{html.escape(title or pw.page.id)}</title>",
           '<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>',
           f'<meta name="ocr-system" content={quoteattr(pw.engine or pw.method or "bantin")}/>',
           '<meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_line ocrx_word"/>',
           "</head>", "<body>",
           f'<div class="ocr_page" id="page_{seq}" title="image &quot;{image}&quot;; '
           f'bbox 0 0 {width} {height}; ppageno {seq - 1}">']
    for b, block in enumerate(_lines(pw.words), 1):
        every = [pw.words[i] for line in block for i in line]
        out.append(f'<div class="ocr_carea" id="block_{seq}_{b}" title="{bbox(every)}">')
        for n, line in enumerate(block, 1):
            line_words = [pw.words[i] for i in line]
            out.append(f'<span class="ocr_line" id="line_{seq}_{b}_{n}" title="{bbox(line_words)}">')
            spans = []
            for i in line:
                w = pw.words[i]
                spans.append(f'<span class="ocrx_word" id="word_{seq}_{i + 1}" title="{bbox([w])}; '
                             f'x_wconf {round(max(0.0, min(100.0, w.conf)))}">{html.escape(w.text)}</span>')
            out.append(" ".join(spans))
            out.append("</span>")
        out.append("</div>")
    out += ["</div>", "</body>", "</html>", ""]
    return "\n".join(out)


def issue_pages(catalog: Catalog, issue_id: str) -> Iterator[PageWords]:
    for page in catalog.pages(issue_id):
        pw = page_words(catalog, page)
        if pw is not None:
            yield pw


def write_issue_zip(catalog: Catalog, issue_id: str, out: IO[bytes], *, fmt: str = "alto") -> int:
    """Every page of the issue with text as ``<issue id>/<seq>.xml`` (ALTO) or ``.html``
    (hOCR) in a ZIP written to ``out``; the number of pages written."""
    n = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for pw in issue_pages(catalog, issue_id):
            if fmt == "hocr":
                z.writestr(f"{issue_id}/{pw.page.seq:03d}.hocr.html", hocr(pw).encode("utf-8"))
            else:
                z.writestr(f"{issue_id}/{pw.page.seq:03d}.alto.xml", alto(pw).encode("utf-8"))
            n += 1
    return n
