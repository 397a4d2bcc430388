"""Tesseract's library in process (indexer.extract.tesslib, ocr.TesseractLibrary) reads what
the ``tesseract`` program reads, page after page, and keeps its time limit.

The real library and the real program, on pages the tests render: a clean page, a noisy
photocopy (the ``copy`` condition: two models, heavy noise reduction, psm 4) and a page in
uneven light (Sauvola). The settings key is the same for both engines, so it must be the
same reading, word for word, box for box."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from archive.config import load_config
from archive.errors import ConfigError, OcrFailure
from archive.models import OcrSettings, PageTask
from indexer.extract import ocr, tesslib
from tests.pages import PARAGRAPHS, degrade, render_text_page, save_png, uneven_light

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tesslib")
    clean, _ = render_text_page(PARAGRAPHS[:2], dpi=300, font="serif")
    copy, _ = render_text_page(PARAGRAPHS[:2], dpi=200, font="mono")
    lit, _ = render_text_page(PARAGRAPHS[:2], dpi=300, font="sans")
    return {"clean": save_png(clean, folder / "clean.png"),
            "copy": save_png(degrade(copy, noise=8.0), folder / "copy.png"),
            "photo": save_png(uneven_light(lit, strength=0.6, shadow=0.4), folder / "photo.png")}


def read(path: Path, engine: ocr.OcrEngine, **kw: float) -> tuple[object, ...]:
    task = PageTask("t-1990-01/1", str(path), "images", 0, "sha", settings=OcrSettings(**kw))
    result = ocr.ocr_page(task, engine=engine)
    return result.text, result.words, result.confidence, result.note, result.settings_key


def test_the_library_reads_what_the_program_reads(pages: dict[str, Path]) -> None:
    """Word for word, box for box, confidence for confidence, on each page condition, and
    again in another order (nothing carries over from one page to the next in a reader)."""
    program, library = ocr.TesseractEngine(), ocr.TesseractLibrary()
    conditions = set()
    for name in ("clean", "copy", "photo", "clean"):
        by_program = read(pages[name], program)
        by_library = read(pages[name], library)
        assert by_library == by_program, name
        conditions.add(str(by_library[3]).split("condition=")[1].split(",")[0])
        assert len(by_library[1]) > 40  # type: ignore[arg-type]
    assert conditions == {"clean", "copy", "photo"}  # the three readings were really compared


def test_a_reader_returns_tesseracts_tsv(pages: dict[str, Path]) -> None:
    image = Image.open(pages["clean"]).convert("L")
    tsv = tesslib.reader("vie", 1).read_tsv(image.tobytes(), image.width, image.height, 300, 3,
                                            {"thresholding_method": "0"})
    rows = [r.split("\t") for r in tsv.splitlines()]
    assert all(len(r) == 12 for r in rows) and rows[0][0] == "1"  # the page row comes first
    words = [r[11] for r in rows if r[0] == "5"]
    assert "sinh" in words or "Chi" in words, words[:20]
    with pytest.raises(tesslib.ReadFailed, match="not 10x10 grey"):
        tesslib.reader("vie", 1).read_tsv(b"\x00" * 5, 10, 10, 300, 3, {})
    with pytest.raises(tesslib.ReadFailed, match="no parameter 'no_such_parameter'"):
        tesslib.reader("vie", 1).read_tsv(image.tobytes(), image.width, image.height, 300, 3,
                                          {"no_such_parameter": "1"})


def test_the_page_time_limit_holds_in_process(pages: dict[str, Path]) -> None:
    """A page that takes longer than ``ocr_timeout`` fails naming the page, as with the
    program (Tesseract's own deadline: there is no process to kill)."""
    big = Image.open(pages["copy"]).convert("L")
    tall = Image.new("L", (big.width, big.height * 4), 255)
    for i in range(4):
        tall.paste(big, (0, i * big.height))
    path = save_png(tall, pages["copy"].parent / "tall.png")
    task = PageTask("t-1990-01/1", str(path), "images", 0, "sha",
                    settings=OcrSettings(timeout=0.001))
    with pytest.raises(OcrFailure, match="timed out after 0.001 s") as info:
        ocr.ocr_page(task, engine=ocr.TesseractLibrary())
    assert str(path) in str(info.value)


def test_the_engine_follows_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "_engine_mode", "library")
    assert type(ocr.get_engine()) is ocr.TesseractLibrary
    ocr.set_engine_mode("command")
    assert type(ocr.get_engine()) is ocr.TesseractEngine
    with pytest.raises(ConfigError, match="ocr_engine"):
        ocr.set_engine_mode("gpu")
    monkeypatch.setenv("BANTIN_OCR_ENGINE", "cloud")
    with pytest.raises(ConfigError, match="BANTIN_OCR_ENGINE.*'library', 'command'"):
        load_config(tmp_path)
    monkeypatch.setenv("BANTIN_OCR_ENGINE", "command")
    assert load_config(tmp_path).ocr_engine == "command"


def test_no_tesseract_chatter_on_stderr(pages: dict[str, Path]) -> None:
    """The Vietnamese model prints "Detected N diacritics" on every page it reads; in process
    that would land between the pipeline's own lines. Nor a "LEAK!" warning at exit."""
    code = ("import sys; from indexer.extract import ocr; from archive.models import *; "
            "t = PageTask('t-1990-01/1', sys.argv[1], 'images', 0, 'sha'); "
            "r = ocr.ocr_page(t, engine=ocr.TesseractLibrary()); print(len(r.words), r.note)")
    out = subprocess.run([sys.executable, "-c", code, str(pages["copy"])], cwd=REPO,
                         capture_output=True, text=True, timeout=300, check=True)
    assert int(out.stdout.split()[0]) > 40
    assert "lang=vie+Vietnamese" in out.stdout  # the model that says "Detected …" was read
    assert out.stderr == "", out.stderr
