"""The Unicode typefaces the sample is set in: Debian's free fonts, each with five faces.

A face is a role in the layout (``regular``, ``bold``, ``italic``, ``bold-italic`` and
``display``, the masthead title). The renderers resolve a typeface's faces to TrueType files:
reportlab embeds them in born-digital PDFs, Pillow draws page images with them. Legacy PDFs
use the TCVN3/VNI fonts of :mod:`samplegen.fonts` instead, under the typeface names
``vntime`` and ``vnitimes`` (see :mod:`samplegen.render_pdf`).

Only fonts with every Vietnamese letter are listed (checked with fontTools: the
``liberation2`` package has them, the older ``liberation`` one lacks ơ/ư and most tones;
Nimbus Mono and DejaVu Sans Mono lack many tone marks, so they are not used).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive.errors import MissingDependency

FACES = ("regular", "bold", "italic", "bold-italic", "display")
_TT = Path("/usr/share/fonts/truetype")


@dataclass(frozen=True)
class Typeface:
    name: str
    files: tuple[tuple[str, str], ...]  # (face, path) for every face in FACES
    mono: bool = False  # typewriter-like: every glyph one width

    def path(self, face: str) -> str:
        for f, p in self.files:
            if f == face:
                return p
        raise KeyError(f"{self.name} has no face {face!r}")


def _tf(name: str, regular: str, bold: str, italic: str, bold_italic: str, display: str,
        mono: bool = False) -> Typeface:
    files = (("regular", regular), ("bold", bold), ("italic", italic),
             ("bold-italic", bold_italic), ("display", display))
    return Typeface(name, tuple((f, str(_TT / p)) for f, p in files), mono)


TYPEFACES: dict[str, Typeface] = {t.name: t for t in (
    _tf("dejavu-serif", "dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf",
        "dejavu/DejaVuSerif-Italic.ttf", "dejavu/DejaVuSerif-BoldItalic.ttf",
        "dejavu/DejaVuSerifCondensed-Bold.ttf"),
    _tf("liberation-serif", "liberation2/LiberationSerif-Regular.ttf",
        "liberation2/LiberationSerif-Bold.ttf", "liberation2/LiberationSerif-Italic.ttf",
        "liberation2/LiberationSerif-BoldItalic.ttf", "liberation2/LiberationSerif-Bold.ttf"),
    _tf("freeserif", "freefont/FreeSerif.ttf", "freefont/FreeSerifBold.ttf",
        "freefont/FreeSerifItalic.ttf", "freefont/FreeSerifBoldItalic.ttf",
        "freefont/FreeSerifBold.ttf"),
    # Typewriter faces for the oldest scans; their mastheads were typeset, hence a serif display.
    _tf("freemono", "freefont/FreeMono.ttf", "freefont/FreeMonoBold.ttf",
        "freefont/FreeMonoOblique.ttf", "freefont/FreeMonoBoldOblique.ttf",
        "liberation2/LiberationSerif-Bold.ttf", mono=True),
    _tf("liberation-mono", "liberation2/LiberationMono-Regular.ttf",
        "liberation2/LiberationMono-Bold.ttf", "liberation2/LiberationMono-Italic.ttf",
        "liberation2/LiberationMono-BoldItalic.ttf", "dejavu/DejaVuSerif-Bold.ttf", mono=True),
)}
SERIF = ("dejavu-serif", "liberation-serif", "freeserif")
MONO = ("freemono", "liberation-mono")


def typeface(name: str) -> Typeface:
    """The typeface called ``name``, its font files checked to exist."""
    tf = TYPEFACES[name]
    for _face, path in tf.files:
        if not Path(path).exists():
            raise MissingDependency(
                f"{path}: font missing for the sample archive "
                "(install Debian's fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf)")
    return tf
