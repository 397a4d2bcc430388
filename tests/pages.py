"""Small Vietnamese pages rendered with Pillow, for tests that run the real Tesseract.

Why our own pages: the tests must know exactly what was printed and where, at a size that
Tesseract reads in well under a second. Each page is a few lines of fictional bulletin text
set in an installed font (Debian's fonts-dejavu, fonts-liberation2, fonts-freefont) at a
given resolution; :class:`Drawn` keeps the text and every word's box in pixels, so tests can
measure the character error rate and check that OCR boxes lie over the drawn words.

Degradations (skew, uneven light, noise, blur) copy what old scans and phone photos do to a
page; they are deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from archive.vntext import nfc

FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
             "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/freefont")
FONTS = {
    "serif": ("LiberationSerif-Regular.ttf", "DejaVuSerif.ttf", "FreeSerif.ttf"),
    "serif-bold": ("LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf", "FreeSerifBold.ttf"),
    "sans": ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "FreeSans.ttf"),
    "mono": ("FreeMono.ttf", "LiberationMono-Regular.ttf", "DejaVuSansMono.ttf"),  # typewriter-like
    # the sample's other typewriter face, whose 0 typewriter OCR reads as 6 or 9 (issue 16)
    "mono-liberation": ("LiberationMono-Regular.ttf", "FreeMono.ttf"),
}

# Fictional bulletin text, written for the tests (every line carries Vietnamese diacritics).
PARAGRAPHS = (
    "Thực hiện Nghị quyết của Đảng ủy, chi bộ đã tổ chức sinh hoạt chuyên đề về "
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
    "Các đảng viên thảo luận sôi nổi, đề xuất nhiều giải pháp thiết thực để nâng cao "
    "chất lượng sinh hoạt chi bộ và phát triển kinh tế hộ gia đình.",
    "Hợp tác xã nông nghiệp tiếp tục đổi mới phương thức quản lý, hỗ trợ bà con "
    "vay vốn, chuyển đổi cơ cấu cây trồng và tiêu thụ sản phẩm.",
    "Ban Tuyên giáo Tỉnh ủy hướng dẫn các cấp ủy tăng cường công tác phòng, chống "
    "tham nhũng, lãng phí và xây dựng nông thôn mới kiểu mẫu.",
    "Hỏi: Đảng viên đi làm ăn xa có phải sinh hoạt tạm thời ở nơi cư trú không? "
    "Đáp: Có, theo quy định hiện hành của Ban Chấp hành Trung ương.",
)
HEADLINE = "THÔNG TIN SINH HOẠT CHI BỘ"


def font_path(kind: str) -> Path:
    """The first installed font file of ``kind`` (serif, serif-bold, sans, mono)."""
    for name in FONTS[kind]:
        for folder in FONT_DIRS:
            path = Path(folder) / name
            if path.exists():
                return path
    raise FileNotFoundError(f"no {kind} font installed (install fonts-liberation2 or fonts-dejavu)")


@dataclass
class Drawn:
    """What was printed on a page: text in reading order and each word's pixel box."""

    text: str  # lines joined by "\n", blank line between paragraphs
    words: list[tuple[str, tuple[int, int, int, int]]] = field(default_factory=list)
    dpi: int = 300
    size_pt: float = 11.0


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont,
          width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and draw.textlength(trial, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def render_text_page(paragraphs: tuple[str, ...] | list[str] = PARAGRAPHS[:3], *,
                     dpi: int = 300, font: str = "serif", size_pt: float = 11.0,
                     width_in: float = 5.5, margin_in: float = 0.4, headline: str = "",
                     ink: int = 20, paper: int = 250) -> tuple[Image.Image, Drawn]:
    """A grayscale page of ``paragraphs``: ``width_in`` inches wide, as tall as needed.

    Returns the image (mode "L", ``info["dpi"]`` set) and what was drawn.
    """
    scale = dpi / 72.0
    face = ImageFont.truetype(str(font_path(font)), round(size_pt * scale))
    head_face = ImageFont.truetype(str(font_path("serif-bold")), round(size_pt * 1.5 * scale))
    margin = round(margin_in * dpi)
    width = round(width_in * dpi)
    scratch = ImageDraw.Draw(Image.new("L", (8, 8)))
    blocks: list[tuple[ImageFont.FreeTypeFont, list[str]]] = []
    if headline:
        blocks.append((head_face, [nfc(headline)]))
    for para in paragraphs:
        blocks.append((face, _wrap(scratch, nfc(para), face, width - 2 * margin)))
    line_gap = round(size_pt * scale * 1.45)
    para_gap = round(size_pt * scale * 0.8)
    height = margin * 2 + sum(len(lines) for _f, lines in blocks) * line_gap \
        + para_gap * len(blocks) + round(size_pt * scale)
    image = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(image)
    drawn = Drawn(text="", dpi=dpi, size_pt=size_pt)
    y = margin
    texts = []
    for block_face, lines in blocks:
        gap = round(block_face.size * 1.45)
        for line in lines:
            x = margin
            for word in line.split(" "):
                box = draw.textbbox((x, y), word, font=block_face)
                draw.text((x, y), word, font=block_face, fill=ink)
                drawn.words.append((word, box))
                x += draw.textlength(word + " ", font=block_face)
            y += gap
        y += para_gap
        texts.append("\n".join(lines))
    drawn.text = "\n\n".join(texts)
    image.info["dpi"] = (dpi, dpi)
    return image, drawn


def rotate(image: Image.Image, degrees: float, paper: int = 250) -> Image.Image:
    """The page turned ``degrees`` counter-clockwise, as a sheet laid askew on the glass."""
    out = image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=paper)
    out.info["dpi"] = image.info.get("dpi", (300, 300))
    return out


def rotate_point(x: float, y: float, size: tuple[int, int], degrees: float,
                 out_size: tuple[int, int]) -> tuple[float, float]:
    """Where pixel (x, y) of an image of ``size`` lands after :func:`rotate`."""
    cx, cy = size[0] / 2, size[1] / 2
    a = math.radians(degrees)
    dx, dy = x - cx, y - cy
    # PIL rotates counter-clockwise on screen (y down): x' = cos·dx + sin·dy, y' = -sin·dx + cos·dy
    return (out_size[0] / 2 + math.cos(a) * dx + math.sin(a) * dy,
            out_size[1] / 2 - math.sin(a) * dx + math.cos(a) * dy)


def uneven_light(image: Image.Image, *, strength: float = 0.55, shadow: float = 0.35,
                 seed: int = 1) -> Image.Image:
    """A phone photo's light: a brightness gradient across the page and a soft shadow band.

    ``strength`` is how much darker the dark corner is (0..1); ``shadow`` darkens a vertical
    band as a hand or a fold would.
    """
    rng = random.Random(seed)
    a = np.asarray(image.convert("L"), dtype=np.float32)
    h, w = a.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    light = 1.0 - strength * ramp
    centre = rng.uniform(0.55, 0.85) * w
    band = np.exp(-(((xx - centre) / (0.12 * w)) ** 2))
    light *= 1.0 - shadow * band
    out = Image.fromarray(np.clip(a * light, 0, 255).astype(np.uint8), "L")
    out.info["dpi"] = image.info.get("dpi", (300, 300))
    return out


def degrade(image: Image.Image, *, noise: float = 12.0, blur: float = 0.6,
            speckles: int = 300, seed: int = 1) -> Image.Image:
    """An old photocopy: blur, grey noise and black specks."""
    rng = np.random.default_rng(seed)
    out = image.filter(ImageFilter.GaussianBlur(blur)) if blur else image
    a = np.asarray(out, dtype=np.float32)
    a = a + rng.normal(0.0, noise, a.shape)
    h, w = a.shape
    ys, xs = rng.integers(0, h, speckles), rng.integers(0, w, speckles)
    a[ys, xs] = 30
    result = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
    result.info["dpi"] = image.info.get("dpi", (300, 300))
    return result


def save_png(image: Image.Image, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, dpi=image.info.get("dpi", (300, 300)))
    return path


def save_image_pdf(images: list[Image.Image], path: Path) -> Path:
    """An image-only PDF (one scan per page), as a scanner writes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    dpi = float(images[0].info.get("dpi", (300, 300))[0])
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return path


def save_tiff(images: list[Image.Image], path: Path) -> Path:
    """A multi-page TIFF (one frame per page, LZW-compressed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    dpi = images[0].info.get("dpi", (300, 300))
    images[0].save(path, "TIFF", save_all=True, append_images=images[1:], dpi=dpi,
                   compression="tiff_lzw")
    return path


def fake_tesseract(folder: Path, action: str) -> Path:
    """A ``tesseract`` script for fault injection, to put first on PATH.

    ``--version`` and ``--list-langs`` go to the real Tesseract; a page run does ``action``
    (shell), where ``"$REAL" "$@"`` runs the real one. Examples: ``exec sleep 600`` (a page
    that hangs), ``echo broken >&2; exit 1`` (a crash). Returns the folder to prepend to PATH.
    """
    import shutil

    real = shutil.which("tesseract")
    if real is None:
        raise FileNotFoundError("tesseract is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        f'REAL="{real}"\n'
        'case "$1" in --version|--list-langs|--help*) exec "$REAL" "$@";; esac\n'
        f"{action}\n", encoding="utf-8")
    script.chmod(0o755)
    return folder
