"""Scan degradations: what paper, copiers, scanners and phones do to a clean page image.

Three kinds of scan (``IssuePlan.source``), each a function of a clean grayscale page (white
paper, black ink, rendered at the kind's dpi) and a seeded ``numpy`` generator, so the same
seed gives the same pixels:

``scan-old`` (1989 – 1990s stencils and photocopies, scanned at 200 dpi)
    Typewriter face (chosen by the layout), each word struck a little lighter or darker
    (the renderer's ``ink``), ink fading in patches (a smooth field, 0.6–1.05), grainy
    strokes, yellowed uneven paper (gray 206–236), toner speckles, a darker copier edge,
    blur σ≈0.7 px, Gaussian noise σ≈7, skew 0.4–2°.
``scan-300`` (a flatbed scan of a printed page at 300 dpi)
    Off-white paper, slight blur, light noise σ≈3, skew under 0.6°.
``scan-photo`` (a phone photo of a page on a table)
    Keystone and a small rotation (the page's corners moved by a perspective transform,
    the table visible around it), light falling off across the page (a gradient down to
    0.55–0.75 and a vignette), a soft-edged shadow over one side (×0.55–0.7), camera
    softness, sensor noise; saved as JPEG by the writer, without dpi metadata, as phones do.

Calibration (``tesseract -l vie --psm 3``, Tesseract 5.3, no preprocessing, 8 pages of each
kind of the full sample): CER 0.5 % on ``scan-300`` (target after preprocessing ≤ 1 %),
6.2 % on ``scan-old`` (2.4–12 % per page; target ≤ 5 %), 18 % on ``scan-photo`` (2–50 % per
page, worst where the shadow and the far edge meet; target ≤ 3 %): the difficulty issue 2
describes for plain Tesseract (about 7 % on old scans, 8–25 % on photos). Tesseract's Sauvola
thresholding alone brings photos to 10 % (and makes old JPEG scans worse: noise first); a
crude illumination flattening (divide by a blurred, max-filtered background) brings the
three worst photo pages from 18–50 % to 1.3–4.7 %: the targets are reachable.
Noise is drawn as a repeated 509-px tile (five times cheaper than a full-page draw), so
``--size full`` renders its ~150 scanned pages in about a minute of CPU.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SCAN_DPI = {"scan-old": 200, "scan-300": 300, "scan-photo": 300}


def smooth_field(rng: np.random.Generator, shape: tuple[int, int], cells: tuple[int, int],
                 lo: float, hi: float) -> np.ndarray:
    """A smooth random field in [lo, hi] of ``shape`` (h, w): random values on a coarse grid
    of ``cells`` (rows, cols) interpolated bicubically."""
    coarse = rng.random((cells[0], cells[1])).astype(np.float32)
    img = Image.fromarray(coarse, mode="F").resize((shape[1], shape[0]), Image.Resampling.BICUBIC)
    field = np.asarray(img, dtype=np.float32)
    field = (field - field.min()) / max(1e-6, float(field.max() - field.min()))
    return lo + (hi - lo) * field


def _to_image(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(a + 0.5, 0, 255).astype(np.uint8), mode="L")


_TILE = 509  # noise tile side, pixels (prime, so the repeat does not line up with text)


def _noise(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    """Gaussian noise of ``sigma`` gray levels: a random tile repeated from a random offset
    (a full-page draw costs 5× more; a 509-px period is invisible and harmless to OCR)."""
    tile = rng.standard_normal((_TILE, _TILE), dtype=np.float32) * sigma
    dy, dx = (int(v) for v in rng.integers(0, _TILE, 2))
    reps = (shape[0] // _TILE + 2, shape[1] // _TILE + 2)
    return np.tile(tile, reps)[dy:dy + shape[0], dx:dx + shape[1]]


def _skew(img: Image.Image, degrees: float, fill: int) -> Image.Image:
    return img.rotate(degrees, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=fill)


def scan_300(clean: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A flatbed scan at 300 dpi: off-white paper, slight blur and noise, small skew."""
    paper = float(rng.uniform(232, 246))
    ink = float(rng.uniform(18, 40))
    a = np.asarray(clean.filter(ImageFilter.GaussianBlur(0.6)), dtype=np.float32) / 255.0
    a = ink + (paper - ink) * a
    img = _skew(_to_image(a), float(rng.uniform(0.15, 0.6) * rng.choice((-1, 1))), round(paper))
    a = np.asarray(img, dtype=np.float32) + _noise(rng, (img.height, img.width), 3.0)
    return _to_image(a)


def scan_old(clean: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A 200-dpi scan of an old stencil or photocopy: faded patches, grain, yellowed paper,
    toner speckles, a dark copier edge, blur, noise, skew up to 2°."""
    h, w = clean.height, clean.width
    dark = 1.0 - np.asarray(clean, dtype=np.float32) / 255.0
    dark *= smooth_field(rng, (h, w), (14, 10), 0.6, 1.05)  # ink fading in patches
    grain = np.asarray(_to_image(128.0 + _noise(rng, (h, w), 70.0))
                       .filter(ImageFilter.GaussianBlur(0.9)), dtype=np.float32) / 255.0
    dark *= 0.7 + 0.6 * grain  # uneven strokes
    dark = np.clip(dark, 0.0, 1.0)
    speck = np.zeros((h, w), dtype=np.float32)
    n = int(rng.integers(250, 700))
    ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
    speck[ys, xs] = rng.uniform(0.5, 1.0, n).astype(np.float32)
    speck = np.asarray(_to_image(speck * 255).filter(ImageFilter.MaxFilter(3)), dtype=np.float32) / 255.0
    dark = np.maximum(dark, speck)
    paper = smooth_field(rng, (h, w), (6, 5), float(rng.uniform(206, 222)), float(rng.uniform(224, 236)))
    edge = np.ones((h, w), dtype=np.float32)
    side = int(rng.integers(0, 4))
    ramp = np.clip(np.linspace(0.0, 1.0, 90, dtype=np.float32), 0, 1) ** 0.5 * 0.35 + 0.65
    if side == 0:
        edge[:, :90] *= ramp[None, :]
    elif side == 1:
        edge[:, -90:] *= ramp[None, ::-1]
    elif side == 2:
        edge[:90, :] *= ramp[:, None]
    else:
        edge[-90:, :] *= ramp[::-1, None]
    ink = float(rng.uniform(25, 50))
    a = (paper - (paper - ink) * dark) * edge
    img = _to_image(a).filter(ImageFilter.GaussianBlur(0.7))
    angle = float(rng.uniform(0.4, 2.0) * rng.choice((-1, 1)))
    img = _skew(img, angle, round(float(paper.mean()) * 0.9))
    a = np.asarray(img, dtype=np.float32) + _noise(rng, (h, w), 7.0)
    return _to_image(a)


def _perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    """Coefficients for PIL's PERSPECTIVE transform mapping output points ``dst`` to input
    points ``src`` (four pairs)."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return list(np.linalg.solve(np.array(rows, dtype=np.float64), np.array(rhs, dtype=np.float64)))


def scan_photo(clean: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A phone photo of the page on a table: keystone, rotation, falling light, a soft
    shadow, camera softness and noise. The output is larger than the page (the table shows)."""
    pw, ph = clean.width, clean.height
    paper = float(rng.uniform(225, 242))
    page = np.asarray(clean, dtype=np.float32) / 255.0
    page_img = _to_image(20 + (paper - 20) * page)
    ow, oh = round(pw * 1.1), round(ph * 1.08)
    # Where the page's corners land: inset, with the top edge narrower (camera tilted).
    mx, my = (ow - pw) / 2, (oh - ph) / 2
    squeeze = float(rng.uniform(0.03, 0.08)) * pw
    jitter = lambda s: float(rng.uniform(-s, s))  # noqa: E731
    corners = [(mx + squeeze + jitter(12), my + jitter(12)),
               (ow - mx - squeeze + jitter(12), my + jitter(12)),
               (ow - mx + jitter(12), oh - my + jitter(12)),
               (mx + jitter(12), oh - my + jitter(12))]
    angle = np.radians(float(rng.uniform(-1.5, 1.5)))
    cx, cy = ow / 2, oh / 2
    corners = [(cx + (x - cx) * np.cos(angle) - (y - cy) * np.sin(angle),
                cy + (x - cx) * np.sin(angle) + (y - cy) * np.cos(angle)) for x, y in corners]
    coeffs = _perspective_coeffs(corners, [(0, 0), (pw, 0), (pw, ph), (0, ph)])
    warped = page_img.transform((ow, oh), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR,
                                fillcolor=0)
    mask = Image.new("L", (pw, ph), 255).transform((ow, oh), Image.Transform.PERSPECTIVE, coeffs,
                                                   Image.Resampling.BILINEAR, fillcolor=0)
    table = smooth_field(rng, (oh, ow), (5, 5), float(rng.uniform(60, 90)), float(rng.uniform(100, 140)))
    m = np.asarray(mask, dtype=np.float32) / 255.0
    a = np.asarray(warped, dtype=np.float32) * m + table * (1 - m)
    a *= _photo_light(rng, ow, oh)
    img = _to_image(a).filter(ImageFilter.GaussianBlur(float(rng.uniform(0.6, 1.0))))
    a = np.asarray(img, dtype=np.float32) + _noise(rng, (oh, ow), 4.0)
    return _to_image(a)


def _photo_light(rng: np.random.Generator, ow: int, oh: int) -> np.ndarray:
    """Light over the photo (multiplier, 0..1): falling off across the page in a random
    direction, a vignette, and a soft shadow over part of one side. Computed at 1/8 scale
    (light is smooth) and enlarged."""
    w, h = max(2, ow // 8), max(2, oh // 8)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    theta = float(rng.uniform(0, 2 * np.pi))
    t = (xx / w - 0.5) * np.cos(theta) + (yy / h - 0.5) * np.sin(theta)
    low = float(rng.uniform(0.55, 0.75))
    light = 1.0 - (1.0 - low) * (t - t.min()) / (t.max() - t.min())
    light *= 1.0 - 0.2 * ((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) / 0.5
    shadow = Image.new("L", (w, h), 0)
    sx = float(rng.uniform(0.6, 0.8)) * w
    poly = [(sx, 0.0), (float(w), 0.0), (float(w), float(h)), (sx + float(rng.uniform(-0.3, 0.05)) * w, float(h))]
    if rng.random() < 0.5:
        poly = [(w - x, y) for x, y in poly]
    ImageDraw.Draw(shadow).polygon(poly, fill=255)
    shadow = shadow.filter(ImageFilter.GaussianBlur(float(rng.uniform(2.0, 5.0))))
    light *= 1.0 - float(rng.uniform(0.3, 0.45)) * np.asarray(shadow, dtype=np.float32) / 255.0
    return np.asarray(Image.fromarray(light.astype(np.float32), mode="F")
                      .resize((ow, oh), Image.Resampling.BILINEAR), dtype=np.float32)


DEGRADE = {"scan-old": scan_old, "scan-300": scan_300, "scan-photo": scan_photo}


def degrade(clean: Image.Image, source: str, rng: np.random.Generator) -> Image.Image:
    """The page as a scan of kind ``source`` (a key of :data:`DEGRADE`)."""
    return DEGRADE[source](clean, rng)
