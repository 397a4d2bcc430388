"""indexer.extract.preprocess on pages rendered by tests/pages.py: skew found, light flattened,
contrast stretched, and boxes mapped back onto the source page."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from indexer.extract import preprocess
from tests.pages import PARAGRAPHS as PARAGRAPHS_ALL
from tests.pages import degrade, render_text_page, rotate, rotate_point, uneven_light


@pytest.fixture(scope="module")
def page() -> tuple[Image.Image, object]:
    return render_text_page(dpi=300, width_in=5.5)


@pytest.mark.parametrize("degrees", [0.0, 0.8, -1.7, 3.0, -4.5])
def test_find_skew_recovers_the_angle(page, degrees: float) -> None:
    image, _ = page
    skewed = rotate(image, degrees) if degrees else image
    found = preprocess.find_skew(skewed, 300)
    assert abs(found - degrees) <= 0.15, (degrees, found)


def test_find_skew_on_a_blank_page_is_zero() -> None:
    assert preprocess.find_skew(Image.new("L", (800, 1000), 250), 300) == 0.0


def test_deskewed_boxes_map_back_onto_the_skewed_source(page) -> None:
    image, drawn = page
    skewed = rotate(image, 2.0)
    prepared = preprocess.prepare(skewed, 300)
    assert any(s.startswith("deskew:") for s in prepared.steps)
    # a drawn word's box, carried through the skew and then the deskew, maps back to where
    # the word lies on the skewed source
    word, (x0, y0, x1, y1) = drawn.words[5]
    src = [rotate_point(x, y, image.size, 2.0, skewed.size) for x, y in ((x0, y0), (x1, y1))]
    cx_src = (src[0][0] + src[1][0]) / 2 / skewed.width
    cy_src = (src[0][1] + src[1][1]) / 2 / skewed.height
    # where the word is in the prepared image: rotate the source point back by -skew
    px, py = rotate_point((src[0][0] + src[1][0]) / 2, (src[0][1] + src[1][1]) / 2,
                          skewed.size, -prepared.skew, prepared.image.size)
    bx0, by0, bx1, by1 = prepared.to_source((px - 2, py - 2, px + 2, py + 2))
    assert abs((bx0 + bx1) / 2 - cx_src) < 0.004 and abs((by0 + by1) / 2 - cy_src) < 0.004, word


def test_prepared_image_keeps_the_text_where_the_map_says(page) -> None:
    image, drawn = page
    skewed = rotate(image, -2.5)
    prepared = preprocess.prepare(skewed, 300)
    a = np.asarray(prepared.image)
    # every drawn word is dark in the prepared image at the place the inverse map predicts
    for word, (x0, y0, x1, y1) in drawn.words[::7]:
        sx, sy = rotate_point((x0 + x1) / 2, (y0 + y1) / 2, image.size, -2.5, skewed.size)
        px, py = rotate_point(sx, sy, skewed.size, -prepared.skew, prepared.image.size)
        window = a[int(py) - 15: int(py) + 15, int(px) - 15: int(px) + 15]
        assert window.min() < 100, word


def test_flatten_evens_out_a_phone_photo(page) -> None:
    image, _ = page
    photo = uneven_light(image, strength=0.6, shadow=0.4)
    flat, spread = preprocess.flatten(photo, 300)
    assert spread > 60  # the photo's paper ranges over a wide band of grey
    _, spread_after = preprocess.flatten(flat, 300)
    assert spread_after < 15

    def paper_range(im: Image.Image) -> float:
        a = np.asarray(im, dtype=np.float32)
        paper = a[a > preprocess.otsu(a.astype(np.uint8))]
        return float(np.percentile(paper, 95) - np.percentile(paper, 5))

    assert paper_range(flat) < paper_range(photo) / 3


def test_flatten_keeps_the_ink(page) -> None:
    image, _ = page
    flat, spread = preprocess.flatten(image, 300)
    assert spread < 10
    a, b = np.asarray(image, dtype=int), np.asarray(flat, dtype=int)
    ink = a < 100
    assert b[ink].mean() < 80  # text stays dark
    assert b[~ink].mean() > 240  # paper stays light


def test_only_an_unevenly_lit_or_noisy_page_is_divided_by_its_background(page) -> None:
    image, _ = page
    clean = preprocess.prepare(image, 300)  # a clean scan: measured, not divided
    assert "flatten" not in clean.steps and clean.meta["background_spread"] < preprocess.EVEN_LIGHT
    photo = preprocess.prepare(uneven_light(image, strength=0.6, shadow=0.4), 300)
    assert "flatten" in photo.steps and photo.meta["background_spread"] > 60
    noisy = preprocess.prepare(degrade(image, noise=5.0), 300)  # grain: flattened as before
    assert noisy.meta["noise"] >= preprocess.QUIET_NOISE and "flatten" in noisy.steps
    # the clean page comes out as the full flatten would have made it, near enough
    full = preprocess.stretch(preprocess.flatten(image, 300)[0])
    a, b = np.asarray(clean.image, dtype=int), np.asarray(full, dtype=int)
    assert a.shape == b.shape and np.abs(a - b).mean() < 2.0


def test_stretch_spreads_a_grey_page() -> None:
    image, _ = render_text_page(dpi=150, ink=40, paper=170)
    out = np.asarray(preprocess.stretch(image))
    assert out.min() == 0 and np.percentile(out, 90) == 255


def test_stretch_gains_at_most_what_ink_allows() -> None:
    faded, _ = render_text_page(dpi=150, ink=110, paper=170)
    out = np.asarray(preprocess.stretch(faded))
    assert np.percentile(out, 90) == 255 and out.min() < 110  # paper white, ink darker
    # a blank, noisy page: the noise is not blown up to full contrast
    rng = np.random.default_rng(0)
    blank = Image.fromarray(np.clip(rng.normal(235, 6, (600, 500)), 0, 255).astype(np.uint8))
    before = float(np.asarray(blank, dtype=float).std())
    after = float(np.asarray(preprocess.stretch(blank), dtype=float).std())
    assert after < 3.5 * before


def test_otsu_splits_two_levels() -> None:
    values = np.array([30] * 100 + [220] * 300, dtype=np.uint8)
    assert 30 <= preprocess.otsu(values) < 220


def test_600_dpi_scan_is_reduced_and_boxes_map_back() -> None:
    image, drawn = render_text_page(dpi=600, width_in=3.0)
    prepared = preprocess.prepare(image, 600)
    assert "reduce:2" in prepared.steps and prepared.dpi == 300
    assert prepared.image.width == image.width // 2
    word, (x0, y0, x1, y1) = drawn.words[3]
    box = prepared.to_source((x0 / 2, y0 / 2, x1 / 2, y1 / 2))
    assert box == pytest.approx((x0 / image.width, y0 / image.height, x1 / image.width,
                                 y1 / image.height), abs=1e-3), word


def test_upscale_maps_boxes_back(page) -> None:
    image, _ = page
    small = image.resize((image.width // 2, image.height // 2))
    prepared = preprocess.prepare(small, 150, preprocess.PrepOptions(upscale_below=250))
    assert prepared.dpi == 300 and prepared.image.width == small.width * 2
    assert prepared.to_source((0, 0, prepared.image.width, prepared.image.height)) == (0, 0, 1, 1)


def test_noise_level_and_denoise() -> None:
    image, _ = render_text_page(dpi=200)
    assert preprocess.noise_level(image) < 2
    from tests.pages import degrade

    noisy = degrade(image, noise=12, blur=0, speckles=0)
    assert preprocess.noise_level(noisy) >= preprocess.NOISY
    prepared = preprocess.prepare(noisy, 200)
    assert any(s.startswith("denoise:") for s in prepared.steps)
    assert prepared.meta["noise"] < preprocess.NOISY / 2  # what is left after the median


def test_steps_are_listed_and_keyed() -> None:
    image = Image.new("RGB", (600, 800), (240, 240, 240))
    prepared = preprocess.prepare(image, 300)
    assert prepared.steps[0] == "gray" and prepared.image.mode == "L"
    assert preprocess.PrepOptions().key() != preprocess.PrepOptions(deskew=False).key()
    assert preprocess.NONE.key() == f"v{preprocess.VERSION}"


def _two_columns(dpi: int = 200) -> Image.Image:
    """Two columns of text a quarter inch apart, as a two-column bulletin page sets them."""
    left, _ = render_text_page(PARAGRAPHS_ALL[:3], dpi=dpi, width_in=3.0, margin_in=0.1)
    right, _ = render_text_page(PARAGRAPHS_ALL[2:], dpi=dpi, width_in=3.0, margin_in=0.1)
    gutter = round(0.25 * dpi)
    page = Image.new("L", (left.width + gutter + right.width + 2 * gutter,
                           max(left.height, right.height) + 2 * gutter), 250)
    page.paste(left, (gutter, gutter))
    page.paste(right, (2 * gutter + left.width, gutter))
    page.info["dpi"] = (dpi, dpi)
    return page


def test_single_column_tells_one_column_from_two() -> None:
    one, _ = render_text_page(PARAGRAPHS_ALL * 2, dpi=200, width_in=6.0)
    assert preprocess.single_column(one, 200)
    assert not preprocess.single_column(_two_columns(200), 200)
    blank = Image.new("L", (800, 1000), 250)
    assert preprocess.single_column(blank, 200)
