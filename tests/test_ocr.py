"""indexer.extract.ocr with the real Tesseract on Vietnamese pages the tests render.

Thresholds were measured on these pages (Tesseract 5.3, Debian's vie): clean and skewed pages
read at 0-0.6 % CER, unevenly lit and degraded ones at 0.1-0.7 %; the limits below leave a
margin of 3-4x for other font versions and machines.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from archive.errors import MissingDependency, OcrFailure
from archive.models import OcrSettings, PageResult, PageTask
from archive.vntext import nfc
from indexer.extract import ocr
from tests.pages import (
    HEADLINE,
    PARAGRAPHS,
    degrade,
    fake_tesseract,
    render_text_page,
    rotate,
    rotate_point,
    save_png,
    uneven_light,
)

PLAIN = (("deskew", "0"), ("denoise", "0"), ("flatten", "0"), ("stretch", "0"))


def cer(truth: str, got: str) -> float:
    """Character error rate, NFC, white space collapsed."""
    a, b = " ".join(nfc(truth).split()), " ".join(nfc(got).split())
    return Levenshtein.distance(a, b) / max(len(a), 1)


def run(path: Path, extra: tuple[tuple[str, str], ...] = (), **kw) -> PageResult:
    settings = OcrSettings(extra=extra, **kw)
    return ocr.ocr_page(PageTask("t-1990-01/1", str(path), "images", 0, "sha", settings=settings))


@pytest.fixture(autouse=True)
def _fresh_engine_info():
    ocr._tesseract_info.cache_clear()
    ocr._library_usable.cache_clear()
    yield
    ocr._tesseract_info.cache_clear()
    ocr._library_usable.cache_clear()


def use_program(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Read with the ``tesseract`` program (the fault-injection seam), the fake one in
    ``folder`` first on PATH; the library, in process, would not run it."""
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(ocr, "_engine_mode", "command")


@pytest.mark.parametrize("dpi,font", [(300, "serif"), (200, "sans")])
def test_clean_page_text_matches_what_was_drawn(tmp_path: Path, dpi: int, font: str) -> None:
    image, drawn = render_text_page(PARAGRAPHS[:3], dpi=dpi, font=font, headline=HEADLINE)
    result = run(save_png(image, tmp_path / "p.png"))
    assert result.method == "ocr" and not result.failed
    assert cer(drawn.text, result.text) < 0.02, result.text
    assert result.text == nfc(result.text)
    assert not any(unicodedata.combining(ch) for ch in result.text)
    assert 80 <= result.confidence <= 100
    assert all(0 <= w.conf <= 100 for w in result.words)
    assert result.engine == "tesseract" and result.engine_version.startswith("tesseract 5")
    assert result.settings_key == ocr.settings_key(OcrSettings())
    assert (result.width_px, result.height_px) == image.size
    # the text is rebuilt from the words: same words, same order
    assert result.text.split() == [w.text for w in result.words]
    # one line of text per drawn line, in order
    drawn_lines = [line for line in drawn.text.splitlines() if line.strip()]
    got_lines = [line for line in result.text.splitlines() if line.strip()]
    assert len(got_lines) == len(drawn_lines)
    # lines and blocks numbered in reading order
    assert [w.line for w in result.words] == sorted(w.line for w in result.words)
    assert [w.block for w in result.words] == sorted(w.block for w in result.words)
    assert result.words[0].line == 1 and result.words[0].block == 1


def _deskew(note: str) -> float:
    """The deskew angle recorded in a result's note ("prep: ...,deskew:1.95")."""
    m = re.search(r"deskew:(-?[0-9.]+)", note)
    assert m, note
    return float(m.group(1))


def _centre_inside(box: tuple[float, ...], pixel_box: tuple[float, ...], size: tuple[int, int],
                   slack: float = 4) -> bool:
    cx, cy = (box[0] + box[2]) / 2 * size[0], (box[1] + box[3]) / 2 * size[1]
    x0, y0, x1, y1 = pixel_box
    return x0 - slack <= cx <= x1 + slack and y0 - slack <= cy <= y1 + slack


def _unique_pairs(drawn_words, ocr_words):  # type: ignore[no-untyped-def]
    counts_d: dict[str, int] = {}
    for text, _ in drawn_words:
        counts_d[text] = counts_d.get(text, 0) + 1
    counts_o: dict[str, int] = {}
    for w in ocr_words:
        counts_o[w.text] = counts_o.get(w.text, 0) + 1
    by_text = {w.text: w for w in ocr_words}
    return [(box, by_text[t]) for t, box in drawn_words
            if counts_d[t] == 1 and counts_o.get(t) == 1 and len(t) > 2]


def test_word_boxes_lie_over_the_drawn_words(tmp_path: Path) -> None:
    image, drawn = render_text_page(PARAGRAPHS[:2], dpi=300)
    result = run(save_png(image, tmp_path / "p.png"))
    pairs = _unique_pairs(drawn.words, result.words)
    texts = [t for t, _ in drawn.words]
    unique = [t for t in texts if texts.count(t) == 1 and len(t) > 2]
    assert len(pairs) >= 0.8 * len(unique)
    for pixel_box, word in pairs:
        assert _centre_inside(word.box, pixel_box, image.size), (word, pixel_box)
        assert 0 <= word.box[0] < word.box[2] <= 1 and 0 <= word.box[1] < word.box[3] <= 1
    # size: the line's height in points, near the 11 pt the text was set in
    sizes = sorted(w.size for w in result.words)
    assert 8.0 <= sizes[len(sizes) // 2] <= 16.0


def test_skewed_page_is_deskewed_and_boxes_fit_the_skewed_scan(tmp_path: Path) -> None:
    image, drawn = render_text_page(PARAGRAPHS[:2], dpi=300)
    skewed = rotate(image, 2.0)
    result = run(save_png(skewed, tmp_path / "skew.png"))
    assert abs(_deskew(result.note) - 2.0) <= 0.15
    assert cer(drawn.text, result.text) < 0.02
    pairs = _unique_pairs(drawn.words, result.words)
    assert len(pairs) > 10
    for (x0, y0, x1, y1), word in pairs:
        cx, cy = rotate_point((x0 + x1) / 2, (y0 + y1) / 2, image.size, 2.0, skewed.size)
        wx = (word.box[0] + word.box[2]) / 2 * skewed.width
        wy = (word.box[1] + word.box[3]) / 2 * skewed.height
        assert abs(wx - cx) < 12 and abs(wy - cy) < 12, word


def test_uneven_light_is_read_after_flattening(tmp_path: Path) -> None:
    image, drawn = render_text_page(PARAGRAPHS[:3], dpi=300, font="sans")
    path = save_png(uneven_light(image, strength=0.6, shadow=0.4), tmp_path / "photo.png")
    ours = run(path)
    plain = run(path, PLAIN)
    assert "flatten" in ours.note and "thresholding_method=2" in ours.note
    assert cer(drawn.text, ours.text) < 0.03
    assert cer(drawn.text, plain.text) > 3 * cer(drawn.text, ours.text)


def test_degraded_old_copy(tmp_path: Path) -> None:
    image, drawn = render_text_page(PARAGRAPHS[:3], dpi=200, font="mono", size_pt=11)
    path = save_png(degrade(rotate(image, -1.5), noise=12, speckles=300), tmp_path / "old.png")
    result = run(path)
    assert "denoise" in result.note and abs(_deskew(result.note) + 1.5) <= 0.15
    assert cer(drawn.text, result.text) < 0.03


def test_parse_tsv_builds_text_and_drops_structure_rows() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "1\t1\t0\t0\t0\t0\t0\t0\t1000\t1000\t-1\t",
        "2\t1\t1\t0\t0\t0\t10\t10\t500\t100\t-1\t",
        "3\t1\t1\t1\t0\t0\t10\t10\t500\t100\t-1\t",
        "4\t1\t1\t1\t1\t0\t10\t10\t500\t40\t-1\t",
        "5\t1\t1\t1\t1\t1\t10\t10\t100\t40\t96.5\tChi",
        "5\t1\t1\t1\t1\t2\t120\t10\t100\t40\t91\tbo\u0323\u0302",  # decomposed: bộ
        "5\t1\t1\t1\t1\t3\t230\t10\t10\t40\t95\t ",
        "4\t1\t1\t1\t2\t0\t10\t60\t500\t44\t-1\t",
        "5\t1\t1\t1\t2\t1\t10\t60\t100\t44\t88\t\u0301Đảng",  # a stray mark
        "3\t1\t1\t2\t0\t0\t10\t120\t500\t40\t-1\t",
        "4\t1\t1\t2\t1\t0\t10\t120\t500\t40\t-1\t",
        "5\t1\t1\t2\t1\t1\t10\t120\t100\t40\t-1\tgarbage",  # rejected by Tesseract
        "5\t1\t1\t2\t1\t2\t120\t120\t100\t40\t70\tviên",
    ]
    rec = ocr.parse_tsv("\n".join([header, *rows]))
    assert rec.text == "Chi bộ\nĐảng\n\nviên"
    assert [w.text for w in rec.words] == ["Chi", "bộ", "Đảng", "viên"]
    assert [(w.block, w.line) for w in rec.words] == [(1, 1), (1, 1), (1, 2), (2, 3)]
    assert rec.words[2].line_height == 44 and rec.words[1].box == (120, 10, 220, 50)
    assert rec.confidence == round((96.5 + 91 + 88 + 70) / 4, 2)


def test_settings_key_names_version_and_every_option() -> None:
    key = ocr.settings_key(OcrSettings())
    assert key.startswith("tesseract 5")
    for part in ("lang=vie", "dpi=300", "psm=3", "oem=1", "thresholding_method=auto",
                 "textord_heavy_nr=auto", "fixes=", "prep=v", "marks="):
        assert part in key
    assert ocr.settings_key(OcrSettings(extra=(("psm", "6"),))) != key
    assert ocr.settings_key(OcrSettings(extra=(("deskew", "0"),))) != key
    assert ocr.settings_key(OcrSettings(extra=(("marks", "0"),))) != key
    assert ocr.settings_key(OcrSettings(timeout=5)) == key  # a timeout does not change text


def test_one_tesseract_run_per_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "calls.log"
    folder = fake_tesseract(tmp_path / "bin", f'echo "$1" >> "{log}"; exec "$REAL" "$@"')
    use_program(monkeypatch, folder)
    image, drawn = render_text_page(PARAGRAPHS[:1], dpi=200)
    result = run(save_png(image, tmp_path / "p.png"))
    assert cer(drawn.text, result.text) < 0.03
    assert len(log.read_text().splitlines()) == 1


def test_a_doubtful_sauvola_read_is_read_again_with_otsu(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Sauvola, chosen for uneven light, can turn a photo into grain (one sample photo: 60 %
    CER at confidence 84, where Otsu read 1.4 %). Here the Sauvola run is made to read a
    page of speckles: the page is read again with Otsu and that read is kept."""
    import random

    from PIL import Image, ImageDraw

    image, drawn = render_text_page(PARAGRAPHS[:2], dpi=300, font="sans")
    path = save_png(uneven_light(image, strength=0.6, shadow=0.4), tmp_path / "photo.png")
    grain = Image.new("L", image.size, 255)
    draw, rng = ImageDraw.Draw(grain), random.Random(5)
    for _ in range(4000):
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        draw.rectangle((x, y, x + rng.randrange(2, 14), y + rng.randrange(2, 9)), fill=0)
    grain_path = save_png(grain, tmp_path / "grain.png")
    log = tmp_path / "calls.log"
    folder = fake_tesseract(tmp_path / "bin", f"""
for a in "$@"; do case "$a" in thresholding_method=2) echo sauvola >> "{log}"; shift;
  exec "$REAL" "{grain_path}" "$@";; esac; done
echo otsu >> "{log}"; exec "$REAL" "$@" """)
    use_program(monkeypatch, folder)
    result = run(path)
    assert log.read_text().split() == ["sauvola", "otsu"]
    assert "thresholding_method" not in result.note.split("prep: ")[1]  # Otsu (0) kept
    assert cer(drawn.text, result.text) < 0.05


def test_hung_tesseract_times_out_naming_the_page(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = fake_tesseract(tmp_path / "bin", "exec sleep 60")
    use_program(monkeypatch, folder)
    image, _ = render_text_page(PARAGRAPHS[:1], dpi=150)
    path = save_png(image, tmp_path / "p.png")
    with pytest.raises(OcrFailure) as info:
        run(path, timeout=1)
    assert str(path) in str(info.value) and "page 1" in str(info.value)
    assert "timed out after 1 s" in str(info.value)


def test_crashing_tesseract_is_an_ocr_failure(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = fake_tesseract(tmp_path / "bin", "echo 'Error in pixReadStream' >&2; exit 1")
    use_program(monkeypatch, folder)
    image, _ = render_text_page(PARAGRAPHS[:1], dpi=150)
    path = save_png(image, tmp_path / "p.png")
    with pytest.raises(OcrFailure, match="pixReadStream") as info:
        run(path)
    assert str(path) in str(info.value)


def test_missing_tesseract_says_what_to_install(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract here
    with pytest.raises(MissingDependency, match="tesseract-ocr-vie"):
        ocr.settings_key(OcrSettings())


def test_missing_language_names_its_package() -> None:
    with pytest.raises(MissingDependency, match="tesseract-ocr-khm"):
        ocr.settings_key(OcrSettings(lang="vie+khm"))


def test_each_page_condition_is_read_with_its_own_model_and_psm(tmp_path: Path) -> None:
    """A clean page: vie, psm 3; a noisy one-column copy: vie+Vietnamese, psm 4 (both in
    the note); the choice table is in the settings key."""
    image, drawn = render_text_page(PARAGRAPHS[:2], dpi=200, font="mono")
    clean = run(save_png(image, tmp_path / "clean.png"))
    assert "condition=clean" in clean.note and "lang=vie," in clean.note
    copy = run(save_png(degrade(image, noise=8.0), tmp_path / "copy.png"))
    assert "condition=copy" in copy.note, copy.note
    assert "lang=vie+Vietnamese" in copy.note and "psm=4" in copy.note, copy.note
    assert cer(drawn.text, copy.text) < 0.05, copy.text
    key = ocr.settings_key(OcrSettings())
    assert "copy:vie+Vietnamese/psm3/1col-psm4" in key and "corrector=" in key
    # a configured language reads every page the same way
    fixed = run(save_png(degrade(image, noise=8.0), tmp_path / "fixed.png"),
                extra=(("profile", "fixed"),))
    assert "lang=vie," in fixed.note and "psm=3" in fixed.note
