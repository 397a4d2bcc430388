"""Citations (Vietnamese, RIS, BibTeX, CSL-JSON), Vietnamese display formats, the holdings
calendar and the viewer's word marking: the pure parts of the web app."""

from __future__ import annotations

import json
import re

from archive import holdings, vnformat
from archive.models import Issue, Series, SeriesTitle, Word
from webapp import cite, marks

C = cite.Citation(id="ttshcb-2012-07-p12-3fa9", title="Học tập và làm theo {Bác} 100% & #1",
                  author="Nguyễn Văn An", container="Thông tin sinh hoạt chi bộ",
                  publisher="Ban Tuyên giáo Trung ương", number="07", year=2012, month=7,
                  first_page=12, last_page=14, url="https://thuvien.example/a/ttshcb-2012-07-p12-3fa9")


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    """A strict RIS reader: every line is 'XX  - value', records end with 'ER  - '."""
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    for line in text.split("\r\n"):
        if not line:
            continue
        m = re.fullmatch(r"([A-Z][A-Z0-9])  - ?(.*)", line)
        assert m, f"not a RIS line: {line!r}"
        tag, value = m.groups()
        if tag == "TY":
            assert current is None
            current = {}
        assert current is not None, "a tag before TY"
        if tag == "ER":
            records.append(current)
            current = None
        else:
            current.setdefault(tag, []).append(value)
    assert current is None, "record not closed by ER"
    return records


def test_vietnamese_citation() -> None:
    assert cite.vietnamese(C) == ('Nguyễn Văn An, "Học tập và làm theo {Bác} 100% & #1", Thông tin sinh '
                                  'hoạt chi bộ, số 7/2012, tr. 12–14, '
                                  'https://thuvien.example/a/ttshcb-2012-07-p12-3fa9')
    unsigned = cite.Citation(**{**C.__dict__, "author": "", "last_page": 12, "title": "Tiêu đề"})
    assert cite.vietnamese(unsigned) == ('"Tiêu đề", Thông tin sinh hoạt chi bộ, số 7/2012, tr. 12, '
                                         'https://thuvien.example/a/ttshcb-2012-07-p12-3fa9')


def test_ris_parses() -> None:
    (rec,) = parse_ris(cite.ris(C))
    assert rec["TY"] == ["MGZN"] and rec["TI"] == [C.title] and rec["AU"] == ["Nguyễn Văn An"]
    assert rec["T2"] == ["Thông tin sinh hoạt chi bộ"] and rec["IS"] == ["7"]
    assert rec["PY"] == ["2012"] and rec["DA"] == ["2012/07"]
    assert rec["SP"] == ["12"] and rec["EP"] == ["14"] and rec["UR"] == [C.url]


def test_bibtex_escapes_and_balances() -> None:
    text = cite.bibtex(C)
    assert text.startswith("@article{ttshcb-2012-07-p12-3fa9,\n")
    assert "title = {{Học tập và làm theo \\{Bác\\} 100\\% \\& \\#1}}" in text
    assert "pages = {12--14}" in text and "month = jul" in text and f"url = {{{C.url}}}" in text
    depth = 0
    for i, ch in enumerate(text):
        if ch in "{}" and (i == 0 or text[i - 1] != "\\"):
            depth += 1 if ch == "{" else -1
            assert depth >= 0
    assert depth == 0


def test_csl_json() -> None:
    (item,) = json.loads(cite.csl_json(C))
    assert item["type"] == "article-magazine" and item["container-title"] == C.container
    assert item["issued"] == {"date-parts": [[2012, 7]]} and item["page"] == "12-14"
    assert item["author"] == [{"literal": "Nguyễn Văn An"}] and item["URL"] == C.url


def test_vietnamese_formats() -> None:
    assert vnformat.number(1234.5, 1) == "1.234,5"
    assert vnformat.number(1234567) == "1.234.567"
    assert vnformat.number(0.5, 2) == "0,50"
    assert vnformat.percent(0.125, 1) == "12,5 %"
    assert vnformat.month("1989-07") == "tháng 7/1989"
    assert vnformat.month("1989") == "năm 1989"
    assert vnformat.day("2022-06-16") == "ngày 16/6/2022"
    assert vnformat.issue_number("07", 2012) == "số 7/2012"
    assert vnformat.issue_number("02", 1995, suffix="xuan") == "số 2/1995 (số Xuân)"
    assert vnformat.page_range(12, 14) == "tr. 12–14" and vnformat.page_range(3, 3) == "tr. 3"


def _issue(series: str, year: int, number: str, suffix: str = "") -> Issue:
    iid = f"{series}-{year}-{number}" + (f"-{suffix}" if suffix else "")
    return Issue(id=iid, series=series, year=year, number=number, suffix=suffix)


def test_holdings_calendar_marks_gaps() -> None:
    s = Series("ttshcb", "Thông tin sinh hoạt chi bộ", "", 1989, 12,
               titles=(SeriesTitle("Thông báo nội bộ", "", "1989-07", "1999-12"),))
    issues = [_issue("ttshcb", 1989, "01"), _issue("ttshcb", 1989, "03"), _issue("ttshcb", 1991, "12"),
              _issue("ttshcb", 1991, "02", "xuan")]
    h = holdings.holdings(s, issues)
    assert [y.year for y in h.years] == [1989, 1990, 1991]
    y1989, y1990, y1991 = h.years
    assert y1989.expected == 6 and y1989.gaps == [2, 4, 5, 6]  # first issue in July: 6 expected
    assert y1990.held == 0 and y1990.gaps == list(range(1, 13))
    assert y1991.gaps == list(range(1, 12)) and [i.id for i in y1991.specials] == ["ttshcb-1991-02-xuan"]
    assert h.held == 4 and h.expected == 30 and h.missing == 4 + 12 + 11


def test_holdings_without_expected_count() -> None:
    s = Series("x", "X", "", 0, 0)
    h = holdings.holdings(s, [_issue("x", 2000, "02"), _issue("x", 2002, "01")])
    assert [y.year for y in h.years] == [2000, 2001, 2002]
    assert h.missing == 1 and h.years[0].gaps == [1]  # number 1 missing before a held 2


def _words(text: str) -> list[Word]:
    return [Word(t, (i / 100, 0.1, (i + 1) / 100, 0.12)) for i, t in enumerate(text.split())]


def test_marks_fold_phrases_identifiers_and_negation() -> None:
    words = _words("Thực hiện Nghị quyết số 21-NQ/TW, chi bộ tổ chức sinh hoạt chi bộ. Học tập")
    assert marks.marked_words(words, "nghi quyet") == {2, 3}
    assert marks.marked_words(words, '"sinh hoat chi bo"') == {10, 11, 12, 13}
    assert marks.marked_words(words, "21-nq/tw") == {5}
    assert marks.marked_words(words, "chi NOT hoc") == {6, 12}
    assert marks.marked_words(words, "chi -học") == {6, 12}
    assert marks.marked_words(words, "nghị AND 21 - NQ/TW") == {2, 5}  # the engine's parser:
    assert marks.marked_words(words, "tw") == set()  # "tw" is not a word of 21-NQ/TW (one token)
    assert marks.marked_words(words, "nghi quyết") == {2, 3}  # the rule: quyết exact
    assert marks.marked_words(words, "nghĩ") == set()  # nghị is not nghĩ
    assert marks.marked_words(words, "") == set()
    assert marks.count_matches(words, "chi bo") == 4  # "chi" ×2 + "bo" ×2
    assert marks.text_matches("Sinh hoạt chi bộ", "sinh hoat") and not marks.text_matches("x", "y")


def test_marks_span_line_breaks() -> None:
    words = [Word("sinh", (0.1, 0.1, 0.2, 0.12), line=1), Word("hoạt", (0.8, 0.1, 0.9, 0.12), line=1),
             Word("chi", (0.1, 0.13, 0.2, 0.15), line=2), Word("bộ", (0.2, 0.13, 0.3, 0.15), line=2)]
    assert marks.marked_words(words, '"hoạt chi"') == {1, 2}


def test_article_outline_merges_lines_per_column() -> None:
    from webapp.library import merge_boxes

    left = [[0.1, 0.10 + 0.02 * i, 0.45, 0.115 + 0.02 * i] for i in range(5)]
    right = [[0.55, 0.10 + 0.02 * i, 0.9, 0.115 + 0.02 * i] for i in range(3)]
    far = [[0.1, 0.8, 0.45, 0.815]]
    assert merge_boxes(left + right + far) == [[0.1, 0.1, 0.45, 0.195], [0.55, 0.1, 0.9, 0.155],
                                              [0.1, 0.8, 0.45, 0.815]]
