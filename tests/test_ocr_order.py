"""Reading order of OCR pages (indexer.extract.ocrorder through indexer.extract.ocr).

The first test reads a rendered page with the real Tesseract: an article's last lines beside
a colophon, which Tesseract reads line by line across the narrow gutter (``order=0`` gives
"... góp ý Chịu trách nhiệm ..."). The others feed Tesseract's TSV as it comes out on the
failures seen on the sample's pages (README, "Old scans"): a contents page whose entries come
before their heading and whose page numbers are a block of their own, a colophon read before
the column above it, a column of page numbers read as one tall word. The last checks that a
home's page read before (Tesseract's order, the key without ``order``) is put in order from
its stored words by the next extract, with no new Tesseract read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from archive.catalog import Catalog
from archive.models import OcrSettings, PageTask, Word
from archive.vntext import nfc
from indexer.extract import ocr
from tests.pages import fake_tesseract, font_path, save_png

REPO = Path(__file__).resolve().parent.parent

LEFT = ("Mong bạn đọc thông cảm và tiếp tục góp ý", "cho Bản tin. Ban biên tập xin đính chính lại",
        "cho đúng và thành thật xin lỗi bạn đọc.")
RIGHT = ("Chịu trách nhiệm xuất bản: Tô Duy Hải", "In 4.900 bản, khổ 19 x 27 cm, tại Công ty",
         "Cổ phần In Vân Giang (hư cấu).")


def _side_by_side_page(dpi: int = 300, gutter: int = 60) -> Image.Image:
    """An article's last lines (10.5 pt) and a colophon (9 pt) beside it, ``gutter`` px apart."""
    scale = dpi / 72
    body = ImageFont.truetype(str(font_path("serif")), round(10.5 * scale))
    small = ImageFont.truetype(str(font_path("serif")), round(9 * scale))
    margin = round(0.4 * dpi)
    scratch = ImageDraw.Draw(Image.new("L", (8, 8)))
    left_w = max(scratch.textlength(nfc(t), font=body) for t in LEFT)
    right_w = max(scratch.textlength(nfc(t), font=small) for t in RIGHT)
    image = Image.new("L", (int(2 * margin + left_w + gutter + right_w), round(1.6 * dpi)), 250)
    draw = ImageDraw.Draw(image)
    step = round(body.size * 1.45)
    for k, (a, b) in enumerate(zip(LEFT, RIGHT)):
        draw.text((margin, margin + k * step), nfc(a), font=body, fill=20)
        draw.text((margin + left_w + gutter, margin + k * step), nfc(b), font=small, fill=20)
    image.info["dpi"] = (dpi, dpi)
    return image


def _read(path: Path, order: str | None = None):  # type: ignore[no-untyped-def]
    extra = (("order", order),) if order is not None else ()
    return ocr.ocr_page(PageTask("t-2009-03/4", str(path), "images", 0, "sha",
                                 settings=OcrSettings(extra=extra)))


def test_two_columns_read_across_are_read_column_by_column(tmp_path: Path) -> None:
    path = save_png(_side_by_side_page(), tmp_path / "p.png")
    result = _read(path)
    lines = [line for line in result.text.splitlines() if line.strip()]
    assert lines == [nfc(t) for t in LEFT + RIGHT], result.text
    # two blocks: the article's lines, then the colophon's
    assert result.text.split("\n\n") == ["\n".join(nfc(t) for t in LEFT),
                                         "\n".join(nfc(t) for t in RIGHT)]
    # the words are Tesseract's, with the same boxes, only in another order
    plain = _read(path, order="0")
    assert sorted((w.text, w.box) for w in result.words) == sorted(
        (w.text, w.box) for w in plain.words)
    assert plain.text != result.text  # Tesseract alone reads across the gutter
    assert [w.line for w in result.words] == sorted(w.line for w in result.words)
    assert f"order={ocr.ocrorder.VERSION}" in result.settings_key and \
        result.settings_key != plain.settings_key


HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def _tsv(blocks: list[list[tuple[int, list[tuple[str, int, int]]]]], height: int = 40,
         conf: float = 95.0) -> str:
    """TSV of ``blocks`` in Tesseract's order: each a list of lines (top, [(word, x0, x1)])."""
    rows = [HEADER]
    for b, lines in enumerate(blocks, start=1):
        for n, (top, words) in enumerate(lines, start=1):
            x0, x1 = words[0][1], words[-1][2]
            rows.append(f"4\t1\t{b}\t1\t{n}\t0\t{x0}\t{top}\t{x1 - x0}\t{height}\t-1\t")
            for k, (text, a, z) in enumerate(words, start=1):
                rows.append(f"5\t1\t{b}\t1\t{n}\t{k}\t{a}\t{top}\t{z - a}\t{height}\t{conf}\t{text}")
    return "\n".join(rows)


def _line(top: int, text: str, x0: int = 100) -> tuple[int, list[tuple[str, int, int]]]:
    words, x = [], x0
    for word in text.split():
        words.append((word, x, x + 20 * len(word)))
        x += 20 * len(word) + 15
    return top, words


def test_contents_entries_follow_their_heading_and_keep_their_numbers() -> None:
    # Tesseract: entries 3 and 4 first, then the heading with entries 1 and 2, then the
    # column of page numbers as a block of its own (tbnb-2014-02 page 1 of seed 1)
    tsv = _tsv([
        [_line(300, "Tuổi cao gương sáng"), _line(350, "Đính chính")],
        [_line(150, "MỤC LỤC", 400), _line(200, "Thực hiện Nghị quyết"),
         _line(250, "Gợi ý thảo luận")],
        [_line(200, "1", 1400), _line(250, "2", 1400), _line(300, "4", 1400),
         _line(350, "6", 1400)],
    ])
    assert ocr.parse_tsv(tsv, order=False).text.split("\n\n")[0] == (
        "Tuổi cao gương sáng\nĐính chính")
    assert ocr.parse_tsv(tsv).text == (
        "MỤC LỤC\nThực hiện Nghị quyết 1\nGợi ý thảo luận 2\n\n"
        "Tuổi cao gương sáng 4\nĐính chính 6")


def test_a_colophon_read_before_the_column_above_it_comes_after() -> None:
    left = [_line(100 + 50 * k, f"trái dòng {k}") for k in range(4)]
    right = [_line(100 + 50 * k, f"phải dòng {k}", 800) for k in range(4)]
    colophon = [_line(400, "Chịu trách nhiệm xuất bản Tô Duy Hải In 4.900 bản")]
    tsv = _tsv([left, colophon, right])
    text = ocr.parse_tsv(tsv).text
    assert text.split("\n\n") == ["\n".join(f"trái dòng {k}" for k in range(4)),
                                  "\n".join(f"phải dòng {k}" for k in range(4)),
                                  "Chịu trách nhiệm xuất bản Tô Duy Hải In 4.900 bản"]
    # a page Tesseract read in order keeps its order exactly
    ordered = _tsv([left, right, colophon])
    assert ocr.parse_tsv(ordered).text == ocr.parse_tsv(ordered, order=False).text == text


def test_a_river_of_spaces_down_typewritten_lines_is_no_gutter() -> None:
    # three lines of one paragraph with wide spaces at one x (a typewriter's justified lines:
    # the spaces fall on its grid), the words after them starting a cell or two apart
    def typed(top: int, left: str, right: str, start: int) -> tuple[int, list[tuple[str, int, int]]]:
        _top, words = _line(top, left)
        return top, words + _line(top, right, start)[1]
    para = [typed(100, "Đối với chi bộ nông thôn,", "cần bàn cụ thể", 700),
            typed(150, "trồng, vật nuôi, phòng", "dịch bệnh và huy động", 724),
            typed(200, "đường, kênh mương. Thứ", "chi bộ đánh giá", 748)]
    assert max(w[2] for _t, ws in para for w in ws if w[1] < 650) < 640  # white at 640-700
    text = ocr.parse_tsv(_tsv([para])).text
    assert text == ocr.parse_tsv(_tsv([para]), order=False).text
    assert text.splitlines()[0] == "Đối với chi bộ nông thôn, cần bàn cụ thể"


def test_a_column_of_marks_read_as_one_tall_word_is_dropped() -> None:
    tsv = _tsv([[_line(100, "Thực hiện Nghị quyết"), _line(150, "Gợi ý thảo luận")]])
    tall = "5\t1\t9\t1\t1\t1\t1400\t100\t24\t400\t0\tœ®œằœCI+r>C)'`2t)2E"
    assert "œ" in ocr.parse_tsv(tsv + "\n" + tall, order=False).text
    assert ocr.parse_tsv(tsv + "\n" + tall).text == "Thực hiện Nghị quyết\nGợi ý thảo luận"


def _bantin(home: Path, *args: str, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "BANTIN_HOME": str(home), "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "bantin", "--quiet", *args], cwd=REPO,
                          env=full, text=True, capture_output=True, timeout=300)


def test_a_page_read_in_tesseracts_order_is_reordered_without_a_new_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    scan = save_png(_side_by_side_page(), home / "scans" / "tbnb" / "2009" / "tbnb-2009-03"
                    / "001.png")
    assert _bantin(home, "ingest").returncode == 0
    # the page as a home read it before the reading order was put right: Tesseract's order
    # and the key of that read
    old = _read(scan, order="0")
    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        (page_id,) = [r["id"] for r in catalog.query("SELECT id FROM page")]
        catalog.put_page_result(replace(
            old, page_id=page_id, sha256=catalog.one("SELECT sha256 FROM page")["sha256"],
            settings_key=ocr.settings_key(OcrSettings(), unordered=True)))
    assert "góp ý Chịu" in old.text
    # a Tesseract that fails on every page: the page must not be read again
    folder = fake_tesseract(tmp_path / "bin", "echo broken >&2; exit 1")
    r = _bantin(home, "extract", "--jobs", "1",
                env={"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}",
                     "BANTIN_OCR_ENGINE": "command"})
    assert r.returncode == 0, r.stderr
    assert "0 pages done" in r.stdout and "1 OCR pages put in reading order" in r.stdout, r.stdout
    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        row = catalog.page_text(page_id)
        assert row is not None and row["settings_key"] == ocr.settings_key(OcrSettings())
        lines = [line for line in row["text"].splitlines() if line.strip()]
        assert lines == [nfc(t) for t in LEFT + RIGHT], row["text"]
        words = catalog.page_words(page_id)
        stored = [Word.from_row(w.to_row()) for w in old.words]  # as the catalog rounds them
        assert sorted((w.text, w.box) for w in words) == sorted((w.text, w.box) for w in stored)
        assert row["text"].split() == [w.text for w in words]
    # and a second run finds nothing to do
    again = _bantin(home, "extract", "--jobs", "1",
                    env={"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}",
                     "BANTIN_OCR_ENGINE": "command"})
    assert again.returncode == 0, again.stderr
    assert "0 pages done" in again.stdout and "reading order" not in again.stdout
