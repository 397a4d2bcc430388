"""Legacy-encoded TrueType fonts (TCVN3 ``.VnTime``, ``.VnTimeH``; VNI ``VNI-Times``) for the
sample archive's 1998-2009 PDFs.

Why: a real legacy PDF *looks* right and *extracts* as mojibake, because its font draws
Vietnamese glyphs at Latin-1 code points. We rebuild that from Debian's Liberation Serif (a
Times-like face, as ``.VnTime`` was; DejaVu Serif as a fallback) with fontTools: the cmap
maps each legacy code, seen as the Unicode character an extractor reports (``«`` for the
TCVN3 byte of ``ô``), to the glyph of the letter it stands for. Text written with
:func:`indexer.extract.legacy.encode` and drawn in these fonts by reportlab shows Vietnamese on the
page, and pdfplumber reports the codes (``Th«ng``) and a font name containing ``.VnTime``
or ``VNI-Times`` (the PostScript name, which reportlab embeds as ``AAAAAA+.VnTime``).

Variants:

* ``tcvn3``: ``.VnTime`` / ``.VnTime-Bold``; ``capitals=True`` gives ``.VnTimeH`` /
  ``.VnTimeH-Bold``, which draw every lower-case code (and ``a-z``) as its capital: write
  the runs of :func:`indexer.extract.legacy.encode_runs` marked True in it.
* ``quirks=True`` (TCVN3 only; named ``VnTime``, ``VnTimeH``... without the dot) also
  maps U+2212 to ``ư`` and U+2219 to ``ã``: text passed through :func:`with_quirks` then
  extracts with those code points, as some real files do.
  Without quirks, ``ư`` is code 0xAD, which extracts as U+00AD (soft hyphen), another quirk.
* ``vni``: ``VNI-Times`` / ``VNI-Times-Bold``; mark bytes (``ø ù û õ ï â ê á à å ã ä é è ú
  ü ë`` and their capitals) are zero-width glyphs drawn over the letter before them.

Builds are deterministic (same source font, same bytes) and cached in ``cache_dir`` or
``~/.cache/bantin-fonts``; a build takes about a second, a cached one a hash of the source.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path

from archive.errors import MissingDependency
from indexer.extract import legacy

BUILD_VERSION = "2"  # bump when the built fonts change
FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
             "/usr/share/fonts/truetype/dejavu")
SOURCES = {False: ("LiberationSerif-Regular.ttf", "DejaVuSerif.ttf"),
           True: ("LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf")}
DEFAULT_CACHE = Path("~/.cache/bantin-fonts")
QUIRKS = {"\xad": "\u2212", "\xb7": "\u2219"}  # TCVN3 code of ư, ã -> what some extractors say
_DROP_TABLES = ("GSUB", "GPOS", "GDEF", "kern", "FFTM", "DSIG", "hdmx", "LTSH", "VDMX", "MATH")


def postscript_name(encoding: str, *, bold: bool = False, capitals: bool = False,
                    quirks: bool = False) -> str:
    """The font's PostScript name, which PDF extractors report (after a subset prefix).

    Quirk variants drop the leading dot (``VnTime``), a form real files show too: reportlab
    keeps one font per PostScript name, so each variant needs its own."""
    if encoding == "tcvn3":
        name = ".VnTimeH" if capitals else ".VnTime"
        if quirks:
            name = name[1:]
    elif encoding == "vni":
        if capitals:
            raise ValueError("VNI has capitals in every font: there is no capitals variant")
        name = "VNI-Times"
    else:
        raise ValueError(f"unknown legacy encoding {encoding!r}; use tcvn3 or vni")
    return name + ("-Bold" if bold else "")


def variant_key(encoding: str, *, bold: bool = False, capitals: bool = False,
                quirks: bool = False) -> str:
    """Key of a variant in :func:`register_legacy_fonts`, e.g. ``tcvn3-caps-bold-quirks``."""
    parts = [encoding] + ["caps"] * capitals + ["bold"] * bold + ["quirks"] * quirks
    return "-".join(parts)


def with_quirks(encoded: str) -> str:
    """TCVN3-encoded text as some extractors report it (``ư`` as U+2212, ``ã`` as U+2219):
    draw it with a ``quirks=True`` font to get a PDF that extracts that way."""
    return "".join(QUIRKS.get(ch, ch) for ch in encoded)


def source_font(bold: bool = False) -> Path:
    """The installed font the legacy fonts are built from (fonts-liberation2 first)."""
    for name in SOURCES[bold]:
        for folder in FONT_DIRS:
            path = Path(folder) / name
            if path.is_file():
                return path

    raise MissingDependency("no Liberation Serif or DejaVu Serif font found in "
                            f"{', '.join(FONT_DIRS)}: install fonts-liberation2 and fonts-dejavu")


@lru_cache(maxsize=8)
def _file_sha(path: Path, size: int, mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def legacy_font_path(encoding: str, *, bold: bool = False, capitals: bool = False,
                     quirks: bool = False, cache_dir: Path | str | None = None) -> Path:
    """Path of the built TrueType font for this variant, building it when missing."""
    if quirks and encoding != "tcvn3":
        raise ValueError("quirks are TCVN3 extractor artefacts: use quirks=True with tcvn3 only")
    ps_name = postscript_name(encoding, bold=bold, capitals=capitals, quirks=quirks)
    source = source_font(bold)
    stat = source.stat()
    source_sha = _file_sha(source, stat.st_size, stat.st_mtime)
    tag = hashlib.sha256(f"{BUILD_VERSION}:{source_sha}:{quirks}".encode()).hexdigest()[:10]
    folder = Path(cache_dir if cache_dir is not None else DEFAULT_CACHE).expanduser()
    target = folder / f"{ps_name.lstrip('.')}{'-quirks' if quirks else ''}-{tag}.ttf"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    data = build_font(source, encoding, bold=bold, capitals=capitals, quirks=quirks)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    return target


def build_font(source: Path, encoding: str, *, bold: bool = False, capitals: bool = False,
               quirks: bool = False) -> bytes:
    """The bytes of a legacy-encoded font built from ``source`` (see the module doc)."""
    from io import BytesIO

    from fontTools.ttLib import TTFont

    font = TTFont(str(source), recalcTimestamp=False)
    cmap = dict(font.getBestCmap())
    glyph_of = _glyph_lookup(dict(cmap))  # the source's glyphs, whatever cmap becomes
    if encoding == "tcvn3":
        for letter, code in legacy.TCVN3_ENCODE.items():
            shown = letter.upper() if capitals else letter
            cmap[ord(code)] = glyph_of(shown)
        if capitals:
            for ch in "abcdefghijklmnopqrstuvwxyz":
                cmap[ord(ch)] = glyph_of(ch.upper())
        if quirks:
            for code, quirk in QUIRKS.items():
                cmap[ord(quirk)] = cmap[ord(code)]
    else:
        for code, letter in legacy.VNI_DECODE.items():
            if len(code) == 1:
                cmap[ord(code)] = glyph_of(letter)
        for mark, glyph in _add_vni_marks(font, dict(font.getBestCmap())).items():
            cmap[ord(mark)] = glyph
    _set_cmap(font, cmap)
    _set_names(font, postscript_name(encoding, bold=bold, capitals=capitals, quirks=quirks), bold)
    for tag in _DROP_TABLES:
        if tag in font:
            del font[tag]
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def _glyph_lookup(cmap: dict[int, str]):
    def glyph_of(letter: str) -> str:
        try:
            return cmap[ord(letter)]
        except KeyError:
            raise ValueError(f"the source font has no glyph for {letter!r}") from None
    return glyph_of


def _add_vni_marks(font, cmap: dict[int, str]) -> dict[str, str]:
    """Zero-width glyphs for the VNI mark bytes, made of the accent components of the
    source's precomposed letters (``aø`` -> the grave of ``à``), moved left by the width of
    the base letter so they sit over the letter drawn before them."""
    from fontTools.ttLib.tables._g_l_y_f import Glyph, GlyphComponent

    glyf, hmtx = font["glyf"], font["hmtx"]
    order = list(font.getGlyphOrder())
    made: dict[str, str] = {}
    marks = sorted({code[1] for code in legacy.VNI_DECODE if len(code) == 2})
    for mark in marks:
        base = "A" if mark.isupper() else "a"
        letter = legacy.VNI_DECODE.get(base + mark)
        if letter is None:
            continue
        source = glyf[cmap[ord(letter)]]
        base_glyph = cmap[ord(base)]
        advance = hmtx[base_glyph][0]
        components = []
        if source.isComposite():
            for comp in source.components:
                if comp.glyphName == base_glyph:
                    continue
                moved = GlyphComponent()
                moved.glyphName = comp.glyphName
                moved.x, moved.y = comp.x - advance, comp.y
                moved.flags = comp.flags & ~0x0200  # never take the metrics of an accent
                if hasattr(comp, "transform"):
                    moved.transform = comp.transform
                components.append(moved)
        else:  # a drawn precomposed glyph: fall back on the combining marks
            for ch in unicodedata.normalize("NFD", letter)[1:]:
                moved = GlyphComponent()
                moved.glyphName, moved.x, moved.y, moved.flags = cmap[ord(ch)], 0, 0, 0
                components.append(moved)
        name = f"vni.mark.{ord(mark):02X}"
        glyph = Glyph()
        glyph.numberOfContours = -1
        glyph.components = components
        glyf[name] = glyph
        order.append(name)
        made[mark] = name
    font.setGlyphOrder(order)
    glyf.glyphOrder = order
    for name in made.values():
        glyf[name].recalcBounds(glyf)
        hmtx[name] = (0, getattr(glyf[name], "xMin", 0))
    return made


def _set_cmap(font, mapping: dict[int, str]) -> None:
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    table = font["cmap"]
    table.tables = []
    bmp = {cp: g for cp, g in sorted(mapping.items()) if cp <= 0xFFFF}
    for platform, encoding_id in ((0, 3), (3, 1)):
        sub = CmapSubtable.newSubtable(4)
        sub.platformID, sub.platEncID, sub.language = platform, encoding_id, 0
        sub.cmap = dict(bmp)
        table.tables.append(sub)


def _set_names(font, ps_name: str, bold: bool) -> None:
    name = font["name"]
    keep = {0, 13, 14}  # copyright and the licence (SIL OFL): kept as the licence requires
    name.names = [r for r in name.names if r.nameID in keep]
    style = "Bold" if bold else "Regular"
    family = ps_name.rsplit("-Bold", 1)[0]
    values = {1: family, 2: style, 3: f"{ps_name};bantin-samplegen;{BUILD_VERSION}",
              4: f"{family} {style}" if bold else family, 5: f"Version {BUILD_VERSION}",
              6: ps_name,
              10: "Legacy-encoded font built by the Ban tin sample generator for fictional "
                  "sample data; derived from an OFL font, renamed as the licence asks."}
    for name_id, value in values.items():
        name.setName(value, name_id, 3, 1, 0x409)
        name.setName(value, name_id, 1, 0, 0)


def register_legacy_fonts(cache_dir: Path | str | None = None) -> dict[str, str]:
    """Register every variant with reportlab; returns ``{variant key: reportlab font name}``
    (keys as :func:`variant_key`: ``tcvn3``, ``tcvn3-bold``, ``tcvn3-caps``,
    ``tcvn3-caps-bold``, the same with ``-quirks``, ``vni``, ``vni-bold``). Idempotent."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    registered: dict[str, str] = {}
    variants = [("tcvn3", b, c, q) for q in (False, True) for c in (False, True)
                for b in (False, True)] + [("vni", b, False, False) for b in (False, True)]
    for encoding, bold, capitals, quirks in variants:
        key = variant_key(encoding, bold=bold, capitals=capitals, quirks=quirks)
        rl_name = "Legacy-" + key
        if rl_name not in pdfmetrics.getRegisteredFontNames():
            path = legacy_font_path(encoding, bold=bold, capitals=capitals, quirks=quirks,
                                    cache_dir=cache_dir)
            pdfmetrics.registerFont(TTFont(rl_name, str(path)))
        registered[key] = rl_name
    return registered
