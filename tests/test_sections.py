"""The sections list: banners as printed → canonical names; editors' additions; bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.errors import ConfigError
from indexer.segment.sections import load_sections
from indexer.segment.segmenter import segment_issue, segment_issue_report
from tests.segment_pages import Issue, banner, page_words, para, title
from tests.test_segment import ISSUE, S1, S2, S3, body


@pytest.mark.parametrize("printed,name", [
    ("HỎI – ĐÁP", "Hỏi – đáp"),
    ("Hỏi đáp", "Hỏi – đáp"),
    ("HOI - DAP", "Hỏi – đáp"),  # diacritics lost
    ("Chuyên mục: Hỏi – đáp", "Hỏi – đáp"),
    ("NHỮNG VẤN ĐỀ CHUNG", "Những vấn đề chung"),
    ("Nhũng vấn đề chung", "Những vấn đề chung"),  # an OCR error
    ("HỌC TẬP VÀ LÀM THEO BÁC", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("Học tập và làm theo tư tưởng, đạo đức", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("HỌC TẬP TƯ TƯỞNG HỒ CHÍ MINH", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("Gợi ý nội dung sinh hoạt chi bộ", "Định hướng sinh hoạt chi bộ"),
    ("TIN HOẠT ĐỘNG TRONG TỈNH", "Tin trong tỉnh"),
    ("Tin trong nước – quốc tế", "Thông tin thời sự"),
    ("BẢO VỆ NỀN TẢNG TƯ TƯỞNG CỦA ĐẢNG", "Đấu tranh phản bác các quan điểm sai trái, thù địch"),
])
def test_printed_banners_map_to_canonical_names(printed: str, name: str) -> None:
    match = load_sections().match(printed)
    assert match is not None and match.name == name


@pytest.mark.parametrize("line", [
    "Hỏi – đáp về sinh hoạt của đảng viên",  # a title that starts like a banner
    "Thông tin sinh hoạt chi bộ",  # the bulletin's own title
    "Đảng bộ xã tổ chức hội nghị sơ kết",
    "Tin",
])
def test_other_lines_are_not_banners(line: str) -> None:
    assert load_sections().match(line) is None


def test_editors_add_a_section_in_the_home_folder(tmp_path: Path) -> None:
    items = [banner("DIỄN ĐÀN CƠ SỞ"), title("Ý kiến từ một chi bộ vùng biển"),
             para(body(S1, S2, S3, times=3))]
    pages = page_words(Issue(items))
    seg = segment_issue_report(ISSUE, pages, sections=load_sections(tmp_path))
    (before,) = seg.articles  # an unknown banner is kept as printed, and reported
    assert before.section == "Diễn đàn cơ sở" and before.title == "Ý kiến từ một chi bộ vùng biển"
    assert any("Tên chuyên mục lạ “DIỄN ĐÀN CƠ SỞ”" in p for p in seg.problems)
    (tmp_path / "sections.toml").write_text(
        '[[section]]\nname = "Diễn đàn"\nvariants = ["Diễn đàn cơ sở", "Diễn đàn"]\nkind = "bai"\n',
        encoding="utf-8")
    sections = load_sections(tmp_path)
    assert sections.match("Hỏi – đáp") is not None  # the shipped list is still there
    (after,) = segment_issue(ISSUE, pages, sections=sections)
    assert after.section == "Diễn đàn" and after.title == "Ý kiến từ một chi bộ vùng biển"
    assert sections.key != load_sections().key  # the edit makes every issue current no more


def test_a_malformed_file_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "sections.toml"
    bad.write_text('[[section]]\nname = "Diễn đàn"\nvariants = ["Diễn đàn cơ sở",\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_sections(tmp_path)
    assert str(bad) in str(err.value) and "line" in str(err.value)


@pytest.mark.parametrize("content,fault", [
    ('[[section]]\nvariants = ["X"]\n', "has no name"),
    ('[[section]]\nname = "X"\nkind = "phong-su"\n', "kind 'phong-su'"),
    ('[[section]]\nname = "X"\nvariants = "Y"\n', "variants must be a list"),
])
def test_bad_entries_are_named(tmp_path: Path, content: str, fault: str) -> None:
    (tmp_path / "sections.toml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=fault):
        load_sections(tmp_path)
