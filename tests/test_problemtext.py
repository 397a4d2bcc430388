"""Segment warnings read in Vietnamese: the stage writes them so, and the English ones of
catalogs built before are rewritten when shown."""

from __future__ import annotations

from archive import problemtext


def test_old_english_messages_are_shown_in_vietnamese() -> None:
    stored = ("unknown section banner 'DIỄN ĐÀN CƠ SỞ' (page 3): add it to sections.toml if it"
              " names a section; Mục lục: 'Tin trong tỉnh' (trang 0) not found on the page;"
              " no article found on page(s) 4, 5; page(s) 2 have no text yet (run `bantin"
              " extract`); their articles are missing")
    shown = problemtext.vietnamese(stored)
    assert shown == ("Tên chuyên mục lạ “DIỄN ĐÀN CƠ SỞ” (trang 3): nếu đúng là một chuyên mục,"
                     " thêm vào danh sách chuyên mục (sections.toml); Mục lục có bài “Tin trong"
                     " tỉnh” nhưng không thấy tiêu đề này trong trang; Không tìm thấy tin, bài"
                     " nào ở trang 4, 5; Trang 2 chưa có văn bản (cần chạy bước trích xuất văn"
                     " bản); thiếu các tin, bài ở đó")
    assert problemtext.toc_not_found("Hỏi – đáp", 7).endswith("(trang 7) nhưng không thấy tiêu đề này trong trang")
    assert problemtext.vietnamese(shown) == shown  # Vietnamese stays as it is
