"""A page as an image: PDF pages rendered with pypdfium2, TIFF frames, page image files.

Used by OCR (grayscale) and by the web app (page views, thumbnails). Every image comes back
as mode "L" or "RGB" with ``info["dpi"] = (dpi, dpi)`` set to the resolution it really has,
so OCR can turn pixel heights into points (see ``Word.size``).

Why the care with PDFs: a scanned issue is usually an image-only PDF whose one image already
*is* the page at the scanner's resolution. Rendering it at a fixed 300 dpi would resample
a 200-dpi scan up (inventing pixels, blurring the strokes) or a 600-dpi one down; when the
page is one image covering the page, it is rendered at the image's own resolution instead
(capped at the requested dpi × :data:`MAX_NATIVE_FACTOR`), and preprocessing decides on any
scaling with the whole picture in view.

Decompression bombs: an image or PDF page whose pixel count exceeds Pillow's
``Image.MAX_IMAGE_PIXELS`` is refused with :class:`~archive.errors.BadInput` naming the file.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from PIL import Image, ImageChops, ImageOps

from archive.errors import BadInput
from archive.pdfiumlock import PDFIUM

log = logging.getLogger(__name__)

MAX_NATIVE_FACTOR = 1.4  # render an image-only page at its own dpi up to requested × this
MIN_NATIVE_DPI = 70.0  # below this an embedded image is not a page scan (a logo, a thumbnail)
PAGE_COVER = 0.85  # the image must cover this fraction of the page's area to count as the page
# The bulletins are printed on 19 x 27 cm; a page image without a plausible dpi is assumed
# to show a whole page of that size (a phone photo or a scan saved without metadata).
PAGE_WIDTH_IN = 19 / 2.54
PAGE_HEIGHT_IN = 27 / 2.54


def load_page_image(path: str | Path, source_kind: str, file_page: int, dpi: float = 300, *,
                    gray: bool = False) -> Image.Image:
    """Page ``file_page`` (0-based) of ``path`` as an "L" or "RGB" image with its dpi in info.

    ``source_kind`` is the issue's kind ("pdf", "tiff" or "images"); ``dpi`` is the render
    resolution for PDF pages that are not one scanned image. ``gray`` renders or converts
    to "L" (what OCR wants; cheaper for PDF pages).
    """
    path = Path(path)
    if not path.is_file():
        raise BadInput(path, "file not found", "run `bantin ingest` again after restoring it")
    if path.stat().st_size == 0:
        raise BadInput(path, "file is empty (0 bytes)", "copy the scan again")
    if source_kind == "pdf" or (source_kind != "tiff" and path.suffix.lower() == ".pdf"):
        image = _render_pdf_page(path, file_page, float(dpi), gray)
    else:
        image = _open_image_frame(path, file_page)
    return _normalise(image, path, gray)


# --- PDF ----------------------------------------------------------------------------------

def _render_pdf_page(path: Path, index: int, dpi: float, gray: bool) -> Image.Image:
    with PDFIUM:  # pdfium is not thread-safe (archive/pdfiumlock.py)
        return _render_pdf_page_locked(path, index, dpi, gray)


def _render_pdf_page_locked(path: Path, index: int, dpi: float, gray: bool) -> Image.Image:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise BadInput(path, "PDF is encrypted with a password",
                           "save an unencrypted copy (e.g. qpdf --decrypt) in scans/") from e
        raise BadInput(path, f"PDF is damaged or truncated ({e})",
                       "copy it again from the original, or repair it with qpdf") from e
    try:
        if not 0 <= index < len(doc):
            raise BadInput(path, f"PDF has {len(doc)} pages, page {index + 1} asked for",
                           "run `bantin ingest` again: the file changed")
        page = doc[index]
        try:
            width_pt, height_pt = page.get_size()
            native = _native_dpi(page, width_pt, height_pt)
            if native and native <= dpi * MAX_NATIVE_FACTOR:
                dpi = native
            pixels = (width_pt * dpi / 72.0) * (height_pt * dpi / 72.0)
            _check_pixels(path, pixels, f"page {index + 1} at {dpi:.0f} dpi")
            try:
                image = _scan_image(page, width_pt, height_pt) if dpi == native else None
                if image is None:
                    image = page.render(scale=dpi / 72.0, grayscale=gray).to_pil()
            except pdfium.PdfiumError as e:
                raise BadInput(path, f"page {index + 1} cannot be rendered ({e})",
                               "copy the PDF again, or repair it with qpdf") from e
        finally:
            page.close()
    finally:
        doc.close()
    image.info["dpi"] = (dpi, dpi)
    return image


def _native_dpi(page: object, width_pt: float, height_pt: float) -> float:
    """The resolution of the one image that covers the page, or 0.0 when there is none."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        images = list(page.get_objects(  # type: ignore[attr-defined]
            filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2))
    except pdfium.PdfiumError:
        return 0.0
    page_area = width_pt * height_pt
    best = 0.0
    for obj in images:
        try:
            left, bottom, right, top = obj.get_bounds()
            px_w, px_h = obj.get_px_size()
        except pdfium.PdfiumError:
            continue
        w_pt, h_pt = right - left, top - bottom
        if w_pt <= 0 or h_pt <= 0 or page_area <= 0 or w_pt * h_pt < PAGE_COVER * page_area:
            continue
        # the larger axis ratio tolerates an image placed rotated by 90 degrees
        dpi_x = max(px_w, px_h) / (max(w_pt, h_pt) / 72.0)
        dpi_y = min(px_w, px_h) / (min(w_pt, h_pt) / 72.0)
        if abs(dpi_x - dpi_y) > 0.05 * max(dpi_x, dpi_y):
            continue  # stretched: rendering at a single dpi would not be native anyway
        best = max(best, (dpi_x + dpi_y) / 2)
    if best < MIN_NATIVE_DPI:
        return 0.0
    return round(best, 1)


def _scan_image(page: object, width_pt: float, height_pt: float) -> Image.Image | None:
    """The page's pixels taken straight from its one image, or None when only rendering
    gives the page exactly.

    A scanner's PDF page is one 8-bit grey or RGB image drawn upright over the whole page and
    nothing else; decoding that image is twice as fast as rendering the page (40 against 90
    ms at 300 dpi) and gives the same pixels. Anything else (bilevel or CMYK images whose
    decode arrays and colour spaces rendering handles, rotated or partial placement, a
    mask, other content on the page) is rendered.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        if page.get_rotation() != 0:  # type: ignore[attr-defined]
            return None
        objects = list(page.get_objects(max_depth=1))  # type: ignore[attr-defined]
        if len(objects) != 1 or objects[0].type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return None
        obj = objects[0]
        a, b, c, d, e, f = obj.get_matrix().get()
        if b or c or a <= 0 or d <= 0:
            return None
        if abs(e) > 0.5 or abs(f) > 0.5 or abs(a - width_pt) > 0.5 or abs(d - height_pt) > 0.5:
            return None
        meta = obj.get_metadata()
        if meta.bits_per_pixel not in (8, 24) or meta.colorspace not in (
                pdfium_c.FPDF_COLORSPACE_DEVICEGRAY, pdfium_c.FPDF_COLORSPACE_DEVICERGB):
            return None
        if pdfium_c.FPDFImageObj_GetImageFilterCount(obj) and "JPXDecode" in obj.get_filters():
            return None
        return obj.get_bitmap(render=False).to_pil()
    except (pdfium.PdfiumError, AttributeError, ValueError):
        return None


# --- TIFF and image files -----------------------------------------------------------------

def _check_pixels(path: Path, pixels: float, what: str) -> None:
    limit = Image.MAX_IMAGE_PIXELS
    if limit and pixels > limit:
        raise BadInput(path, f"{what} is {pixels / 1e6:.0f} million pixels, over the safe limit "
                       f"of {limit / 1e6:.0f} million", "downscale the scan to 600 dpi or less")


def _open_image_frame(path: Path, index: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(path)
            _check_pixels(path, float(image.width) * image.height, "the image")
            if index:
                try:
                    image.seek(index)
                except EOFError as e:
                    frames = getattr(image, "n_frames", 1)
                    raise BadInput(path, f"has {frames} frame(s), frame {index + 1} asked for",
                                   "run `bantin ingest` again: the file changed") from e
                _check_pixels(path, float(image.width) * image.height, f"frame {index + 1}")
            image.load()
    except BadInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise BadInput(path, f"image too large to decode safely ({e})",
                       "downscale the scan to 600 dpi or less") from e
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise BadInput(path, f"not a readable image ({e})",
                       "check that the file really is a PNG, JPEG or TIFF scan") from e
    try:
        image = ImageOps.exif_transpose(image) or image
    except (OSError, ValueError, SyntaxError, KeyError, TypeError) as e:  # a broken EXIF block
        log.debug("%s: EXIF orientation ignored (%s)", path, e)
    image.info["dpi"] = (image_dpi(image),) * 2
    return image


def image_dpi(image: Image.Image) -> float:
    """The image's resolution: its own metadata when plausible for a bulletin page, else an
    estimate that assumes the image shows one whole 19 x 27 cm page."""
    raw = image.info.get("dpi")
    try:
        dpi = float(raw[0]) if raw else 0.0
    except (TypeError, ValueError, IndexError):
        dpi = 0.0
    long_px, short_px = max(image.size), min(image.size)
    if 50 <= dpi <= 2400:
        long_in, short_in = long_px / dpi, short_px / dpi
        # anything up to an A2 spread is believable (a camera's 72 dpi on a 4000-pixel
        # photo would make a 55-inch page: that is not a resolution, it is a default)
        if short_in >= 1.0 and long_in <= 25.0:
            return round(dpi, 1)  # PNG stores pixels per metre: 199.9996 is 200
    estimate = min(long_px / PAGE_HEIGHT_IN, short_px / PAGE_WIDTH_IN)
    return round(max(estimate, 50.0), 1)


# --- modes --------------------------------------------------------------------------------

def _normalise(image: Image.Image, path: Path, gray: bool) -> Image.Image:
    """Any Pillow mode → "L" or "RGB", keeping ``info["dpi"]``."""
    dpi = image.info.get("dpi", (300.0, 300.0))
    mode = image.mode
    try:
        if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
            image = _to_8bit(image)
        elif mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in image.info):
            rgba = image.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            image = Image.alpha_composite(background, rgba).convert("RGB")
        elif mode == "1":
            image = image.convert("L")
        elif mode not in ("L", "RGB"):
            image = image.convert("RGB")
        if gray and image.mode != "L" or not gray and image.mode == "RGB" and _is_gray(image):
            image = image.convert("L")
    except (OSError, ValueError) as e:
        raise BadInput(path, f"image cannot be decoded ({e})", "copy the scan again") from e
    image.info["dpi"] = dpi
    return image


def _to_8bit(image: Image.Image) -> Image.Image:
    import numpy as np

    a = np.asarray(image, dtype=np.float32)
    lo, hi = float(a.min()), float(a.max())
    scaled = (a - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(a)
    return Image.fromarray(scaled.astype(np.uint8), "L")


def _is_gray(image: Image.Image) -> bool:
    """True when an RGB image carries no colour (a grey scan saved as RGB)."""
    small = image.reduce(8) if min(image.size) >= 64 else image
    r, g, b = small.split()
    return all(_band_max(ImageChops.difference(x, y)) <= 8 for x, y in ((r, g), (g, b)))


def _band_max(band: Image.Image) -> float:
    """The largest value of a one-band image (``getextrema`` of one band is ``(min, max)``)."""
    extrema = band.getextrema()
    top = extrema[1]
    return float(top if not isinstance(top, tuple) else max(top))
