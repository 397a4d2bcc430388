"""Segmentation of issues into articles, on pages set by tests/segment_pages.py.

The pages are Word lists as the extractors give them (text layer with sizes and bold; OCR
with noisy sizes, no bold and confidences below 100), and one real PDF read back with
pdfplumber. Each test sets a layout and checks what segmentation makes of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.models import Issue as IssueRow
from archive.vntext import fold
from indexer.segment.articletext import join_words
from indexer.segment.lines import PageWords
from indexer.segment.segmenter import make_article_id, segment_issue, segment_issue_report
from tests.segment_pages import (
    Issue,
    Item,
    banner,
    draw_pdf,
    page_from_lines,
    page_words,
    para,
    pdf_words,
    sign,
    title,
    typeset,
)

ISSUE = IssueRow(id="ttshcb-2015-07", series="ttshcb", year=2015, number="07")

S1 = ("Thực hiện Nghị quyết của Đảng ủy, chi bộ đã tổ chức sinh hoạt chuyên đề về học tập và "
      "làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh, gắn với nhiệm vụ chính trị của địa phương.")
S2 = ("Các đảng viên thảo luận sôi nổi, đề xuất nhiều giải pháp thiết thực để nâng cao chất lượng "
      "sinh hoạt chi bộ và phát triển kinh tế hộ gia đình trong năm tới.")
S3 = ("Hợp tác xã nông nghiệp tiếp tục đổi mới phương thức quản lý, hỗ trợ bà con vay vốn, "
      "chuyển đổi cơ cấu cây trồng và tiêu thụ sản phẩm cho nông dân.")
S4 = ("Ban Tuyên giáo Tỉnh ủy hướng dẫn các cấp ủy tăng cường công tác phòng, chống tham nhũng, "
      "lãng phí và xây dựng nông thôn mới kiểu mẫu ở từng thôn, bản.")


def body(*sentences: str, times: int = 1) -> str:
    return " ".join(list(sentences) * times)


def masthead() -> list[Item]:
    return [
        Item("mast", "BAN TUYÊN GIÁO TRUNG ƯƠNG", size=9, bold=True, align="center", full=True),
        Item("mast", "Thông tin sinh hoạt chi bộ", size=28, bold=True, align="center", full=True),
        Item("mast", "Số 7 – tháng 7/2015", size=11, bold=True, align="center", full=True),
        Item("mast", "Lưu hành nội bộ", size=9.5, align="center", full=True),
    ]


def standard_items() -> list[Item]:
    return masthead() + [
        banner("NHỮNG VẤN ĐỀ CHUNG"),
        title("Nâng cao chất lượng sinh hoạt chi bộ ở nông thôn"),
        para(body(S1, S2, times=2)), para(body(S3, S4, S1)), para(body(S2, S3, times=2)),
        sign("Nguyễn Văn An"),
        title("Chi bộ thôn Đông đổi mới cách sinh hoạt"),
        para(body(S2, S1, S3)), para(body(S4, S2, times=3)), para(body(S1, S3, times=2)),
        para(body(S4, S1, times=2)),
        sign("PV"),
        banner("HỎI – ĐÁP"),
        title("Hỏi – đáp về sinh hoạt của đảng viên đi làm ăn xa"),
        para("Hỏi: Đảng viên đi làm ăn xa có phải sinh hoạt tạm thời ở nơi cư trú không?"),
        para("Đáp: Có, theo quy định hiện hành của Ban Chấp hành Trung ương. " + S2),
        para("Hỏi: Chi bộ có thể họp trực tuyến khi có dịch bệnh không?"),
        para("Đáp: Có thể, khi cấp ủy cấp trên đồng ý bằng văn bản. " + S4),
        banner("Thông tin thời sự"),
        Item("title", "Hội nghị sơ kết công tác tuyên giáo sáu tháng", bold=True, size=11.5,
             before=9),
        para(S1), sign("PV"),
        Item("title", "Khánh thành trường học mới ở xã Yên Bình", bold=True, size=11.5, before=9),
        para(S2 + " " + S3),
        banner("VĂN BẢN MỚI"),
        title("Trích Nghị quyết số 04-NQ/TU về xây dựng nông thôn mới"),
        para(body(S3, S4, times=3)),
        Item("sign", "Ban Tuyên giáo Tỉnh ủy", align="right", before=3),
    ]


EXPECTED = [  # (section, title, kind, byline)
    ("Những vấn đề chung", "Nâng cao chất lượng sinh hoạt chi bộ ở nông thôn", "bai", "Nguyễn Văn An"),
    ("Những vấn đề chung", "Chi bộ thôn Đông đổi mới cách sinh hoạt", "bai", "PV"),
    ("Hỏi – đáp", "Hỏi – đáp về sinh hoạt của đảng viên đi làm ăn xa", "hoi-dap", ""),
    ("Thông tin thời sự", "Hội nghị sơ kết công tác tuyên giáo sáu tháng", "tin", "PV"),
    ("Thông tin thời sự", "Khánh thành trường học mới ở xã Yên Bình", "tin", ""),
    ("Văn bản mới", "Trích Nghị quyết số 04-NQ/TU về xây dựng nông thôn mới", "van-ban",
     "Ban Tuyên giáo Tỉnh ủy"),
]


def summary(articles):  # type: ignore[no-untyped-def]
    return [(a.section, a.title, a.kind, a.byline) for a in articles]


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("columns", [1, 2])
@pytest.mark.parametrize("variant", ["text", "rows-across-columns", "ocr"])
def test_sections_titles_kinds_bylines(columns: int, variant: str) -> None:
    issue = Issue(standard_items(), columns=columns)
    pages = page_words(issue, ocr=variant == "ocr", merge_rows=variant == "rows-across-columns")
    assert len(pages) >= 2
    articles = segment_issue(ISSUE, pages)
    assert summary(articles) == EXPECTED
    assert [a.seq for a in articles] == list(range(1, len(EXPECTED) + 1))


@pytest.mark.parametrize("merge_rows", [False, True])
def test_two_columns_read_column_by_column(merge_rows: bool) -> None:
    paragraphs = [body(S1, S2), body(S3, S4, S1), body(S2, S4), body(S3, S1, S2)]
    items = [title("Kinh nghiệm xây dựng chi bộ vững mạnh", full=True)] + \
        [para(p) for p in paragraphs]
    pages = page_words(Issue(items, columns=2, header="", footer=""), merge_rows=merge_rows)
    (article,) = segment_issue(ISSUE, pages)
    assert article.title == "Kinh nghiệm xây dựng chi bộ vững mạnh"
    assert article.text == "\n\n".join(paragraphs)
    assert article.words == sum(len(p.split()) for p in paragraphs)


def test_article_continues_across_pages_and_columns() -> None:
    long = [body(S1, S2, S3, S4, times=2) for _ in range(6)]
    items = [title("Một bài dài qua nhiều trang")] + [para(p) for p in long] + \
        [sign("Trần Thị Bình"), title("Bài tiếp theo ở trang sau"), para(body(S4, S3))]
    issue = Issue(items, columns=2)
    pages = page_words(issue)
    assert len(pages) >= 2
    signed = next(n for n, placed in enumerate(issue.pages, 1)
                  if any(p.text == "Trần Thị Bình" for p in placed))
    first, second = segment_issue(ISSUE, pages)
    assert (first.first_page, first.last_page) == (1, signed) and signed >= 2
    assert first.text == "\n\n".join(long)
    assert first.byline == "Trần Thị Bình"
    assert set(first.boxes) == set(range(1, signed + 1))
    assert all(0 <= v <= 1 for boxes in first.boxes.values() for box in boxes for v in box)
    assert second.first_page == signed and second.title == "Bài tiếp theo ở trang sau"


def test_running_headers_page_numbers_and_footer_belong_to_no_article() -> None:
    items = [title("Bài viết thứ nhất")] + [para(body(S1, S2, S3, times=3)) for _ in range(8)]
    issue = Issue(items, columns=1, header="Thông tin sinh hoạt chi bộ – Số 7/2015")
    pages = page_words(issue)
    assert len(pages) >= 3
    (article,) = segment_issue(ISSUE, pages)
    text = article.text
    assert "Dữ liệu mẫu" not in text and "Số 7/2015" not in text
    assert text == "\n\n".join([body(S1, S2, S3, times=3)] * 8)  # no page number either
    assert (article.first_page, article.last_page) == (1, len(pages))


def test_masthead_is_no_article_and_dates_the_issue() -> None:
    items = masthead() + [title("Bài mở đầu số báo"), para(body(S1, S2, times=2))]
    seg = segment_issue_report(ISSUE, page_words(Issue(items)))
    assert seg.issue_date == "2015-07"
    (article,) = seg.articles
    assert article.title == "Bài mở đầu số báo"
    assert "Lưu hành" not in article.text and "BAN TUYÊN GIÁO" not in article.text


def test_table_of_contents_finds_a_title_set_in_body_type() -> None:
    quiet_title = "Mấy suy nghĩ về công tác dân vận ở cơ sở"
    items = masthead() + [
        Item("toc-head", "MỤC LỤC", size=12, bold=True, align="center", full=True),
        Item("toc", "Nâng cao chất lượng sinh hoạt chi bộ ở nông thôn 1", full=True),
        Item("toc", f"{quiet_title} 2", full=True),
        title("Nâng cao chất lượng sinh hoạt chi bộ ở nông thôn", before=20),
        para(body(S1, S2, S3, times=3)), para(body(S4, S1, times=4)),
        Item("text", quiet_title, before=12),  # body face, body size: only the table knows
        para(body(S2, S3, times=3)),
    ]
    seg = segment_issue_report(ISSUE, page_words(Issue(items)))
    assert [(e.title, e.page) for e in seg.toc] == [
        ("Nâng cao chất lượng sinh hoạt chi bộ ở nông thôn", 1), (quiet_title, 2)]
    titles = [a.title for a in seg.articles]
    assert titles == ["Nâng cao chất lượng sinh hoạt chi bộ ở nông thôn", quiet_title]
    assert all("MỤC LỤC" not in a.text for a in seg.articles)
    assert seg.articles[1].first_page == 2


def test_qa_leads_are_paragraphs_not_titles() -> None:
    items = [banner("Hỏi đáp"), title("Giải đáp về thủ tục chuyển sinh hoạt đảng")]
    qa = []
    for n in range(3):
        q = f"Hỏi: Câu hỏi số {n + 1} về thủ tục chuyển sinh hoạt đảng chính thức là gì?"
        a = f"Đáp: {S2} {S4}"
        qa += [q, a]
        items += [Item("para", q, bold=True, indent=16, before=2), para(a)]
    (article,) = segment_issue(ISSUE, page_words(Issue(items)))
    assert article.kind == "hoi-dap" and article.section == "Hỏi – đáp"
    assert article.text.split("\n\n") == qa


def test_byline_under_the_title_and_source_line_at_the_end() -> None:
    items = [title("Gương sáng ở bản vùng cao"),
             Item("byline", "Hoàng Minh Đức", align="left", before=2),
             para(body(S1, S2, S3, times=3)), para(body(S4, S2, times=3)),
             title("Chuyện ở một chi bộ miền biển"), para(body(S3, S1, times=3)),
             para(body(S2, S4, times=3)),
             Item("sign", "(Theo báo Nhân Dân)", align="right", before=3)]
    a, b = segment_issue(ISSUE, page_words(Issue(items)))
    assert a.byline == "Hoàng Minh Đức" and "Hoàng Minh Đức" not in a.text
    assert b.byline == "(Theo báo Nhân Dân)" and "Nhân Dân" not in b.text


def test_hyphenated_line_ends() -> None:
    rows = [
        ("Chuyển đổi số ở xã vùng cao", 15.0, True, 0.0),
        ("", 11.0, False, 0.0),
        ("Xã đã triển khai ứng dụng quản lý hồ sơ trên nền tảng inter-", 11.0, False, 16.0),
        ("net và thực hiện Nghị quyết số 21-", 11.0, False, 0.0),
        ("NQ/TW về tổ chức cơ sở đảng, phòng chống dịch COVID-", 11.0, False, 0.0),
        ("19 hiệu quả, học tập chủ nghĩa Mác - Ăng-ghen và tư tưởng của Lê-", 11.0, False, 0.0),
        ("nin về xây dựng Đảng trong giai đoạn mới của đất nước ta.", 11.0, False, 0.0),
    ]
    (article,) = segment_issue(ISSUE, [page_from_lines(rows)])
    assert "internet" in article.text
    assert "21-NQ/TW" in article.text and "COVID-19" in article.text
    assert "Lê-nin" in article.text and "Mác - Ăng-ghen" in article.text
    assert "\n" not in article.text


@pytest.mark.parametrize("left,right,joined", [
    ("inter-", "net", "internet"), ("21-", "NQ/TW", "21-NQ/TW"), ("COVID-", "19", "COVID-19"),
    ("Lê-", "nin", "Lê-nin"), ("ngh\u00ad", "iệp", "nghiệp"), ("nghi-", "ệp", "nghiệp"),
    ("word", "next", None), ("–", "và", None),
])
def test_join_words(left: str, right: str, joined: str | None) -> None:
    assert join_words(left, right, set()) == joined


def test_ocr_pages_without_bold_find_the_same_articles() -> None:
    pages = page_words(Issue(standard_items(), columns=2), ocr=True, seed=7)
    articles = segment_issue(ISSUE, pages)
    assert [a.title for a in articles] == [e[1] for e in EXPECTED]
    assert all(0 < a.confidence < 100 for a in articles)


def test_real_pdf_read_with_pdfplumber(tmp_path: Path) -> None:
    pdf = draw_pdf(Issue(standard_items(), columns=2), tmp_path / "issue.pdf")
    articles = segment_issue(ISSUE, pdf_words(pdf))
    assert summary(articles) == EXPECTED


def test_article_ids_follow_the_rule() -> None:
    taken: set[str] = set()
    title_text = "Nâng cao chất lượng sinh hoạt chi bộ"
    import hashlib

    digest = hashlib.sha1(fold(title_text).encode()).hexdigest()[:4]
    assert make_article_id("ttshcb-2015-07", 3, title_text, taken) == f"ttshcb-2015-07-p3-{digest}"
    assert make_article_id("ttshcb-2015-07", 3, title_text.upper(), taken) == \
        f"ttshcb-2015-07-p3-{digest}-2"
    assert make_article_id("ttshcb-2015-07", 3, title_text, taken) == f"ttshcb-2015-07-p3-{digest}-3"


def test_ids_stay_when_another_article_changes() -> None:
    items = standard_items()
    before = segment_issue(ISSUE, page_words(Issue(items, columns=2)))
    changed = list(items)
    k = next(i for i, it in enumerate(changed) if it.text.startswith("Hội nghị sơ kết"))
    changed[k + 1] = para(S4)  # a news brief is rewritten
    after = segment_issue(ISSUE, page_words(Issue(changed, columns=2)))
    assert [a.id for a in after] == [a.id for a in before]
    assert before[3].text != after[3].text


def tilt(pages, degrees: float, split_rows: bool = True):  # type: ignore[no-untyped-def]
    """The pages as a tilted scan reads them: every box turned about the page centre, and
    (as OCR does on such pages) each line cut into two rows where its middle word starts."""
    import math
    from dataclasses import replace

    from tests.segment_pages import PAGE_H, PAGE_W

    t = math.radians(degrees)
    out = []
    for page in pages:
        words, halves = [], {}
        for w in page.words:
            x0, y0, x1, y1 = w.box
            cx, cy = (x0 + x1) / 2 * PAGE_W - PAGE_W / 2, (y0 + y1) / 2 * PAGE_H - PAGE_H / 2
            nx, ny = cx * math.cos(t) - cy * math.sin(t), cx * math.sin(t) + cy * math.cos(t)
            dx, dy = (nx - cx) / PAGE_W, (ny - cy) / PAGE_H
            line = w.line
            if split_rows:
                first = halves.setdefault(line, x0 + 0.2)
                line = line * 2 + (1 if x0 > first else 0)
            words.append(replace(w, box=(x0 + dx, y0 + dy, x1 + dx, y1 + dy), line=line))
        out.append(replace(page, words=tuple(words)))
    return out


@pytest.mark.parametrize("degrees", [-2.0, 1.5])
def test_tilted_scan_reads_in_order(degrees: float) -> None:
    pages = tilt(page_words(Issue(standard_items(), columns=2), ocr=True, seed=3), degrees)
    articles = segment_issue(ISSUE, pages)
    assert [a.title for a in articles] == [e[1] for e in EXPECTED]
    straight = segment_issue(ISSUE, page_words(Issue(standard_items(), columns=2), ocr=True, seed=3))
    assert [squash(a.text) for a in articles] == [squash(a.text) for a in straight]
    # outlines stay on the tilted page, where a viewer draws them
    first_box = articles[0].boxes[1][0]
    assert first_box != straight[0].boxes[1][0]


def test_article_continued_on_a_later_page() -> None:
    """*(Xem tiếp trang N)* … *(Tiếp theo trang 1)*: the second part joins the first, and the
    title printed again over it starts no article."""
    a1, a2 = body(S1, S2, times=2), body(S3, S4, times=2)
    filler = [para(body(S1, S2, S3, S4, times=2)) for _ in range(9)]

    def items(target: int) -> list[Item]:
        return [title("Chi bộ giỏi ở vùng biên giới"), para(a1),
                Item("text", f"(Xem tiếp trang {target})", align="right", before=2),
                title("Một bài ở giữa số báo")] + filler + [sign("PV"),
                Item("title", "Chi bộ giỏi ở vùng biên giới", bold=True, size=12, before=14),
                Item("text", "(Tiếp theo trang 1)", before=2), para(a2)]

    probe = Issue(items(9), columns=1)
    page_words(probe)
    target = next(n for n, placed in enumerate(probe.pages, 1)
                  if any(p.text == "(Tiếp theo trang 1)" for p in placed))
    assert target >= 3
    first, middle = segment_issue(ISSUE, page_words(Issue(items(target), columns=1)))
    assert first.title == "Chi bộ giỏi ở vùng biên giới"
    assert first.text == f"{a1}\n\n{a2}" and (first.first_page, first.last_page) == (1, target)
    assert middle.title == "Một bài ở giữa số báo" and "Tiếp theo" not in middle.text


def test_real_tesseract_on_a_rendered_page(tmp_path: Path) -> None:
    """The OCR path end to end: a page drawn into a PDF, read by the real Tesseract (no
    bold, sizes from line heights), segmented into the same articles."""
    from rapidfuzz.distance import Levenshtein

    from archive.models import OcrSettings, PageTask
    from archive.vntext import match_key
    from indexer.extract.ocr import ocr_page
    from tests.segment_pages import PAGE_H, PAGE_W

    items = [banner("NHỮNG VẤN ĐỀ CHUNG"),
             title("Chi bộ thôn Đông đổi mới cách sinh hoạt"),
             para(body(S1, S2)), para(body(S3, S4)), sign("Nguyễn Văn An"),
             banner("HỎI – ĐÁP"), title("Giải đáp về thủ tục chuyển sinh hoạt đảng"),
             para("Hỏi: Đảng viên đi làm ăn xa có phải sinh hoạt tạm thời ở nơi cư trú không?"),
             para("Đáp: Có, theo quy định hiện hành của Ban Chấp hành Trung ương. " + S2)]
    issue = Issue(items, columns=1, header="", footer="")
    pdf = draw_pdf(issue, tmp_path / "page.pdf")
    assert len(issue.pages) == 1
    task = PageTask("test/1", str(pdf), "pdf", 0, "x", OcrSettings(dpi=200))
    result = ocr_page(task)
    page = PageWords(1, result.words, "ocr", PAGE_W, PAGE_H)
    first, second = segment_issue(ISSUE, [page])
    for got, want in ((first.title, "Chi bộ thôn Đông đổi mới cách sinh hoạt"),
                      (second.title, "Giải đáp về thủ tục chuyển sinh hoạt đảng")):
        assert Levenshtein.normalized_distance(match_key(got), match_key(want)) <= 0.1
    assert (first.section, first.kind) == ("Những vấn đề chung", "tin")  # 125 words: a brief
    assert (second.section, second.kind) == ("Hỏi – đáp", "hoi-dap")
    assert match_key(first.byline) == match_key("Nguyễn Văn An")
    assert 0 < first.confidence < 100


@pytest.mark.parametrize("text,name", [
    ("Nguyễn Văn An", True), ("TRẦN THỊ BÌNH", True), ("ThS. Lê Hồng Lộc", True),
    ("Đại tá Phạm Văn Hùng", True), ("Minh Anh", True), ("Đoàn Duy Tuấn", True),
    ("Nguyễn Văn An - Trường Chính trị tỉnh", True),
    ("Thôn Thượng, xã Hoà Lạc Đông đã thành lập tổ", False), ("Đầu Xuân, xã Yên Thịnh", False),
    ("Việt Nam đảm nhận vai trò", False), ("Hà Nội.", False), ("Nguyễn", False),
])
def test_names_as_bylines(text: str, name: bool) -> None:
    from indexer.segment.headings import looks_like_name

    assert looks_like_name(text) is name


@pytest.mark.parametrize("text,source", [
    ("(Theo báo Nhân Dân)", True), ("Theo TTXVN", True), ("Nguồn: Tạp chí Cộng sản", True),
    ("theo quy định.", False), ("Theo", False),
])
def test_source_lines(text: str, source: bool) -> None:
    from indexer.segment.headings import is_source_line

    assert is_source_line(text) is source


def test_table_of_contents_whose_page_numbers_were_lost() -> None:
    """OCR drops a right-aligned column of page numbers: the table is still no article."""
    items = masthead() + [
        Item("toc-head", "MỤC LỤC", size=12, bold=True, align="center", full=True),
        Item("toc", "Nâng cao chất lượng sinh hoạt chi bộ ở nông thôn", full=True),
        Item("toc", "Mấy suy nghĩ về công tác dân vận ở cơ sở", full=True),
        title("Nâng cao chất lượng sinh hoạt chi bộ ở nông thôn", before=20),
        para(body(S1, S2, S3, times=3)),
        title("Mấy suy nghĩ về công tác dân vận ở cơ sở"), para(body(S2, S3, times=3)),
    ]
    seg = segment_issue_report(ISSUE, page_words(Issue(items), ocr=True))
    assert [(e.title, e.page) for e in seg.toc] == [
        ("Nâng cao chất lượng sinh hoạt chi bộ ở nông thôn", 0),
        ("Mấy suy nghĩ về công tác dân vận ở cơ sở", 0)]
    assert [a.title for a in seg.articles] == [e.title for e in seg.toc]


@pytest.mark.parametrize("line,entry", [
    ("Nâng cao chất lượng sinh hoạt chi bộ ........ 3", ("Nâng cao chất lượng sinh hoạt chi bộ", 3)),
    ("Nâng cao chất lượng sinh hoạt chi bộ 12", ("Nâng cao chất lượng sinh hoạt chi bộ", 12)),
    ("5 Hỏi – đáp về đảng phí", ("Hỏi – đáp về đảng phí", 5)),
    ("Nghị quyết số 21-NQ/TW", None),
])
def test_table_of_contents_lines(line: str, entry: tuple[str, int] | None) -> None:
    from indexer.segment.toc import parse_entry

    assert parse_entry(line) == entry


def test_capital_title_whose_last_line_looks_like_a_name() -> None:
    """*NÂNG TẦM SẢN PHẨM / QUẾ HỮU CƠ CỦA BÌNH / XUYÊN HẠ*: a last line in the title's own
    type and capitals wraps the title; it is no byline and the lines above are no banner."""
    lines = ["NÂNG TẦM SẢN PHẨM", "QUẾ HỮU CƠ CỦA BÌNH", "XUYÊN HẠ"]
    items = [banner("NHỮNG VẤN ĐỀ CHUNG")]
    items += [Item("title", text, size=15.0, bold=True, align="left" if n < 2 else "center",
                   before=14.0 if n == 0 else 1.5) for n, text in enumerate(lines)]
    items += [para(body(S1, S2, times=3)), para(body(S3, S4, times=2)), sign("Lê Văn Bình")]
    (article,) = segment_issue(ISSUE, page_words(Issue(masthead() + items, columns=2)))
    assert article.title == "NÂNG TẦM SẢN PHẨM QUẾ HỮU CƠ CỦA BÌNH XUYÊN HẠ"
    assert article.section == "Những vấn đề chung" and article.byline == "Lê Văn Bình"


def test_last_line_run_over_beside_the_colophon() -> None:
    """An article's last line alone at the top of the last page, with the colophon set in
    the other column: the line ends the article, the colophon belongs to none."""
    from tests.segment_pages import MARGIN, Placed, typeset

    items = masthead() + [banner("NHỮNG VẤN ĐỀ CHUNG"), title("Thư gửi bạn đọc"),
                          para(body(S1, S2, times=2)), para(body(S3, S4, S1))]
    issue = Issue(items, columns=2)
    pages = typeset(issue)
    right = MARGIN + 260.0
    colophon = ["Chịu trách nhiệm xuất bản: Đỗ Hải Duyên",
                "In 1.500 bản, khổ 19 x 27 cm, tại Công ty In Vân Hà",
                "Giấy phép xuất bản số 15/GP-BTTTT, cấp ngày 3/12/2014."]
    last = [Placed(len(pages) + 1, line, right, 90.0 + 12.0 * n, 9.0, False)
            for n, line in enumerate(colophon)]
    last.insert(1, Placed(len(pages) + 1, "những người viết.", MARGIN, 98.0, 11.0, False))
    issue.pages = pages + [last]
    (article,) = segment_issue(ISSUE, page_words(issue))
    assert article.last_page == len(pages) + 1
    assert article.text.endswith("những người viết.") and "Chịu trách" not in article.text


def test_ocr_title_whose_capital_came_out_in_lower_case() -> None:
    """*mình hình thế giới tháng 12*: OCR read the title's T as m. Right under a banner and
    in larger type it is still the title (in the body type it would go on a sentence)."""
    items = masthead() + [banner("THÔNG TIN THỜI SỰ"), title("mình hình thế giới tháng 12"),
                          para(body(S1, S2, times=2)), para(body(S3, S4)), sign("PV")]
    (article,) = segment_issue(ISSUE, page_words(Issue(items, columns=2), ocr=True, seed=3))
    assert article.title == "mình hình thế giới tháng 12"
    assert article.section == "Thông tin thời sự" and article.byline == "PV"


@pytest.mark.parametrize("line, colophon", [
    ("Chịu trách nhiệm xuất bản: Nguyễn Văn Lộc", True),
    ("Chịu thá nhiệm xuất bản: Nguyễn Thanh Lợc", True),  # OCR garbled trách
    ("Chịu trách nhiệm xuất hẳn: Nguyễn Thanh Lộc", True),  # ... and bản
    ("Địa chỉ: 10 Trần Phú, thành phố Vân Giang", True),
    ("Điện thoại: (0236) 3822 111", True),
    ("địa chỉ người viết, Bài viết ngắn gọn, có số liệu", False),  # a notice to readers
    ("Điện thoại di động giúp đảng viên nắm tin nhanh", False),
    ("6iấy phép xuất bản số 439/GP-BVHTT", True),
    ("In 22.009 bản, khổ 19 x 27 cm, tại Xưởng in", True),
    ("Chi bộ chịu trách nhiệm trước đảng viên về kết quả", False),
    ("Nhà xuất bản Chính trị quốc gia phát hành cuốn sách", False),
])
def test_colophon_lines(line: str, colophon: bool) -> None:
    from indexer.segment.masthead import is_colophon_line

    assert is_colophon_line(line) is colophon


def test_a_title_line_in_lower_case_that_names_a_section_is_no_banner() -> None:
    """*Chi bộ thôn Đông Hà đổi mới / nội dung sinh hoạt*: the second line reads like the
    section *Nội dung sinh hoạt chi bộ* and OCR measured it taller, but it starts in lower
    case close under the line above: the title wraps, no new section begins."""
    items = masthead() + [banner("NHỮNG VẤN ĐỀ CHUNG"),
                          title("Chi bộ thôn Đông Hà đổi mới", size=14.0),
                          Item("title", "nội dung sinh hoạt", size=17.0, bold=True, before=0.0),
                          para(body(S1, S2, times=2)), para(body(S3, S4, times=2)),
                          sign("Lê Thị Mai")]
    (article,) = segment_issue(ISSUE, page_words(Issue(items, columns=2), ocr=True, seed=4))
    assert article.title == "Chi bộ thôn Đông Hà đổi mới nội dung sinh hoạt"
    assert article.section == "Những vấn đề chung" and article.byline == "Lê Thị Mai"


def test_lines_of_text_repeated_at_page_tops_are_no_running_header() -> None:
    """A bulletin with no running header whose pages happen to begin with the same words
    (here: pages 3 and 4 repeat page 2 line for line): full lines of text, close under one
    another, are text, not a header recurring at the top of the page."""
    from dataclasses import replace as copy

    items = [title("Bài viết thứ nhất")] + [para(body(S1, S2, S3, S4)) for _ in range(6)]
    issue = Issue(items, columns=1, header="", footer="")
    pages = typeset(issue)[:2]
    issue.pages = pages + [[copy(p, page=n) for p in pages[1]] for n in (3, 4)]
    (article,) = segment_issue(ISSUE, page_words(issue))
    lines = [p.text for page in issue.pages for p in page
             if p.text != "Bài viết thứ nhất" and not p.text.isdigit()]  # page numbers go
    assert squash(article.text).replace("- ", "") == squash(" ".join(lines))
    assert article.last_page == 4
