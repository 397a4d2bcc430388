"""Marks read as words (indexer.extract.ocrmarks through indexer.extract.ocr), and a line cut
in two paragraphs on one row joined again (indexer.extract.ocrorder).

The words are Tesseract's TSV as it came out on seed 1's phone photos (README, "Old scans"):
a contents page's column of page numbers read as one vertical line of stacked marks
(``"l1 `1 ƠI C2 22 ©``), the paper's edge read the same way (``mm... “nh``), a rule under a
masthead read as a flat word of no confidence. The page numbers are read again by the real
Tesseract from a page the test renders, with the contents box's border right beside them.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from archive.vntext import nfc
from indexer.extract import ocr, ocrmarks
from tests.pages import font_path

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
ENTRIES = ("Thực hiện Nghị quyết 04-NQ/TW", "Kỷ niệm ngày thành lập Đảng",
           "Xã Phúc Khê về đích nông thôn mới", "Đính chính")


def _contents_page(numbers: tuple[str, ...]) -> tuple[Image.Image, list[str]]:
    """A 300-dpi contents box: the entries left, ``numbers`` right beside the box's border;
    and Tesseract's TSV rows of it as read on a photo: entries right, the numbers one
    vertical line of marks."""
    font = ImageFont.truetype(str(font_path("serif")), 42)
    image = Image.new("L", (1700, 560), 248)
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 1590, 500), outline=20, width=4)
    rows = [HEADER]
    for k, (entry, number) in enumerate(zip(ENTRIES, numbers)):
        top = 120 + 85 * k
        x = 100
        for n, word in enumerate(nfc(entry).split(), start=1):
            draw.text((x, top), word, font=font, fill=20)
            x0, y0, x1, y1 = (round(v) for v in draw.textbbox((x, top), word, font=font))
            rows.append(f"5\t1\t{k + 1}\t1\t1\t{n}\t{x0}\t{y0}\t{x1 - x0}\t{y1 - y0}\t95\t{word}")
            x = x1 + 14
        draw.text((1540, top), number, font=font, fill=20)
    marks = ("C2", "`1", "ƠI", "l1")
    for k, mark in enumerate(marks):  # the column as one line of stacked marks
        rows.append(f"5\t1\t9\t1\t1\t{k + 1}\t1538\t{125 + 85 * k}\t30\t40\t40\t{mark}")
    return image, rows


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_a_contents_column_read_as_marks_is_read_again_onto_its_entries() -> None:
    image, rows = _contents_page(("1", "3", "6", "12"))
    read = ocr.parse_tsv("\n".join(rows))
    assert "C2" in read.text and not _lines(read.text)[0].endswith("1")
    fixed = ocr.without_marks(read, image)
    assert _lines(fixed.text) == [nfc(f"{e} {n}") for e, n in zip(ENTRIES, ("1", "3", "6", "12"))]
    # the numbers carry their own boxes, right of their entries, on their entries' lines
    numbers = [w for w in fixed.words if w.text.isdigit() and w.box[0] > 1500]
    assert [w.text for w in numbers] == ["1", "3", "6", "12"]
    assert all(w.line == next(v.line for v in fixed.words if v.text == nfc(e.split()[0]))
               for w, e in zip(numbers, ENTRIES))


def test_numbers_that_do_not_grow_down_the_page_are_no_contents_list() -> None:
    image, rows = _contents_page(("7", "2", "9", "1"))
    fixed = ocr.without_marks(ocr.parse_tsv("\n".join(rows)), image)
    # the marks are gone, and no number is put on an entry
    assert _lines(fixed.text) == [nfc(e) for e in ENTRIES]


def test_a_column_of_marks_without_digits_is_dropped_without_a_new_read() -> None:
    body = [f"5\t1\t1\t1\t{k + 1}\t1\t100\t{100 + 60 * k}\t600\t40\t95\tdòng{k}" for k in range(6)]
    edge = [f"5\t1\t2\t1\t1\t{k + 1}\t1500\t{100 + 90 * k}\t12\t80\t{c}\t{t}"
            for k, (t, c) in enumerate((("mm...", 33.0), ("“nh", 16.0), ("mmmmo.", 15.0)))]
    read = ocr.parse_tsv("\n".join([HEADER, *body, *edge]))
    calls: list[Image.Image] = []
    marks = ocrmarks.find(read.words, lambda w: (w.text, w.box, w.line, w.conf),
                          Image.new("L", (1600, 600), 255),
                          read=lambda strip: calls.append(strip) or [])
    assert marks.columns == 1 and not calls and not marks.numbers
    assert sorted(read.words[i].text for i in marks.drop) == sorted(["mm...", "“nh", "mmmmo."])
    assert _lines(ocr.without_marks(read, None).text) == [f"dòng{k}" for k in range(6)]


def test_a_rule_read_as_a_flat_word_is_dropped_and_words_are_kept() -> None:
    rows = [HEADER, "5\t1\t1\t1\t1\t1\t400\t100\t300\t50\t93\tTHÔNG",
            "5\t1\t1\t1\t1\t2\t720\t100\t200\t50\t94\tBÁO",
            # the rule under the masthead: flat "words" of no confidence
            "5\t1\t2\t1\t1\t1\t100\t170\t150\t9\t13\tCa", "5\t1\t2\t1\t1\t2\t300\t170\t20\t9\t6\txv.",
            # a dash is as flat, and stays (a low confidence is common on dashes)
            "5\t1\t3\t1\t1\t1\t100\t230\t120\t45\t95\tSố", "5\t1\t3\t1\t1\t2\t240\t250\t30\t8\t15\t–",
            "5\t1\t3\t1\t1\t3\t290\t230\t120\t45\t95\tba"]
    read = ocr.parse_tsv("\n".join(rows))
    assert "Ca xv." in read.text
    assert _lines(ocr.without_marks(read, None).text) == ["THÔNG BÁO", "Số – ba"]


def _footer_tsv(gap: int) -> str:
    """Two columns of four lines, and a footer under them cut in two paragraphs ``gap`` px
    apart, Tesseract's order: the footer's left half first, then the columns, then its
    right half."""
    rows = [HEADER]
    def word(block: int, line: int, n: int, x: int, top: int, text: str) -> None:
        rows.append(f"5\t1\t{block}\t1\t{line}\t{n}\t{x}\t{top}\t{20 * len(text)}\t40\t95\t{text}")
    word(1, 1, 1, 500, 500, "Dữ")
    word(1, 1, 2, 555, 500, "liệu")
    word(1, 1, 3, 650, 500, "mẫu")
    for k in range(4):
        word(2, k + 1, 1, 100, 100 + 60 * k, "trái")
        word(2, k + 1, 2, 200, 100 + 60 * k, f"dòng{k}")
        word(3, k + 1, 1, 760, 100 + 60 * k, "phải")
        word(3, k + 1, 2, 860, 100 + 60 * k, f"dòng{k}")
    word(4, 1, 1, 710 + gap, 500, "–")
    word(4, 1, 2, 745 + gap, 500, "hư")
    word(4, 1, 3, 800 + gap, 500, "cấu")
    return "\n".join(rows)


def test_a_line_cut_in_two_paragraphs_on_its_row_is_joined() -> None:
    text = ocr.parse_tsv(_footer_tsv(gap=0)).text  # "mẫu" ends at 710: a word space
    assert ocr.parse_tsv(_footer_tsv(gap=0), order=False).text.startswith("Dữ liệu mẫu")
    assert text.split("\n\n")[-1] == "Dữ liệu mẫu – hư cấu", text
    assert text.startswith("trái dòng0")
    # the same halves a column's gutter apart stay two lines (40 px is more than a word space)
    apart = ocr.parse_tsv(_footer_tsv(gap=40)).text
    assert "Dữ liệu mẫu\n" in apart and "Dữ liệu mẫu –" not in apart, apart
