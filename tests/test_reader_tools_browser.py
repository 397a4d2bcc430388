"""The reader's tools of issue 20 in headless Chromium: save a search from the search page and
come back to it, report an error from the page viewer, download the issue PDF from the viewer;
the new pages fit a 390 px and a 1,280 px screen without sideways scrolling."""

# ruff: noqa: F811
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_browser import ARGS, CHROMIUM, log_in
from tests.web_fixtures import WebHome, build_web_home, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, WebHome]]:
    from webapp import create_app

    home = build_web_home(tmp_path_factory.mktemp("reader-tools-home"))
    if not home.search_ready:
        pytest.skip("no search engine")
    (home.path / "bantin.toml").write_text(f'secret_key = "{"r3ader-" * 8}"\n', encoding="utf-8")
    with served(create_app({"HOME": str(home.path)})) as base:
        yield base, home


@pytest.fixture(scope="module")
def page(site: tuple[str, WebHome], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=ARGS, accept_downloads=True, viewport={"width": 1280, "height": 860}, locale="vi-VN")
        context.set_default_timeout(15000)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        log_in(pg, site[0], "doc")
        yield pg
        context.close()
        assert not errors, f"errors in the browser console: {errors}"


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (page.url, width)


def test_save_a_search_and_come_back_to_it(page: Any, site: tuple[str, WebHome]) -> None:
    base, _ = site
    page.goto(base + "/search?q=hop+tac+xa")
    page.click("#save-search summary")
    page.fill("#save-name", "Hợp tác xã kiểu mới")
    page.click("#save-search-submit")
    page.wait_for_url(base + "/saved/*")
    assert "0 kết quả mới" in page.text_content("#new-h")
    page.goto(base + "/saved/")
    assert page.text_content("#saved-list .saved-name") == "Hợp tác xã kiểu mới"
    page.click("#saved-list .rerun")
    page.wait_for_url(base + "/search?q=hop+tac+xa")
    assert int(page.get_attribute(".results-count", "data-total")) >= 1


def test_report_an_error_from_the_viewer(page: Any, site: tuple[str, WebHome]) -> None:
    base, _ = site
    page.goto(base + "/i/ttshcb-2012-07/1")
    page.click("#report-error summary")
    page.check("input[name=kind][value=ocr]")
    page.fill("#report-message", "Chữ “chuyen” ở dòng 3 phải là “chuyên”.")
    page.click("#report-submit")
    assert "đã được đưa vào danh sách" in page.text_content("#report-thanks")


def test_download_the_issue_pdf_from_the_viewer(page: Any, site: tuple[str, WebHome], tmp_path: Path) -> None:
    base, _ = site
    page.goto(base + "/i/ttshcb-2012-07/2")
    with page.expect_download() as info:
        page.click("#dl-issue-pdf")
    target = tmp_path / "so.pdf"
    info.value.save_as(target)
    assert target.read_bytes()[:5] == b"%PDF-" and info.value.suggested_filename == "ttshcb-2012-07.pdf"


@pytest.mark.parametrize("width", [390, 1280])
def test_new_pages_fit_the_screen(page: Any, site: tuple[str, WebHome], width: int) -> None:
    base, _ = site
    page.set_viewport_size({"width": width, "height": 860})
    page.goto(base + "/saved/")
    if page.locator("#saved-list .saved-name").count() == 0:
        page.goto(base + "/search?q=tham+nhung")
        page.click("#save-search summary")
        page.click("#save-search-submit")
        page.goto(base + "/saved/")
    _fits(page)
    for path in (page.get_attribute("#saved-list .saved-name", "href"), "/docs/api", "/account"):
        page.goto(base + path)
        _fits(page)
    page.set_viewport_size({"width": 1280, "height": 860})
