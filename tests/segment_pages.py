"""A small typesetter for segmentation tests: bulletin pages as Word lists, and as PDFs.

Why our own: the tests must say exactly what is on the page (a banner here, a bold title
there, a byline right-aligned at the end) and check what segmentation makes of it. Items are
poured into one or two columns and on to the next page, as a bulletin is set; each page gets
a running header, a page number and the sample's footer. Widths come from reportlab's font
metrics (DejaVu Serif), so the same layout can be drawn into a real PDF and read back with
pdfplumber.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from archive.models import Word
from indexer.segment.lines import PageWords

PAGE_W, PAGE_H = 538.6, 765.4
MARGIN, TOP, BOTTOM, GUTTER = 51.0, 60.0, 700.0, 17.0
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FOOTER = "Dữ liệu mẫu – nội dung hư cấu"

_registered = False


def _fonts() -> None:
    global _registered
    if _registered:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("Serif", str(FONT_DIR / "DejaVuSerif.ttf")))
    pdfmetrics.registerFont(TTFont("Serif-Bold", str(FONT_DIR / "DejaVuSerif-Bold.ttf")))
    _registered = True


def width(text: str, size: float, bold: bool = False) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    _fonts()
    return stringWidth(text, "Serif-Bold" if bold else "Serif", size)


@dataclass(frozen=True)
class Item:
    """A block of text to set: ``kind`` says how (see :func:`typeset`)."""

    kind: str  # banner | title | byline | para | sign | toc-head | toc | mast | text
    text: str
    size: float = 0.0  # 0: the body size
    bold: bool = False
    align: str = "left"  # left | center | right | justify
    before: float = 0.0  # points of space above
    indent: float = 0.0  # first-line indent, points
    full: bool = False  # spans every column (mastheads, full-width titles)


@dataclass
class Placed:
    page: int
    text: str
    x: float
    baseline: float
    size: float
    bold: bool
    justify: float = 0.0  # width a justified line is spread to, points (0: not justified)


@dataclass
class Issue:
    """Items of one issue and how to set them."""

    items: list[Item]
    columns: int = 1
    body: float = 11.0
    header: str = "Thông tin sinh hoạt chi bộ – Số 7/2015"
    footer: str = FOOTER
    pages: list[list[Placed]] = field(default_factory=list)


def para(text: str, **kw: object) -> Item:
    return Item("para", text, align="justify", indent=16.0, before=2.0, **kw)  # type: ignore[arg-type]


def title(text: str, size: float = 15.0, **kw: object) -> Item:
    return Item("title", text, size=size, bold=True, before=kw.pop("before", 14.0), **kw)  # type: ignore[arg-type]


def banner(text: str, **kw: object) -> Item:
    return Item("banner", text, size=12.0, bold=True, align="center", before=18.0, **kw)  # type: ignore[arg-type]


def sign(text: str) -> Item:
    return Item("sign", text, bold=True, align="right", before=3.0)


def _break(text: str, size: float, bold: bool, width_pt: float, indent: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        avail = width_pt - (indent if not lines else 0.0)
        if current and width(trial, size, bold) > avail:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def typeset(issue: Issue) -> list[list[Placed]]:
    """Pour the items into columns and pages; returns the placed lines of every page."""
    cols = issue.columns
    colw = (PAGE_W - 2 * MARGIN - GUTTER * (cols - 1)) / cols
    pages: list[list[Placed]] = [[]]
    col, y, top = 0, TOP, TOP  # top: where columns start on this page (below full-width items)
    for item in issue.items:
        size = item.size or issue.body
        lead = size * 1.3
        w = (PAGE_W - 2 * MARGIN) if item.full else colw
        lines = _break(item.text, size, item.bold, w, item.indent)
        if item.full and col > 0:
            pages.append([])
            col, y, top = 0, TOP, TOP
        for i, text in enumerate(lines):
            gap = item.before if i == 0 and y > top else 0.0
            if y + gap + lead > BOTTOM:
                if item.full or col + 1 >= cols:
                    pages.append([])
                    col, top = 0, TOP
                else:
                    col += 1
                y, gap = top, 0.0
            y += gap + lead
            x0 = MARGIN + (0 if item.full else col * (colw + GUTTER))
            tw = width(text, size, item.bold)
            indent = item.indent if i == 0 else 0.0
            if item.align == "center":
                x = x0 + (w - tw) / 2
            elif item.align == "right":
                x = x0 + w - tw
            else:
                x = x0 + indent
            last = i == len(lines) - 1
            spread = w - indent if item.align == "justify" and not last else 0.0
            pages[-1].append(Placed(len(pages), text, x, y, size, item.bold, spread))
        if item.full:
            y += 4
            top = y
    for n, placed in enumerate(pages, 1):
        if issue.header and n > 1:
            placed.insert(0, Placed(n, issue.header, MARGIN, TOP - 22, 9.0, False))
        if n > 1:
            num = str(n)
            placed.append(Placed(n, num, (PAGE_W - width(num, issue.body)) / 2, BOTTOM + 30,
                                 issue.body, False))
        if issue.footer:
            placed.append(Placed(n, issue.footer, (PAGE_W - width(issue.footer, 8.0)) / 2,
                                 BOTTOM + 45, 8.0, False))
    issue.pages = pages
    return pages


def _word_boxes(p: Placed) -> list[tuple[str, float, float]]:
    """(word, x0, x1) in points; justified lines spread their spaces."""
    words = p.text.split()
    widths = [width(w, p.size, p.bold) for w in words]
    space = width(" ", p.size, p.bold)
    if p.justify and len(words) > 1:
        space = (p.justify - sum(widths)) / (len(words) - 1)
    out, x = [], p.x
    for word, ww in zip(words, widths):
        out.append((word, x, x + ww))
        x += ww + space
    return out


def page_words(issue: Issue, *, ocr: bool = False, merge_rows: bool = False,
               seed: int = 1) -> list[PageWords]:
    """The issue's pages as an extractor would give them.

    ``ocr``: no bold, sizes from line heights with noise, confidences below 100, boxes
    jittered by a fraction of a point. ``merge_rows``: lines numbered by baseline across the
    whole page (an extractor that does not see columns).
    """
    rng = random.Random(seed)
    pages = issue.pages or typeset(issue)
    out = []
    for n, placed in enumerate(pages, 1):
        words: list[Word] = []
        rows: dict[float, int] = {}
        for line_no, p in enumerate(placed):
            size = p.size
            if ocr:
                size = p.size * rng.uniform(0.93, 1.07)
            line_id = line_no
            if merge_rows:
                line_id = rows.setdefault(round(p.baseline), len(rows))
            for text, x0, x1 in _word_boxes(p):
                jitter = rng.uniform(-0.4, 0.4) if ocr else 0.0
                top = p.baseline - 0.8 * p.size + jitter
                bottom = p.baseline + 0.22 * p.size + jitter
                words.append(Word(text, (x0 / PAGE_W, top / PAGE_H, x1 / PAGE_W, bottom / PAGE_H),
                                  conf=rng.uniform(80, 96) if ocr else 100.0,
                                  block=0 if merge_rows else line_no, line=line_id,
                                  size=round(size, 2), bold=p.bold and not ocr))
        out.append(PageWords(n, tuple(words), "ocr" if ocr else "text", PAGE_W, PAGE_H,
                             page_id=f"test/{n}"))
    return out


def draw_pdf(issue: Issue, path: Path) -> Path:
    """Draw the issue into a PDF with an embedded Unicode font (a born-digital bulletin)."""
    from reportlab.pdfgen import canvas

    _fonts()
    pages = issue.pages or typeset(issue)
    c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
    for placed in pages:
        for p in placed:
            c.setFont("Serif-Bold" if p.bold else "Serif", p.size)
            for text, x0, _x1 in _word_boxes(p):
                c.drawString(x0, PAGE_H - p.baseline, text)
        c.showPage()
    c.save()
    return path


def pdf_words(path: Path) -> list[PageWords]:
    """Words of a PDF as the text-layer extractor gives them: indexer.extract.textlayer when present,
    else pdfplumber read here the same way (words, their font size and bold)."""
    import pdfplumber

    out = []
    with pdfplumber.open(str(path)) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            words = page.extract_words(extra_attrs=["size", "fontname"], keep_blank_chars=False,
                                       use_text_flow=False)
            rows: dict[int, int] = {}
            items = []
            for w in words:
                line = rows.setdefault(round(w["bottom"]), len(rows))
                items.append(Word(w["text"], (w["x0"] / page.width, w["top"] / page.height,
                                              w["x1"] / page.width, w["bottom"] / page.height),
                                  100.0, 0, line, round(w["size"], 2),
                                  "bold" in w["fontname"].lower()))
            out.append(PageWords(n, tuple(items), "text", float(page.width), float(page.height)))
    return out


def page_from_lines(rows: list[tuple[str, float, bool, float]], *, seq: int = 1,
                    x0: float = MARGIN, colw: float = PAGE_W - 2 * MARGIN,
                    top: float = TOP, method: str = "text") -> PageWords:
    """A page of hand-set lines: (text, size, bold, first indent in points), left-aligned
    in one column, each line's words spread to the column width unless it is the last of
    its paragraph (a row whose next row is indented or empty is the last)."""
    placed: list[Placed] = []
    y = top
    for i, (text, size, bold, indent) in enumerate(rows):
        y += size * 1.3
        if not text:
            continue
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        last = nxt is None or not nxt[0] or nxt[3] > 0 or nxt[2] != bold
        placed.append(Placed(seq, text, x0 + indent, y, size, bold,
                             0.0 if last else colw - indent))
    issue = Issue([], columns=1, header="", footer="")
    issue.pages = [placed]
    (page,) = page_words(issue)
    return PageWords(seq, page.words, method, PAGE_W, PAGE_H, page_id=f"test/{seq}")
