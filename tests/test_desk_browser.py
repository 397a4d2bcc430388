"""The editors' desk in a real headless Chromium (Debian's, driven by Playwright) against the
app served by waitress on a free loopback port, on a home built by the real pipeline.

One server and one browser for the module; each test opens its own browser context (its own
login) and works on its own page or article, so the tests pass in any order and under
pytest-xdist. With ``BANTIN_SCREENSHOTS=1`` they save the README's desk screenshots.
"""
# ruff: noqa: F811  (pytest fixtures imported from tests.desk_fixtures are redefined as arguments)
from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.desk_fixtures import (  # noqa: F401  (fixtures)
    CORRECT,
    ISSUE,
    MISREAD,
    PASSWORD,
    VILLAGE_TITLE,
    DeskHome,
    copy_home,
    desk_template,
)
from tests.test_browser import ARGS, CHROMIUM, log_in, screenshot, wait_until
from tests.web_fixtures import served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
    pytest.skip("Debian's chromium is not installed (make setup installs it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(desk_template: DeskHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, DeskHome]]:
    from webapp import create_app

    home = copy_home(desk_template, tmp_path_factory.mktemp("desk-browser"))
    (home.path / "bantin.toml").write_text(f'secret_key = "{"d3sk-" * 10}"\n', encoding="utf-8")
    with served(create_app({"HOME": str(home.path)})) as base:
        yield base, home


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def session(browser: Any, site: tuple[str, DeskHome]) -> Iterator[Any]:
    """A fresh context; ``session(name)`` logs that user in and returns a page."""
    base, _home = site
    contexts = []
    errors: list[str] = []

    def open_as(name: str) -> Any:
        context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900},
                                      locale="vi-VN")
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" and "403" not in m.text and "409" not in m.text else None)
        log_in(page, base, name)
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert not errors, f"errors in the browser console: {errors}"


def editor_text(page: Any) -> str:
    return page.input_value("#page-text")


def test_correct_a_misread_word_beside_the_scan_find_it_and_restore(session: Any,
                                                                    site: tuple[str, DeskHome]) -> None:
    base, home = site
    page_id = home.page_of(MISREAD)
    issue_id, seq = page_id.split("/")
    page = session("bientap")
    page.goto(f"{base}/i/{issue_id}/{seq}")
    page.click("#edit-page")
    page.wait_for_url(f"{base}/desk/i/{issue_id}/{seq}")
    wait_until(page, "document.getElementById('scan-img').complete"
                     " && document.getElementById('scan-img').naturalWidth > 0")
    scan, editor = page.locator("#scan").bounding_box(), page.locator("#page-text").bounding_box()
    assert editor["x"] > scan["x"] + scan["width"] - 1  # side by side
    original = editor_text(page)
    assert MISREAD in original.split()
    screenshot(page, "desk-page.png")
    page.fill("#page-text", re.sub(rf"\b{MISREAD}\b", CORRECT, original))
    page.fill("#reason", "sửa tên huyện")
    page.click("#save-page")
    page.wait_for_selector(".desk-flash .ok")
    assert "Đã lưu và cập nhật tìm kiếm" in page.text_content(".desk-flash")
    assert page.text_content("#version-in-force") == "bản hiệu đính 1"
    # a search for the corrected word finds the article at once
    article_id = home.article_id(VILLAGE_TITLE)
    page.goto(base + "/search")
    page.fill("#q", f'"na {CORRECT.lower()}"')
    page.press("#q", "Enter")
    page.wait_for_selector(".hit-item")
    assert page.locator(".hit-item").count() == 1
    assert page.get_attribute(".hit-item", "data-id") == article_id
    # the original stays viewable, and a restore brings it back
    page.goto(f"{base}/desk/i/{issue_id}/{seq}")
    page.click("#page-history-link")
    page.click("#versions li[data-version='0'] a")
    assert MISREAD in page.text_content("#version-text").split()
    assert page.locator("#diff .add").count() >= 1
    page.click("#restore")
    page.wait_for_url(f"{base}/desk/i/{issue_id}/{seq}")
    assert editor_text(page) == original and page.text_content("#version-in-force") == "bản hiệu đính 2"
    page.goto(base + f"/search?q=%22na+{MISREAD.lower()}%22")
    assert page.get_attribute(".hit-item", "data-id") == article_id


def test_two_editors_on_the_same_page_get_a_conflict_with_the_difference(session: Any,
                                                                         site: tuple[str, DeskHome]) -> None:
    base, _home = site
    url = f"{base}/desk/i/{ISSUE}/1"
    first, second = session("bientap"), session("bientap2")
    first.goto(url)
    second.goto(url)
    text = editor_text(first)
    first.fill("#page-text", text.replace("Thực hiện", "Triển khai", 1))
    first.click("#save-page")
    first.wait_for_selector(".desk-flash .ok")
    second.fill("#page-text", text.replace("Lưu hành", "LƯU HÀNH", 1))
    second.click("#save-page")
    second.wait_for_selector("#conflict")
    assert "vừa được người khác sửa" in second.text_content("#conflict")
    assert "Triển khai" in second.text_content("#their-text")
    assert "LƯU HÀNH" in second.text_content("#diff .add") and second.locator("#diff .del").count() >= 1
    screenshot(second, "desk-conflict.png")
    # nothing was lost: the first editor's text is in force; the second re-applies on top of it
    second.fill("#my-text", second.input_value("#my-text").replace("Thực hiện", "Triển khai", 1))
    second.click("#save-anyway")
    second.wait_for_selector(".desk-flash .ok")
    final = editor_text(second)
    assert "Triển khai" in final and "LƯU HÀNH" in final


def test_a_reader_sees_no_edit_controls_and_is_refused_the_desk(session: Any,
                                                                site: tuple[str, DeskHome]) -> None:
    base, home = site
    page = session("doc")
    article_id = home.article_id(VILLAGE_TITLE)
    for url in (f"/i/{ISSUE}/1", f"/a/{article_id}", f"/i/{ISSUE}"):
        page.goto(base + url)
        assert page.locator("#edit-page, #edit-article, #edit-issue, #add-to-collection").count() == 0, url
    assert page.locator("header nav a[href='/desk/']").count() == 0
    response = page.goto(f"{base}/desk/i/{ISSUE}/1")
    assert response.status == 403 and page.locator("#page-text").count() == 0


def test_gather_evidence_and_export_it(session: Any, site: tuple[str, DeskHome]) -> None:
    base, home = site
    article_id = home.article_id(VILLAGE_TITLE)
    page = session("bientap")
    page.goto(f"{base}/a/{article_id}")
    page.click("#add-to-collection summary")
    page.fill("#add-new-name", "Minh chứng trình duyệt")
    page.fill("#add-note", "Kinh nghiệm đổi mới sinh hoạt")
    page.click("#add-to-collection-submit")
    page.wait_for_selector(".desk-flash .ok")
    page.goto(base + "/c/")
    page.click("text=Minh chứng trình duyệt")
    share = page.get_attribute("#share-link", "href")
    assert re.fullmatch(rf"{re.escape(base)}/c/minh-chung-trinh-duyet-[0-9a-f]{{4}}", share)
    with page.expect_download() as info:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert [(r["ma"], r["ghi_chu"]) for r in rows] == [(article_id, "Kinh nghiệm đổi mới sinh hoạt")]
    # the share link opens for a reader
    reader = session("doc")
    reader.goto(share)
    assert reader.text_content("#collection-name") == "Minh chứng trình duyệt"
    assert reader.locator(f"#items a[href='/a/{article_id}']").count() == 1


def test_review_queue_leads_to_the_worst_page(session: Any, site: tuple[str, DeskHome]) -> None:
    base, _home = site
    page = session("bientap")
    page.click("header nav a[href='/desk/']")
    page.wait_for_selector("#queue-pages")
    screenshot(page, "desk-queue.png")
    first = page.locator("#queue-pages tbody a").first
    target = first.get_attribute("href")
    first.click()
    page.wait_for_url(base + target)
    assert page.locator("#page-text").count() == 1
