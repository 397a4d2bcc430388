"""Image clean-up before Tesseract: only the steps that measurably lower the error rate.

What old scans and phone photos do to a page, and the step that undoes it (CER on the
sample's scanned pages, measured with ``bench/ocr.py`` and the README's "OCR benchmark"):

* **uneven light** (phone photos, a shadow, a grey photocopy): ``flatten`` divides the page by
  an estimate of its own background (the page with the text removed by a grey closing on a
  ~75 dpi copy, lightly smoothed), so paper becomes white everywhere and ink keeps its
  contrast. Phone photos: 22 % CER without it, under 1 % with it. A clean, evenly lit page
  (:data:`EVEN_LIGHT`) is measured but not divided: nothing to undo there.
* **low contrast**: ``stretch`` maps the ink to black and the paper to white, but never
  stretches less than :data:`MIN_INK_CONTRAST` grey levels to full range: on a page that is
  nearly all paper the "ink" is the paper's noise, and Tesseract then reads nothing.
* **skew** (a sheet laid askew on the glass, up to ±5°): ``deskew`` finds the angle whose
  horizontal projection profile of the dark pixels is sharpest (text lines fall into few rows)
  on a binarised ~100 dpi copy, and rotates the page back. Old copies skewed by 0.4-2°:
  10 % CER without it, 3 % with it.
* **pixel noise**: a 3x3 median only where the paper's noise is strong (:data:`NOISY`);
  on the sample's old copies (noise about 6 grey levels, blurred) it cost accuracy, on
  strong grain (7+) it removes most errors. :func:`noise_level` is kept in ``Prepared.meta``
  so OCR can ask Tesseract for its heavy noise reduction on noisy pages.
* **high resolution** (600-dpi scans): reduced by a whole factor to 250-300 dpi, where
  Tesseract reads as well, several times faster.
* **low resolution**: ``upscale`` (off by default) resamples to :data:`TARGET_DPI`; measured,
  it made 200-dpi and 150-dpi pages worse (1 % → 6-8 % CER), so Tesseract gets the scan's
  own pixels.

Not done, and why: keystone correction of phone photos (the residual errors on photos are
not from perspective; text lines stay horizontal enough for Tesseract), binarising here
(Tesseract's own Otsu, or Sauvola on unevenly lit pages, did as well after flattening).

The steps applied to a page are listed in ``Prepared.steps``; :data:`VERSION` is part of the
OCR settings key, so changing what a step does redoes OCR.

Coordinates: the prepared image differs from the source by a scale and a rotation;
``Prepared.to_source`` maps a box in prepared pixels back to fractions of the source page,
so word boxes can be drawn over the original scan.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageFilter

log = logging.getLogger(__name__)

VERSION = "7"  # bump when a step changes what Tesseract sees
TARGET_DPI = 300.0  # resolution the upscale step brings low-resolution scans to
MIN_READ_DPI = 250.0  # scans of twice this or more are reduced by a whole factor to >= this
BACKGROUND_DPI = 75.0  # resolution at which the page background is estimated
DESKEW_DPI = 100.0  # resolution at which the skew angle is searched
MAX_SKEW = 5.0  # degrees searched either way
MIN_SKEW = 0.3  # degrees; smaller angles are left to Tesseract (measured: same CER, 40 ms saved)
MIN_INK_CONTRAST = 96  # grey levels; stretch never maps a smaller range to full contrast
NOISY = 6.5  # grey levels of paper noise from which a page is median-filtered (see prepare)
# An "even" page (a clean scan: quiet paper, evenly lit) is not divided by its background: its
# background's spread is 0-1 grey levels, so the division (0.05 s of a 300-dpi page) changed
# nothing Tesseract needs (seed 1's 300-dpi pages, README "Old scans"). Measured and not done:
# a shear or a nearest-neighbour rotation instead of the bilinear one (0.01 s against 0.09 s; CER
# 0.74 % → 0.80 / 0.77 % on 16 pages), leaving skews under 1° to Tesseract (0.79 %, and slower).
QUIET_NOISE = 4.0  # grey levels of paper noise under which a page is clean (ocr.NOISY_PAGE)
EVEN_LIGHT = 8.0  # background spread under which a quiet page is not flattened


@dataclass(frozen=True)
class PrepOptions:
    """Which steps to run; the defaults are what the measurements kept."""

    flatten: bool = True
    stretch: bool = True
    deskew: bool = True
    upscale_below: float = 0.0  # dpi under which the page is upscaled to TARGET_DPI; 0: never
    denoise: bool = True  # 3x3 median on very noisy pages only (NOISY)

    def key(self) -> str:
        """A short, stable description for the settings key."""
        parts = [f"v{VERSION}"]
        parts += [name for name in ("flatten", "stretch", "deskew", "denoise")
                  if getattr(self, name)]
        if self.upscale_below:
            parts.append(f"up<{self.upscale_below:g}")
        return "+".join(parts)


NONE = PrepOptions(flatten=False, stretch=False, deskew=False, upscale_below=0.0, denoise=False)


@dataclass(frozen=True)
class Prepared:
    """The image Tesseract reads and how it relates to the source page."""

    image: Image.Image  # mode "L"
    dpi: float  # of ``image``
    source_size: tuple[int, int]  # (width, height) of the source image, pixels
    steps: tuple[str, ...] = ()  # e.g. ("gray", "flatten", "deskew:-1.30", "upscale:1.50")
    # prepared pixel → source pixel: x_s = a*x + b*y + c, y_s = d*x + e*y + f
    affine: tuple[float, float, float, float, float, float] = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    skew: float = 0.0  # degrees the source was rotated back (counter-clockwise positive)
    meta: dict[str, float] = field(default_factory=dict)

    def to_source(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A box (x0, y0, x1, y1) in prepared pixels → fractions (0..1) of the source page."""
        a, b, c, d, e, f = self.affine
        x0, y0, x1, y1 = box
        xs, ys = [], []
        for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
            xs.append(a * x + b * y + c)
            ys.append(d * x + e * y + f)
        w, h = self.source_size
        return (_clip(min(xs) / w), _clip(min(ys) / h), _clip(max(xs) / w), _clip(max(ys) / h))


def _clip(v: float) -> float:
    return 0.0 if v < 0.0 else 1.0 if v > 1.0 else v


def prepare(image: Image.Image, dpi: float, options: PrepOptions = PrepOptions()) -> Prepared:
    """Run the enabled steps on ``image`` (any mode) whose resolution is ``dpi``."""
    source_size = image.size
    steps: list[str] = []
    if image.mode != "L":
        image = image.convert("L")
        steps.append("gray")
    affine = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    meta: dict[str, float] = {}
    factor = int(dpi // MIN_READ_DPI)
    if factor >= 2:  # a 600-dpi scan: Tesseract reads it as well at 300 dpi, 4x faster
        image = image.reduce(factor)
        affine = (float(factor), 0.0, 0.0, 0.0, float(factor), 0.0)
        dpi /= factor
        steps.append(f"reduce:{factor}")
    noise = noise_level(image)
    meta["noise"] = noise  # what is left after denoising tells OCR to clean harder
    if options.denoise and noise >= NOISY:
        image = image.filter(ImageFilter.MedianFilter(3))
        steps.append(f"denoise:{noise:.1f}")
        meta["noise"] = noise_level(image)
    even = False
    if options.flatten:
        small = background(image, dpi)
        spread = background_spread(small)
        meta["background_spread"] = spread
        even = meta["noise"] < QUIET_NOISE and spread < EVEN_LIGHT
        if not even:
            image = divide(image, small)
            steps.append("flatten")
    if options.stretch:
        image = stretch(image)
        steps.append("stretch")
    skew = 0.0
    if options.deskew:
        skew = find_skew(image, dpi)
        if abs(skew) >= MIN_SKEW:
            image, affine = _rotate(image, skew, affine)
            steps.append(f"deskew:{skew:.2f}")
    if options.upscale_below and dpi < options.upscale_below:
        scale = TARGET_DPI / dpi
        size = (round(image.width * scale), round(image.height * scale))
        fx, fy = image.width / size[0], image.height / size[1]
        image = image.resize(size, Image.Resampling.BICUBIC)
        a, b, c, d, e, f = affine
        affine = (a * fx, b * fy, c, d * fx, e * fy, f)
        dpi = TARGET_DPI
        steps.append(f"upscale:{scale:.2f}")
    image.info["dpi"] = (dpi, dpi)
    return Prepared(image=image, dpi=dpi, source_size=source_size, steps=tuple(steps),
                    affine=affine, skew=skew, meta=meta)


# --- noise --------------------------------------------------------------------------------

def noise_level(image: Image.Image) -> float:
    """Pixel noise on the paper, in grey levels (about the noise's standard deviation).

    Measured on a central crop: the median absolute difference between the image and its
    3x3 median, over paper pixels. A clean scan or render gives under 2, an old photocopy
    with grain and specks 8 or more.
    """
    w, h = image.size
    side = min(w, h, 384)
    left, top = (w - side) // 2, (h - side) // 2
    crop = image.crop((left, top, left + side, top + side))
    a = np.asarray(crop, dtype=np.float32)
    m = np.asarray(crop.filter(ImageFilter.MedianFilter(3)), dtype=np.float32)
    paper = m > otsu(np.asarray(crop))
    if paper.sum() < 1000:
        return 0.0
    return round(float(np.median(np.abs(a - m)[paper])) * 1.4826, 2)


# --- illumination -------------------------------------------------------------------------

def background(image: Image.Image, dpi: float) -> Image.Image:
    """The page without its text: a smooth estimate of the paper's brightness, ~75 dpi.

    Text is removed by a grey closing (max then min filter) about 3 mm wide on a ~75 dpi
    copy: wider than a stroke or a letter, narrower than a shadow or a light gradient. The
    result is smoothed only lightly (Gaussian, σ = window/6): a wider blur smears the sharp
    edge of a shadow, and the page, divided by it, keeps a dark line along that edge, which
    Tesseract's layout analysis takes for a column rule (measured: phone photos 2.1 % CER
    with a blur of twice the window, 0.6 % with this one).
    """
    from scipy import ndimage

    factor = max(1, int(dpi / BACKGROUND_DPI))
    small = image.reduce(factor) if factor > 1 else image
    small_dpi = dpi / factor
    window = max(3, int(round(small_dpi * 0.12)) | 1)  # ~3 mm, odd
    closed = ndimage.grey_closing(np.asarray(small), size=(window, window))
    smooth = ndimage.gaussian_filter(closed.astype(np.float32), window / 6.0)
    return Image.fromarray(np.clip(smooth, 1, 255).astype(np.uint8), "L")


def flatten(image: Image.Image, dpi: float) -> tuple[Image.Image, float]:
    """Divide the page by its background so the paper is white everywhere.

    Returns the flattened image and the background's spread (95th - 5th percentile of its
    brightness, 0..255): near 0 on an evenly lit scan, 60+ on a phone photo.
    """
    small = background(image, dpi)
    return divide(image, small), background_spread(small)


def background_spread(small: Image.Image) -> float:
    """How unevenly the page is lit: 95th - 5th percentile of its background's brightness."""
    lo, hi = np.percentile(np.asarray(small), [5, 95])
    return float(hi - lo)


def divide(image: Image.Image, small: Image.Image) -> Image.Image:
    """``image`` divided by its background ``small`` (:func:`background`), paper to white."""
    bg = np.asarray(small.resize(image.size, Image.Resampling.BILINEAR), dtype=np.float32)
    out = np.asarray(image, dtype=np.float32)  # a fresh array: divided in place
    np.divide(out, bg, out=out)
    out *= 255.0
    np.minimum(out, 255.0, out=out)
    return Image.fromarray(out.astype(np.uint8), "L")


def stretch(image: Image.Image) -> Image.Image:
    """Map the ink level to black and the paper level to white (a linear contrast stretch).

    ``black`` is the darkest half percent of the page (the ink), but never closer than
    :data:`MIN_INK_CONTRAST` grey levels to the paper: on a page that is nearly all paper (a
    colophon, a short last page) the darkest half percent is the paper's own noise, and
    stretching it to full contrast turns the page into grain that Tesseract cannot read.
    """
    hist = np.asarray(image.histogram(), dtype=np.float64)
    total = hist.sum()
    if total == 0:
        return image
    cdf = np.cumsum(hist) / total
    paper = int(np.searchsorted(cdf, 0.60))  # most of a page is paper
    black = max(min(int(np.searchsorted(cdf, 0.005)), paper - MIN_INK_CONTRAST), 0)
    if paper - black < 32:
        return image  # a black page: nothing to stretch
    lut = [0 if v <= black else 255 if v >= paper else round((v - black) * 255 / (paper - black))
           for v in range(256)]
    return image.point(lut)


# --- skew ---------------------------------------------------------------------------------

def otsu(values: np.ndarray) -> int:
    """Otsu's threshold of 8-bit ``values`` (the grey level separating ink from paper)."""
    hist = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    mt = m0[-1]
    w1 = total - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mt * w0 / total - m0) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = 0
    return int(np.argmax(between))


def find_skew(image: Image.Image, dpi: float) -> float:
    """The page's skew in degrees (counter-clockwise positive), searched within ±MAX_SKEW.

    Projection profile: rotate the dark pixels' coordinates by each candidate angle and keep
    the angle whose row histogram has the largest sum of squares (lines of text in as few
    rows as possible). Coarse 0.25° steps, then 0.05° around the best.
    """
    factor = max(1, int(dpi / DESKEW_DPI))
    small = image.reduce(factor) if factor > 1 else image
    a = np.asarray(small)
    threshold = otsu(a)
    ys, xs = np.nonzero(a < min(threshold, 200))
    if len(ys) < 200:
        return 0.0
    if len(ys) > 150_000:  # a sample is plenty for the profile
        pick = np.random.default_rng(0).choice(len(ys), 150_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64) - a.shape[1] / 2.0

    def score(angle: float) -> float:
        t = math.radians(angle)
        # a line skewed counter-clockwise by t rises to the right: y + x·tan(t) is constant
        rows = np.round(ys + xs * math.tan(t)).astype(np.int64)
        rows -= rows.min()
        counts = np.bincount(rows).astype(np.float64)
        return float(np.dot(counts, counts))

    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05)
    best = max(fine, key=score)
    if score(best) <= score(0.0) * 1.02:
        return 0.0  # no clear gain: a page without lines of text, or already straight
    return round(float(best), 2)


def _rotate(image: Image.Image, angle: float,
            affine: tuple[float, float, float, float, float, float]
            ) -> tuple[Image.Image, tuple[float, float, float, float, float, float]]:
    """Rotate by -angle (undoing a counter-clockwise skew of ``angle``), expanding the canvas;
    returns the image and the updated prepared→source affine map."""
    w, h = image.size
    # bilinear: 2.5x faster than bicubic on a page, and Tesseract reads both alike
    out = image.rotate(-angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    # PIL rotates counter-clockwise by its argument about the centre. A point p of the
    # rotated image maps back to the source by rotating it about the centres by +angle.
    t = math.radians(-angle)
    cos, sin = math.cos(t), math.sin(t)
    cx, cy = w / 2.0, h / 2.0
    ox, oy = out.width / 2.0, out.height / 2.0
    # forward (PIL, y down, counter-clockwise by t): x' = cos·dx + sin·dy, y' = -sin·dx + cos·dy
    # inverse: dx = cos·x' - sin·y', dy = sin·x' + cos·y'
    ra, rb, rc = cos, -sin, cx - cos * ox + sin * oy
    rd, re, rf = sin, cos, cy - sin * ox - cos * oy
    a, b, c, d, e, f = affine  # rotated-input pixel → source pixel
    composed = (a * ra + b * rd, a * rb + b * re, a * rc + b * rf + c,
                d * ra + e * rd, d * rb + e * re, d * rc + e * rf + f)
    return out, composed


# --- columns ------------------------------------------------------------------------------

COLUMNS_VERSION = "1"  # bump when single_column decides otherwise
COLUMN_DPI = 50.0  # resolution at which the gutter between columns is looked for
GUTTER_MM = 4.5  # a white stretch at least this wide down a band of text is a gutter
BAND_IN = 1.5  # height of the bands the page is cut into, inches


def single_column(image: Image.Image, dpi: float) -> bool:
    """Whether the page's text is one column.

    On a ~50 dpi binarised copy cut into bands ~1.5 in high, a band has a gutter when a
    stretch of pixel columns at least :data:`GUTTER_MM` wide in the middle third of the text
    width carries no ink (one stray pixel allowed). Headings and footers across the page
    fill the gutter only in their own bands, so the page is multi-column when half of its
    inked bands have a gutter. Word spaces line up over a band only rarely, and are
    narrower.
    """
    factor = max(1, int(dpi / COLUMN_DPI))
    small = image.reduce(factor) if factor > 1 else image
    small_dpi = dpi / factor
    a = np.asarray(small)
    ink = a < min(otsu(a), 200)
    cols = ink.sum(axis=0)
    inked = np.nonzero(cols > 0)[0]
    if len(inked) < 10:
        return True
    left, right = int(np.percentile(inked, 2)), int(np.percentile(inked, 98))
    width = right - left
    if width < 20:
        return True
    need = max(2, int(round(GUTTER_MM / 25.4 * small_dpi)))
    band = max(8, int(BAND_IN * small_dpi))
    with_gutter = bands = 0
    for top in range(0, ink.shape[0] - band // 2, band):
        part = ink[top:top + band, left:right + 1]
        if part.sum() < band * 4:
            continue  # (nearly) blank band
        bands += 1
        middle = part[:, width // 3: width - width // 3 + 1].sum(axis=0) <= 1
        run = best = 0
        for v in middle:
            run = run + 1 if v else 0
            best = max(best, run)
        with_gutter += best >= need
    return bands == 0 or with_gutter * 2 < bands
