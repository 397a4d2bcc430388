"""Reading order of text-layer glyphs (indexer.extract.readingorder and indexer.extract.columns) on synthetic
pages: one to three columns, ragged and unbalanced columns, banners and titles within a
column or across the page, running heads and feet aligned left, centre or right, contents
lines, justified lines and large type that must not be taken for columns.

Glyphs are 5 points wide (``width`` to change) and ``size`` points tall; a page is A4
(595 × 842 points) unless said otherwise.
"""

from __future__ import annotations

import random

from indexer.extract.readingorder import Glyph, reading_order

A4 = (595.0, 842.0)


class Page:
    """A page being drawn: lines of glyphs in content-stream order."""

    def __init__(self) -> None:
        self.glyphs: list[Glyph] = []

    def line(self, text: str, x: float, top: float, size: float = 10.0,
             width: float = 5.0, font: str = "F") -> Page:
        n = len(self.glyphs)
        self.glyphs += [Glyph(ch, x + i * width, top, x + (i + 1) * width, top + size, size,
                              font, n + i) for i, ch in enumerate(text)]
        return self

    def right(self, text: str, x1: float, top: float, size: float = 10.0,
              font: str = "F") -> Page:
        return self.line(text, x1 - 5 * len(text), top, size, font=font)

    def column(self, name: str, x: float, top: float, count: int, lead: float = 12.0,
               lengths: tuple[int, ...] = (46,)) -> Page:
        """``count`` lines ``<name><i> text…`` (ragged when several lengths are given)."""
        for i in range(count):
            n = lengths[i % len(lengths)]
            self.line(f"{name}{i:02d} " + "x" * (n - len(name) - 3), x, top + lead * i)
        return self

    def lines(self, height: float | None = A4[1],
              rules: tuple[tuple[float, float, float], ...] = ()) -> list[str]:
        blocks = reading_order(self.glyphs, A4[0], height, rules=rules)
        return ["".join(g.text for g in ln.glyphs).strip() for b in blocks for ln in b]


def _names(lines: list[str]) -> list[str]:
    return [ln.split()[0] for ln in lines]


def _col(name: str, count: int) -> list[str]:
    return [f"{name}{i:02d}" for i in range(count)]


def test_table_of_contents_is_one_column():
    """Titles on the left and page numbers on the right are not two columns."""
    page = Page()
    for i in range(12):
        page.line(f"Bai viet so {i:02d} ve xay dung", 40, 50 + 14 * i)
        page.line(f"{i + 3:2d}", 520, 50 + 14 * i)
    lines = page.lines()
    assert len(lines) == 12 and lines[0].startswith("Bai viet so 00") and lines[0].endswith("3")


def test_column_tail_stays_in_its_column():
    """A left column longer than the right one: its last lines come before the right one."""
    page = Page().column("L", 40, 60, 20).column("R", 320, 60, 12)
    assert _names(page.lines()) == _col("L", 20) + _col("R", 12)


def test_contents_and_running_head_above_two_columns():
    """A right-aligned running head and contents lines ending in page numbers belong to
    the page, not to the right column."""
    page = Page().right("Thong bao noi bo - So 2", 555, 30, size=8)
    for i, title in enumerate(["Xay dung Dang o co so", "Ket luan so 21"]):
        page.line(title, 40, 60 + 14 * i).line(str(i + 1), 540, 60 + 14 * i)
    page.column("L", 40, 110, 12).column("R", 320, 110, 12)
    lines = page.lines()
    assert lines[:3] == ["Thong bao noi bo - So 2", "Xay dung Dang o co so1", "Ket luan so 212"]
    assert _names(lines[3:]) == _col("L", 12) + _col("R", 12)


def test_unbalanced_ragged_columns_under_a_right_aligned_running_head():
    """An odd page: the running head is right-aligned over the right column and the page
    number is in the right corner; the columns are ragged and of unequal length. The head
    is read first and the number last, each column whole."""
    page = Page().right("Thong tin sinh hoat chi bo - So 5/2010", 555, 30, size=8, font="I")
    page.column("L", 40, 60, 25, lengths=(46, 30, 41, 12))
    page.column("R", 320, 60, 7, lengths=(44, 38, 20))
    page.right("7", 555, 800)
    lines = page.lines()
    assert lines[0] == "Thong tin sinh hoat chi bo - So 5/2010" and lines[-1] == "7"
    assert _names(lines[1:-1]) == _col("L", 25) + _col("R", 7)


def test_left_page_number_and_footer_come_last():
    """An even page: the page number in the left corner under the left column, then a
    centred footer line: both after the right column."""
    page = Page().line("Thong tin - So 5/2010", 40, 30, size=8, font="I")
    page.column("L", 40, 60, 30).column("R", 320, 60, 30)
    page.line("8", 40, 790).line("Du lieu mau - noi dung hu cau", 225, 806, size=8, font="I")
    lines = page.lines()
    assert _names(lines[1:-2]) == _col("L", 30) + _col("R", 30)
    assert lines[-2:] == ["8", "Du lieu mau - noi dung hu cau"]


def test_banner_and_title_within_one_column_stay_in_it():
    """A section banner and a title set in the left column: the right column runs on
    beside them in one case, and has a wide space beside them in the other (it then
    resumes lower than the left column's text, not level with it)."""
    for gap in (0, 70):
        page = Page().column("A", 40, 60, 10)
        page.line("VAN BAN MOI", 80, 200, size=12, font="B")  # banner
        page.line("Nghi quyet moi ve xay dung Dang", 40, 226, size=13, font="B")  # title
        page.column("B", 40, 246, 12)
        page.column("C", 320, 60, 10)
        page.column("D", 320, 60 + 12 * 10 + gap, 14)
        names = _names(page.lines())
        assert names == _col("A", 10) + ["VAN", "Nghi"] + _col("B", 12) + _col("C", 10) + _col(
            "D", 14), gap


def test_short_columns_with_a_banner():
    """The last page of an issue: a boxed banner, a title and four lines in the left
    column, three lines and a colophon in the right one; too little text for a gutter to
    show in the ink of the page, still two columns."""
    page = Page().line("Thong bao noi bo - So 11/2016", 230, 30, size=8, font="I")
    page.line("VAN BAN MOI", 110, 62, size=11, font="B")
    page.line("Van ban moi thang 11/2016", 70, 90, size=12, font="B")
    page.column("L", 40, 110, 4)
    page.column("R", 320, 62, 3)
    page.line("Chiu trach nhiem xuat ban: Luong Kim Hoa", 320, 110, size=8, font="I")
    page.line("In 6.300 ban, kho 19 x 27 cm", 320, 120, size=8, font="I")
    page.line("7", 295, 790).line("Du lieu mau - noi dung hu cau", 225, 806, size=8, font="I")
    names = _names(page.lines())
    assert names == ["Thong", "VAN", "Van"] + _col("L", 4) + _col("R", 3) + [
        "Chiu", "In", "7", "Du"]


def test_column_starting_higher_than_its_neighbour():
    """Under a centred line across the page, the right column starts two lines higher than
    the left one (whose banner box has room above its text): still column by column."""
    page = Page().line("Luu hanh noi bo", 260, 40, size=9, font="I")
    page.column("R", 320, 70, 20)
    page.line("NHUNG VAN DE CHUNG", 90, 100, size=11, font="B")
    page.column("L", 40, 124, 18)
    lines = page.lines()
    assert lines[0] == "Luu hanh noi bo"
    assert _names(lines[1:]) == ["NHUNG"] + _col("L", 18) + _col("R", 20)


def test_heading_across_the_page_between_two_sets_of_columns():
    """A short heading set at the left margin between two sets of columns, with both
    columns under it starting level, is read across the page (the PDF test draws the same
    with real fonts); a contents box over the columns too."""
    page = Page()
    for i in range(3):
        page.line(f"Muc {i + 1}: bai viet so {i + 1} trong so nay", 40, 40 + 12 * i)
        page.line(str(i + 2), 550, 40 + 12 * i)
    page.column("A", 40, 90, 12).column("B", 320, 90, 7)
    page.line("Kinh nghiem hay", 40, 250, size=13, font="B")
    page.column("C", 40, 275, 10).column("D", 320, 275, 10)
    names = _names(page.lines())
    assert names == ["Muc"] * 3 + _col("A", 12) + _col("B", 7) + ["Kinh"] + _col("C", 10) + _col(
        "D", 10)


def test_three_columns_and_a_title_across_them():
    page = Page().line("TIN TRONG TINH VA TIN TRONG NUOC", 150, 50, size=14, font="B")
    for k, name in enumerate("PQR"):
        page.column(name, 40 + 180 * k, 80, 15 - 3 * k, lengths=(34,))
    names = _names(page.lines())
    assert names == ["TIN"] + _col("P", 15) + _col("Q", 12) + _col("R", 9)


def test_short_first_column_is_not_merged_into_the_second():
    """The end of an article (one short line) heads the left column; the right column holds
    the colophon: two columns, not rows read across."""
    page = Page().line("vung manh.", 40, 60)
    page.column("R", 320, 60, 5, lengths=(40,))
    lines = page.lines()
    assert lines[0] == "vung manh." and _names(lines[1:]) == _col("R", 5)


def test_justified_gaps_are_not_gutters():
    """A masthead in large type with half-em word spaces, and two full lines of one column
    whose wide justified word spaces (12 points in 10-point type) happen to line up: each
    line stays whole."""
    page = Page().line("THONG TIN", 60, 40, size=30, width=18).line("SINH HOAT", 237, 40,
                                                                         size=30, width=18)
    page.line("a" * 40, 40, 90).line("c" * 60, 252, 90)
    page.line("b" * 40, 38, 102).line("d" * 61, 250, 102)
    page.column("L", 40, 120, 6)
    lines = page.lines()
    assert lines[:3] == ["THONG TINSINH HOAT", "a" * 40 + "c" * 60, "b" * 40 + "d" * 61]
    assert _names(lines[3:]) == _col("L", 6)


def test_end_note_under_the_columns_comes_last():
    """A short note set under the longer right column, at the left margin: after both."""
    page = Page().column("L", 40, 60, 8).column("R", 320, 60, 12)
    page.line("Du lieu mau - noi dung hu cau", 40, 230, size=8, font="I")
    lines = page.lines(height=None)
    assert _names(lines[:-1]) == _col("L", 8) + _col("R", 12)
    assert lines[-1] == "Du lieu mau - noi dung hu cau"


def test_boxed_item_with_its_own_columns_over_the_articles():
    """A framed box holding two short columns above the page's two columns: the frame's
    lower edge ends the box; an underline inside a line is no cut."""
    page = Page().column("BL", 50, 70, 4).column("BR", 320, 70, 4)
    page.column("L", 40, 140, 10).column("R", 320, 140, 10)
    frame = ((45.0, 550.0, 62.0), (45.0, 550.0, 125.0))
    underline = ((40.0, 555.0, 148.5),)  # under the first line of the columns below
    assert _names(page.lines(rules=frame + underline)) == (
        _col("BL", 4) + _col("BR", 4) + _col("L", 10) + _col("R", 10))
    # without the frame, nothing tells the box from the columns it stands over
    assert _names(page.lines()) == _col("BL", 4) + _col("L", 10) + _col("BR", 4) + _col("R", 10)


def test_glyphs_drawn_one_by_one_in_any_order():
    """A producer that places every glyph (spaces included) on its own, in no particular
    order: the same columns and lines, spaces kept."""
    page = Page().column("L", 40, 60, 12).column("R", 320, 60, 9)
    order = random.Random(3).sample(range(len(page.glyphs)), len(page.glyphs))
    page.glyphs = [g._replace(index=order[i]) for i, g in enumerate(page.glyphs)]
    lines = page.lines()
    assert _names(lines) == _col("L", 12) + _col("R", 9)
    assert lines[0] == "L00 " + "x" * 42
