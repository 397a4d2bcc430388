"""The runs of an OOXML document decoded by their own fonts: styles, run properties, and the
reader that walks paragraphs, tables and text boxes (used by :mod:`indexer.extract.wordfile`; the
traps it handles are listed there). Stage: extract.

Values: :class:`Span` (decoded text with the formatting the Unicode rewrite keeps) and
:class:`Block` (one paragraph of the body, a table cell or a text box).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from indexer.extract import legacy

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W = f"{{{W}}}"
_MAX_XML = 200 * 1024 * 1024  # a larger part is refused (zip bomb)

SYMBOL_FONTS = frozenset({"symbol", "wingdings", "wingdings 2", "wingdings 3", "webdings",
                          "zapfdingbats", "zapf dingbats", "mt extra", "marlett"})
# Adobe Symbol codes that are text (the rest of that font, and every dingbat font, is dropped).
SYMBOL_CHARS = {0x2D: "−", 0xB1: "±", 0xA3: "≤", 0xB3: "≥", 0xB4: "×", 0xB8: "÷", 0xB0: "°",
                0xAE: "→", 0xAC: "←", 0xDE: "⇒", 0xB9: "≠", 0xBB: "≈", 0xD7: "·",
                0xB7: "•", 0xBC: "…", 0x61: "α", 0x62: "β", 0x44: "Δ", 0x53: "Σ", 0x70: "π"}

ENCODING_UNICODE = "unicode"
ENCODING_SYMBOL = "symbol"


@dataclass(frozen=True)
class Span:
    """Decoded text with the formatting the Unicode rewrite keeps."""

    text: str
    bold: bool = False
    italic: bool = False
    size: float = 0.0  # points; 0 = the document default


@dataclass(frozen=True)
class Block:
    """One paragraph of the body (or of a table cell or text box), decoded."""

    spans: tuple[Span, ...]
    style: str = ""  # paragraph style id, e.g. "Heading1", "Title"
    align: str = ""  # w:jc value: "", "left", "center", "right", "both"
    table: int = 0  # 1-based table number in the document, 0 outside tables
    row: int = 0
    col: int = 0
    kind: str = "body"  # body | textbox

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


# --- styles and run properties ------------------------------------------------------------

@dataclass
class RunProps:
    """The properties a run's text depends on; None = not set at this level."""

    fonts: dict[str, str] = field(default_factory=dict)  # ascii / hAnsi / cs -> font name
    vanish: bool | None = None
    caps: bool | None = None
    bold: bool | None = None
    italic: bool | None = None
    size: float | None = None  # points

    def over(self, below: RunProps) -> RunProps:
        """These properties, falling back to ``below`` for what is not set here."""
        return RunProps(fonts={**below.fonts, **self.fonts},
                        vanish=self.vanish if self.vanish is not None else below.vanish,
                        caps=self.caps if self.caps is not None else below.caps,
                        bold=self.bold if self.bold is not None else below.bold,
                        italic=self.italic if self.italic is not None else below.italic,
                        size=self.size if self.size is not None else below.size)

    @property
    def font(self) -> str:
        """The font of the run's legacy codes: hAnsi, else ascii, else cs."""
        return self.fonts.get("hAnsi") or self.fonts.get("ascii") or self.fonts.get("cs") or ""


def _toggle(rpr: etree._Element, tag: str) -> bool | None:
    el = rpr.find(f"{_W}{tag}")
    if el is None:
        return None
    return (el.get(f"{_W}val") or "true").lower() not in ("0", "false", "off", "none")


def run_props(rpr: etree._Element | None) -> RunProps:
    if rpr is None:
        return RunProps()
    fonts: dict[str, str] = {}
    rfonts = rpr.find(f"{_W}rFonts")
    if rfonts is not None:
        for attr in ("ascii", "hAnsi", "cs"):
            value = rfonts.get(f"{_W}{attr}")
            if value:
                fonts[attr] = value
            elif rfonts.get(f"{_W}{attr}Theme"):
                fonts[attr] = "+theme"  # theme fonts are Unicode (Times New Roman, Calibri...)
    size = None
    sz = rpr.find(f"{_W}sz")
    if sz is not None and (sz.get(f"{_W}val") or "").isdigit():
        size = int(sz.get(f"{_W}val") or 0) / 2
    return RunProps(fonts=fonts, vanish=_toggle(rpr, "vanish"), caps=_toggle(rpr, "caps"),
                    bold=_toggle(rpr, "b"), italic=_toggle(rpr, "i"), size=size)


class Styles:
    """``word/styles.xml``: each style's run properties through its ``basedOn`` chain."""

    def __init__(self, root: etree._Element | None) -> None:
        self.raw: dict[str, tuple[str, RunProps]] = {}  # id -> (basedOn, own props)
        self.defaults = RunProps()
        self.default_paragraph = ""
        self._resolved: dict[str, RunProps] = {}
        if root is None:
            return
        doc_defaults = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        self.defaults = run_props(doc_defaults)
        for style in root.iter(f"{_W}style"):
            sid = style.get(f"{_W}styleId") or ""
            based = style.find(f"{_W}basedOn")
            self.raw[sid] = (based.get(f"{_W}val") or "" if based is not None else "",
                             run_props(style.find(f"{_W}rPr")))
            if style.get(f"{_W}type") == "paragraph" and style.get(f"{_W}default") in ("1", "true"):
                self.default_paragraph = sid

    def props(self, style_id: str) -> RunProps:
        """A style's run properties with its basedOn chain (not the document defaults)."""
        if style_id in self._resolved:
            return self._resolved[style_id]
        chain: list[RunProps] = []
        seen: set[str] = set()
        sid = style_id
        while sid and sid in self.raw and sid not in seen:
            seen.add(sid)
            based, own = self.raw[sid]
            chain.append(own)
            sid = based
        out = RunProps()
        for own in reversed(chain):
            out = own.over(out)
        self._resolved[style_id] = out
        return out


# --- decoding ------------------------------------------------------------------------------

def font_kind(fontname: str) -> tuple[str, bool]:
    """(encoding, capitals font) of a font name: "tcvn3" / "vni" / "symbol" / "unicode"."""
    name = (fontname or "").strip()
    if name.lower() in SYMBOL_FONTS:
        return ENCODING_SYMBOL, False
    encoding, capitals = legacy.font_encoding(name)
    return (encoding or ENCODING_UNICODE), capitals


def _legacy_code(ch: str) -> str:
    """The 8-bit code a legacy character was stored as: private-use symbol codes (U+F0xx) back
    to Latin-1. (cp1252 stand-ins such as ``–`` for 0x96 stay: neither TCVN3 nor VNI has a
    letter in 0x80-0x9F, so they are the punctuation they look like.)"""
    o = ord(ch)
    return chr(o - 0xF000) if 0xF020 <= o <= 0xF0FF else ch


def decode_piece(text: str, encoding: str, capitals: bool) -> str:
    """Decode one stretch of characters typed in one font (see :func:`font_kind`)."""
    if encoding == ENCODING_SYMBOL:
        return "".join(ch if ch.isspace() else SYMBOL_CHARS.get(ord(_legacy_code(ch)), "")
                       for ch in text)
    if encoding == "tcvn3":
        out = "".join(legacy.TCVN3_DECODE.get(c, c) for c in map(_legacy_code, text))
        return out.upper() if capitals else out
    if encoding == "vni":
        out = "".join(legacy.decode_cells([_legacy_code(c) for c in text], "vni"))
        return out.upper() if capitals else out
    out = text.replace("\u00ad", "")  # a Unicode soft hyphen is only a hyphenation point
    return out.upper() if capitals else out  # w:caps: printed in capitals


@dataclass
class _Piece:
    raw: str
    encoding: str
    capitals: bool
    bold: bool
    italic: bool
    size: float


class WordReader:
    """Walks a document part's blocks, decoding runs; ``encodings`` collects what it met."""

    def __init__(self, styles: Styles) -> None:
        self.styles = styles
        self.encodings: set[str] = set()
        self.tables = 0

    # block level
    def blocks(self, container: etree._Element, table: int = 0, row: int = 0, col: int = 0,
               kind: str = "body") -> Iterator[Block]:
        for child in container:
            tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if tag == "p":
                yield from self.paragraph(child, table, row, col, kind)
            elif tag == "tbl":
                yield from self.table(child)
            elif tag in ("sdt", "customXml", "ins", "moveTo", "smartTag"):
                inner = child.find(f"{_W}sdtContent") if tag == "sdt" else child
                if inner is not None:
                    yield from self.blocks(inner, table, row, col, kind)
            elif tag == "AlternateContent":
                choice = child.find(f"{{{MC}}}Choice")
                if choice is not None:
                    yield from self.blocks(choice, table, row, col, kind)

    def table(self, tbl: etree._Element) -> Iterator[Block]:
        self.tables += 1
        number = self.tables
        for r, tr in enumerate(tbl.iterchildren(f"{_W}tr"), 1):
            if _deleted_row(tr):
                continue
            c = 0
            for tc in tr.iterchildren(f"{_W}tc", f"{_W}sdt"):
                cells = [tc] if tc.tag == f"{_W}tc" else list(tc.iter(f"{_W}tc"))
                for cell in cells:
                    merge = cell.find(f"{_W}tcPr/{_W}vMerge")
                    c += 1
                    if merge is not None and merge.get(f"{_W}val") in (None, "continue"):
                        continue  # the continuation of a vertically merged cell is empty
                    yield from self.blocks(cell, number, r, c)

    # paragraph level
    def paragraph(self, p: etree._Element, table: int, row: int, col: int,
                  kind: str) -> Iterator[Block]:
        ppr = p.find(f"{_W}pPr")
        style = ""
        align = ""
        if ppr is not None:
            ps = ppr.find(f"{_W}pStyle")
            style = (ps.get(f"{_W}val") or "") if ps is not None else ""
            jc = ppr.find(f"{_W}jc")
            align = (jc.get(f"{_W}val") or "") if jc is not None else ""
        base = self.styles.props(style or self.styles.default_paragraph).over(self.styles.defaults)
        pieces: list[_Piece] = []
        boxes: list[etree._Element] = []
        self._runs(p, base, pieces, boxes, [])
        spans = self._decode(pieces)
        yield Block(tuple(spans), style, align, table, row, col, kind)
        for box in boxes:
            yield from self.blocks(box, table, row, col, "textbox")

    def _runs(self, parent: etree._Element, base: RunProps, pieces: list[_Piece],
              boxes: list[etree._Element], fields: list[str]) -> None:
        """Collect the visible characters of ``parent``'s runs; ``fields`` is the stack of
        complex-field states ("code" until w:separate, then "result")."""
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            tag = etree.QName(child).localname
            if tag == "r":
                self._run(child, base, pieces, boxes, fields)
            elif tag in ("del", "moveFrom", "pPr", "rPr", "proofErr", "bookmarkStart",
                         "bookmarkEnd", "commentRangeStart", "commentRangeEnd"):
                continue
            elif tag == "sdt":
                inner = child.find(f"{_W}sdtContent")
                if inner is not None:
                    self._runs(inner, base, pieces, boxes, fields)
            elif tag == "AlternateContent":
                choice = child.find(f"{{{MC}}}Choice")
                if choice is not None:
                    self._runs(choice, base, pieces, boxes, fields)
            else:  # ins, moveTo, hyperlink, smartTag, fldSimple (its runs are the result)...
                self._runs(child, base, pieces, boxes, fields)

    def _run(self, r: etree._Element, base: RunProps, pieces: list[_Piece],
             boxes: list[etree._Element], fields: list[str]) -> None:
        rpr = r.find(f"{_W}rPr")
        props = run_props(rpr)
        if rpr is not None:
            rs = rpr.find(f"{_W}rStyle")
            if rs is not None:
                props = props.over(self.styles.props(rs.get(f"{_W}val") or ""))
        props = props.over(base)
        hidden = bool(props.vanish)
        encoding, capitals = font_kind(props.font)
        capitals = capitals or bool(props.caps)
        fmt = (bool(props.bold), bool(props.italic), props.size or 0.0)

        def add(raw: str, enc: str = encoding) -> None:
            if hidden or (fields and fields[-1] == "code"):
                return
            pieces.append(_Piece(raw, enc, capitals, *fmt))

        for el in r:
            if not isinstance(el.tag, str):
                continue
            tag = etree.QName(el).localname
            if tag == "t":
                add(el.text or "")
            elif tag == "softHyphen":
                add("\u00ad")  # TCVN3: the letter ư; Unicode: dropped by decode_piece
            elif tag == "noBreakHyphen":
                add("-", ENCODING_UNICODE)
            elif tag == "tab" or tag == "ptab":
                add("\t", ENCODING_UNICODE)
            elif tag in ("br", "cr"):
                add("\n", ENCODING_UNICODE)
            elif tag == "sym":
                font = el.get(f"{_W}font") or ""
                code = chr(int(el.get(f"{_W}char") or "0", 16))
                enc, caps = font_kind(font)
                if not (hidden or (fields and fields[-1] == "code")):
                    pieces.append(_Piece(_legacy_code(code), enc, caps or capitals, *fmt))
            elif tag == "fldChar":
                kind = el.get(f"{_W}fldCharType")
                if kind == "begin":
                    fields.append("code")
                elif kind == "separate" and fields:
                    fields[-1] = "result"
                elif kind == "end" and fields:
                    fields.pop()
            elif tag in ("drawing", "pict", "AlternateContent", "object"):
                for holder in _textboxes(el):
                    boxes.append(holder)
            # instrText, delText, footnoteReference, lastRenderedPageBreak...: no text

    def _decode(self, pieces: list[_Piece]) -> list[Span]:
        """Decode consecutive pieces of one font kind together (a VNI mark may sit in the run
        after its letter), then merge into formatting spans."""
        spans: list[Span] = []
        k = 0
        while k < len(pieces):
            j = k
            while (j + 1 < len(pieces) and pieces[j + 1].encoding == pieces[k].encoding
                   and pieces[j + 1].capitals == pieces[k].capitals):
                j += 1
            group = pieces[k:j + 1]
            if any(p.raw.strip() for p in group):
                self.encodings.add(group[0].encoding)
            if group[0].encoding == "vni":
                cells = [c for p in group for c in p.raw]
                owners = [i for i, p in enumerate(group) for _ in p.raw]
                decoded = legacy.decode_cells([_legacy_code(c) for c in cells], "vni")
                texts = [""] * len(group)
                for cell, owner in zip(decoded, owners):
                    texts[owner] += cell.upper() if group[0].capitals else cell
            else:
                texts = [decode_piece(p.raw, p.encoding, p.capitals) for p in group]
            for p, text in zip(group, texts):
                text = unicodedata.normalize("NFC", text)
                if not text:
                    continue
                if spans and (spans[-1].bold, spans[-1].italic, spans[-1].size) == \
                        (p.bold, p.italic, p.size):
                    spans[-1] = Span(unicodedata.normalize("NFC", spans[-1].text + text),
                                     p.bold, p.italic, p.size)
                else:
                    spans.append(Span(text, p.bold, p.italic, p.size))
            k = j + 1
        return spans


def _textboxes(el: etree._Element) -> list[etree._Element]:
    """The ``w:txbxContent`` of a drawing, once: the ``mc:Choice`` copy, never the Fallback."""
    out = []
    for box in el.iter(f"{_W}txbxContent"):
        if any(etree.QName(a).localname == "Fallback" for a in box.iterancestors()
               if isinstance(a.tag, str)):
            continue
        out.append(box)
    return out


def _deleted_row(tr: etree._Element) -> bool:
    return tr.find(f"{_W}trPr/{_W}del") is not None
