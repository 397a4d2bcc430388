"""indexer.extract.render: every kind of page source comes back as an upright "L"/"RGB" image with its
real dpi, and every unusable file as a BadInput naming it."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from archive.errors import BadInput
from indexer.extract.render import image_dpi, load_page_image
from tests.pages import render_text_page, save_image_pdf, save_tiff


def _marked(size: tuple[int, int] = (400, 600), corner: str = "tl") -> Image.Image:
    """A white page with a black square in one corner, to check orientation and frames."""
    image = Image.new("L", size, 255)
    w, h = size
    box = {"tl": (10, 10, 60, 60), "br": (w - 60, h - 60, w - 10, h - 10)}[corner]
    image.paste(0, box)
    return image


def _dark_corner(image: Image.Image) -> str:
    a = np.asarray(image.convert("L"))
    h, w = a.shape
    corners = {"tl": a[: h // 4, : w // 4], "tr": a[: h // 4, -w // 4:],
               "bl": a[-h // 4:, : w // 4], "br": a[-h // 4:, -w // 4:]}
    return min(corners, key=lambda k: corners[k].mean())


def test_png_keeps_its_dpi_and_mode(tmp_path: Path) -> None:
    image, _ = render_text_page(dpi=200)
    path = tmp_path / "p.png"
    image.save(path, dpi=(200, 200))
    out = load_page_image(path, "images", 0)
    assert out.mode == "L" and out.size == image.size
    assert out.info["dpi"] == (200.0, 200.0)
    assert np.array_equal(np.asarray(out), np.asarray(image))


def test_jpeg_exif_orientation_is_applied(tmp_path: Path) -> None:
    upright = _marked((400, 600), "tl").convert("RGB")
    # stored turned 90° counter-clockwise, with EXIF orientation 6 ("rotate 90° CW to view")
    stored = upright.rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "photo.jpg"
    stored.save(path, exif=exif, dpi=(300, 300), quality=95)
    out = load_page_image(path, "images", 0)
    assert out.size == (400, 600)
    assert _dark_corner(out) == "tl"
    assert out.mode == "L"  # a grey page saved as RGB comes back grey


def test_colour_is_kept_unless_gray_asked(tmp_path: Path) -> None:
    image = Image.new("RGB", (500, 700), (250, 240, 200))
    image.paste((200, 20, 20), (50, 50, 200, 100))
    path = tmp_path / "c.png"
    image.save(path)
    assert load_page_image(path, "images", 0).mode == "RGB"
    assert load_page_image(path, "images", 0, gray=True).mode == "L"


@pytest.mark.parametrize("mode", ["1", "P", "RGBA", "I;16", "LA", "CMYK"])
def test_every_mode_becomes_l_or_rgb(tmp_path: Path, mode: str) -> None:
    base = _marked((300, 400), "br")
    if mode == "I;16":
        image = Image.fromarray(np.asarray(base, dtype=np.uint16) * 257)
    elif mode == "RGBA":
        image = base.convert("RGBA")
        image.putalpha(Image.new("L", base.size, 255))
    else:
        image = base.convert(mode)
    path = tmp_path / ("p.tif" if mode == "CMYK" else "p.png")
    image.save(path)
    out = load_page_image(path, "images", 0)
    assert out.mode in ("L", "RGB")
    assert _dark_corner(out) == "br"


def test_transparent_background_becomes_white(tmp_path: Path) -> None:
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    image.paste((0, 0, 0, 255), (10, 10, 50, 50))
    path = tmp_path / "t.png"
    image.save(path)
    out = np.asarray(load_page_image(path, "images", 0, gray=True))
    assert out[200, 200] == 255 and out[20, 20] == 0


def test_tiff_frames(tmp_path: Path) -> None:
    frames = [_marked((400, 600), "tl"), _marked((400, 600), "br")]
    for f in frames:
        f.info["dpi"] = (300, 300)
    path = save_tiff(frames, tmp_path / "issue.tif")
    assert _dark_corner(load_page_image(path, "tiff", 0)) == "tl"
    assert _dark_corner(load_page_image(path, "tiff", 1)) == "br"
    with pytest.raises(BadInput, match="frame 3"):
        load_page_image(path, "tiff", 2)


def test_image_only_pdf_is_rendered_at_the_scan_resolution(tmp_path: Path) -> None:
    page, _ = render_text_page(dpi=200)
    path = save_image_pdf([page], tmp_path / "scan.pdf")
    out = load_page_image(path, "pdf", 0, 300, gray=True)
    assert out.info["dpi"] == (200.0, 200.0)
    assert abs(out.width - page.width) <= 1 and abs(out.height - page.height) <= 1
    assert out.mode == "L"


def test_high_resolution_scan_is_rendered_at_the_requested_dpi(tmp_path: Path) -> None:
    page, _ = render_text_page(dpi=600, width_in=2.0, paragraphs=["Xin chào"])
    path = save_image_pdf([page], tmp_path / "scan600.pdf")
    out = load_page_image(path, "pdf", 0, 300)
    assert out.info["dpi"] == (300.0, 300.0)
    assert abs(out.width - page.width / 2) <= 1


def test_text_pdf_is_rendered_at_the_requested_dpi(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "text.pdf"
    c = canvas.Canvas(str(path), pagesize=(540, 765))  # 19 x 27 cm
    c.drawString(72, 700, "Thong tin sinh hoat chi bo")
    c.showPage()
    c.save()
    out = load_page_image(path, "pdf", 0, 150)
    assert out.info["dpi"] == (150.0, 150.0)
    assert out.size == (round(540 * 150 / 72), round(765 * 150 / 72))
    assert np.asarray(out).min() < 100  # the text was drawn


def test_dpi_estimated_when_missing_or_implausible() -> None:
    photo = Image.new("L", (3000, 4000))  # a phone photo: no dpi; 4000 px over 27 cm
    assert 370 <= image_dpi(photo) <= 380
    photo.info["dpi"] = (72, 72)  # would make a 42 x 56 inch page
    assert 370 <= image_dpi(photo) <= 380
    scan = Image.new("L", (2480, 3508))
    scan.info["dpi"] = (300, 300)
    assert image_dpi(scan) == 300


def _bomb_png(path: Path, side: int = 20000) -> Path:
    """A valid 1-bit PNG of side x side pixels, a few kB on disk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
                     + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


def test_bad_files_raise_bad_input_naming_the_file(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text_tif = tmp_path / "notes.tif"
    text_tif.write_text("Đây là một tệp văn bản, không phải ảnh quét.\n", encoding="utf-8")
    page, _ = render_text_page(dpi=150)
    good = save_image_pdf([page], tmp_path / "good.pdf")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    encrypted = tmp_path / "encrypted.pdf"
    c = canvas.Canvas(str(encrypted), encrypt="mat-khau")
    c.drawString(72, 700, "noi bo")
    c.showPage()
    c.save()
    bomb = _bomb_png(tmp_path / "bomb.png")
    assert bomb.stat().st_size < 200_000

    cases = [(empty, "images", "empty"), (text_tif, "tiff", "not a readable image"),
             (truncated, "pdf", "damaged or truncated"), (encrypted, "pdf", "encrypted"),
             (bomb, "images", "too large"), (tmp_path / "gone.png", "images", "not found"),
             (good, "pdf", "page 2 asked for")]
    for path, kind, fault in cases:
        with pytest.raises(BadInput) as info:
            load_page_image(path, kind, 1 if fault == "page 2 asked for" else 0)
        assert info.value.path == str(path)
        assert fault in str(info.value), str(info.value)
        assert str(path) in str(info.value)


def test_pdf_page_over_the_pixel_limit_is_refused(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "poster.pdf"
    c = canvas.Canvas(str(path), pagesize=(14000, 14000))  # a 194-inch square page
    c.drawString(72, 700, "x")
    c.showPage()
    c.save()
    with pytest.raises(BadInput, match="million pixels"):
        load_page_image(path, "pdf", 0, 300)


def test_scanner_pdf_gives_the_scan_pixels_exactly(tmp_path: Path) -> None:
    """One lossless grey image over the page: taken as it is, not resampled by rendering."""
    import io

    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    page, _ = render_text_page(dpi=200)
    buf = io.BytesIO()
    page.save(buf, "PNG")
    buf.seek(0)
    path = tmp_path / "lossless.pdf"
    w, h = page.width * 72 / 200, page.height * 72 / 200
    c = canvas.Canvas(str(path), pagesize=(w, h))
    c.drawImage(ImageReader(buf), 0, 0, width=w, height=h)
    c.showPage()
    c.save()
    out = load_page_image(path, "pdf", 0, 300, gray=True)
    assert out.info["dpi"] == (200.0, 200.0)
    assert np.array_equal(np.asarray(out), np.asarray(page))


def test_page_with_more_than_the_scan_is_rendered(tmp_path: Path) -> None:
    """A stamp or a note drawn over the scan must show: such a page is rendered."""
    import io

    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    page = Image.new("L", (400, 600), 255)
    buf = io.BytesIO()
    page.save(buf, "PNG")
    buf.seek(0)
    path = tmp_path / "stamped.pdf"
    c = canvas.Canvas(str(path), pagesize=(144, 216))  # 2 x 3 inches: 200 dpi
    c.drawImage(ImageReader(buf), 0, 0, width=144, height=216)
    c.rect(10, 180, 30, 20, fill=1)  # a black stamp at the top left
    c.showPage()
    c.save()
    out = load_page_image(path, "pdf", 0, 300, gray=True)
    assert out.size == (400, 600) and _dark_corner(out) == "tl"
