"""The segment stage's warnings, in Vietnamese, as editors read them in the review queue and
on the admin pipeline page.

Why one module: the stage writes these messages to the catalog's ``problem`` table and the
web app shows them; writing them here keeps one wording. Catalogs built before the messages
were translated still hold the English ones: :func:`vietnamese` rewrites those few known
forms when they are shown (stored rows are left as they are; the next segmentation of the
issue replaces them).
"""

from __future__ import annotations

import re
from collections.abc import Callable


def unknown_banner(text: str, page: int) -> str:
    return (f"Tên chuyên mục lạ “{text}” (trang {page}): nếu đúng là một chuyên mục, "
            "thêm vào danh sách chuyên mục (sections.toml)")


def toc_not_found(title: str, page: int) -> str:
    where = f" (trang {page})" if page else ""
    return f"Mục lục có bài “{title}”{where} nhưng không thấy tiêu đề này trong trang"


def no_article(pages: list[int]) -> str:
    return "Không tìm thấy tin, bài nào ở trang " + ", ".join(map(str, pages))


def no_text_yet(pages: list[int]) -> str:
    return ("Trang " + ", ".join(map(str, pages)) + " chưa có văn bản (cần chạy bước trích xuất"
            " văn bản); thiếu các tin, bài ở đó")


def segment_failed(detail: str) -> str:
    return f"Tách tin, bài thất bại: {detail}"


# The English forms written before (see git history of indexer/segment): pattern → rewrite.
_OLD: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"unknown section banner '(.*?)' \(page (\d+)\): add it to sections\.toml"
                r" if it names a section"),
     lambda m: unknown_banner(m.group(1), int(m.group(2)))),
    (re.compile(r"Mục lục: '(.*?)' \(trang (\d+)\) not found on the page"),
     lambda m: toc_not_found(m.group(1), int(m.group(2)))),
    (re.compile(r"no article found on page\(s\) (\d+(?:, \d+)*)"),
     lambda m: no_article([int(p) for p in m.group(1).split(",")])),
    (re.compile(r"page\(s\) (\d+(?:, \d+)*) have no text yet \(run `bantin extract`\); their articles"
                r" are missing"),
     lambda m: no_text_yet([int(p) for p in m.group(1).split(",")])),
    (re.compile(r"^segmentation failed: (.*)", re.S), lambda m: segment_failed(m.group(1))),
)


def vietnamese(message: str) -> str:
    """A stored segment message as shown (its parts, joined by ``; ``, each rewritten)."""
    for pattern, rewrite in _OLD:
        message = pattern.sub(rewrite, message)
    return message
