"""The sample's legacy fonts: deterministic builds, cmaps, and PDFs that look right and
extract as mojibake."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2
import pytest
from fontTools.ttLib import TTFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as RLTTFont
from reportlab.pdfgen import canvas

from indexer.extract import legacy
from samplegen import fonts

LINE = "Nghị quyết về xây dựng Đảng, những người ưu tú"
CAPS_LINE = "ỦY BAN NHÂN DÂN TỈNH ĐÃ QUYẾT ĐỊNH"


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fonts")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_builds_are_deterministic_and_cached(cache, tmp_path):
    first = fonts.legacy_font_path("tcvn3", cache_dir=cache)
    again = fonts.legacy_font_path("tcvn3", cache_dir=cache)
    elsewhere = fonts.legacy_font_path("tcvn3", cache_dir=tmp_path)
    assert first == again and first.stat().st_mtime == again.stat().st_mtime
    assert _sha(first) == _sha(elsewhere)
    assert len({fonts.legacy_font_path(e, bold=b, capitals=c, cache_dir=cache)
                for e, c in (("tcvn3", False), ("tcvn3", True), ("vni", False))
                for b in (False, True)}) == 6
    with pytest.raises(ValueError, match="tcvn3 only"):
        fonts.legacy_font_path("vni", quirks=True, cache_dir=cache)


def test_cmaps_draw_the_letters_the_codes_stand_for(cache):
    source = TTFont(str(fonts.source_font())).getBestCmap()
    base = TTFont(str(fonts.legacy_font_path("tcvn3", cache_dir=cache)))
    caps = TTFont(str(fonts.legacy_font_path("tcvn3", capitals=True, cache_dir=cache)))
    quirks = TTFont(str(fonts.legacy_font_path("tcvn3", quirks=True, cache_dir=cache)))
    for letter, code in legacy.TCVN3_ENCODE.items():
        assert base.getBestCmap()[ord(code)] == source[ord(letter)]
        assert caps.getBestCmap()[ord(code)] == source[ord(letter.upper())]
    assert caps.getBestCmap()[ord("a")] == source[ord("A")]
    assert quirks.getBestCmap()[0x2212] == source[ord("ư")]
    assert quirks.getBestCmap()[0x2219] == source[ord("ã")]
    assert base["name"].getDebugName(6) == ".VnTime"
    assert caps["name"].getDebugName(6) == ".VnTimeH"
    assert quirks["name"].getDebugName(6) == "VnTime"

    vni = TTFont(str(fonts.legacy_font_path("vni", bold=True, cache_dir=cache)))
    assert vni["name"].getDebugName(6) == "VNI-Times-Bold"
    cmap = vni.getBestCmap()
    for mark in "øùûõïâêáàåãäéèúüëØÙÛÕÏÂÊÁÀÅÃÄÉÈÚÜË":
        glyph = vni["glyf"][cmap[ord(mark)]]
        glyph.recalcBounds(vni["glyf"])
        assert vni["hmtx"][cmap[ord(mark)]][0] == 0  # zero width
        # drawn over the letter before it (a circumflex's hook may overhang a little)
        assert glyph.xMin < 0 and glyph.xMax < 0.05 * vni["head"].unitsPerEm


def _pdf(path: Path, lines: list[tuple[str, str]], cache: Path) -> None:
    """Draw (encoding, text) lines: encoding '' means Unicode in Liberation Serif."""
    names = fonts.register_legacy_fonts(cache)
    if "Test-LiberationSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(RLTTFont("Test-LiberationSerif", str(fonts.source_font())))
    c = canvas.Canvas(str(path), pagesize=(500, 40 + 30 * len(lines)), invariant=1)
    y = 20 + 30 * len(lines)
    for encoding, text in lines:
        x = 20.0
        if encoding == "":
            runs = [("Test-LiberationSerif", text)]
        elif encoding == "tcvn3-quirks":
            runs = [(names[fonts.variant_key("tcvn3", capitals=caps, quirks=True)],
                     fonts.with_quirks(t)) for t, caps in legacy.encode_runs(text, "tcvn3")]
        else:
            runs = [(names[fonts.variant_key(encoding, capitals=caps)], t)
                    for t, caps in legacy.encode_runs(text, encoding)]
        for font, t in runs:
            c.setFont(font, 16)
            c.drawString(x, y, t)
            x += pdfmetrics.stringWidth(t, font, 16)
        y -= 30
    c.save()


def _ink(path: Path, index: int) -> np.ndarray:
    """The page as a boolean ink mask at 150 dpi, one band per line."""
    pdf = pypdfium2.PdfDocument(str(path))
    image = pdf[index].render(scale=150 / 72).to_pil().convert("L")
    pdf.close()
    return np.asarray(image) < 128


def test_legacy_pdf_extracts_as_mojibake_with_the_font_names(cache, tmp_path):
    pdf_path = tmp_path / "legacy.pdf"
    _pdf(pdf_path, [("tcvn3", LINE), ("tcvn3", CAPS_LINE), ("vni", LINE),
                    ("tcvn3-quirks", LINE)], cache)
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[0]
        names = {c["fontname"].split("+", 1)[1] for c in page.chars}
        lines = page.extract_text().splitlines()
    assert names == {".VnTime", ".VnTimeH", "VNI-Times", "VnTime"}
    assert lines[0] == legacy.encode(LINE, "tcvn3")
    assert "Ngh" in lines[0] and "\xad" in lines[0]  # ư extracts as a soft hyphen
    assert lines[1] == "ñy ban nh©n d©n tØnh ®· quyÕt ®Þnh"
    assert lines[2] == legacy.encode(LINE, "vni")
    assert lines[3] == fonts.with_quirks(legacy.encode(LINE, "tcvn3"))
    assert "\u2212" in lines[3]


def test_legacy_pdf_looks_like_the_unicode_text(cache, tmp_path):
    """The TCVN3 fonts draw the very glyphs of the Unicode text (identical pixels); VNI
    places its marks over an average letter, so its ink differs only slightly."""
    for encoding in ("tcvn3", "tcvn3-quirks", "vni"):
        for text in (LINE, CAPS_LINE):
            legacy_pdf, unicode_pdf = tmp_path / f"{encoding}.pdf", tmp_path / "unicode.pdf"
            _pdf(legacy_pdf, [(encoding, text)], cache)
            _pdf(unicode_pdf, [("", text)], cache)
            drawn, expected = _ink(legacy_pdf, 0), _ink(unicode_pdf, 0)
            differing = np.logical_xor(drawn, expected).sum() / expected.sum()
            if encoding.startswith("tcvn3"):
                assert differing == 0, (encoding, text)
            else:
                assert differing < 0.12, (encoding, text, differing)
