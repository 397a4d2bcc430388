"""The HTML report and the coverage pages in a real headless Chromium (Debian's, driven by
Playwright), against the small sample served by waitress: the report's charts load, its links
are absolute and open the archive for a logged-in reader; a heatmap cell and a trend point
open the articles they count. With ``BANTIN_SCREENSHOTS=1`` the README's pictures are saved.
"""
# ruff: noqa: F811  (pytest fixtures imported from tests.review_fixtures are redefined as arguments)

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.review_fixtures import READER, SampleHome, sample_home  # noqa: F401
from tests.test_browser import ARGS, CHROMIUM, log_in, screenshot
from tests.web_fixtures import served

pytestmark = [pytest.mark.browser, pytest.mark.slow]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(sample_home: SampleHome) -> Iterator[str]:
    from webapp import create_app

    app = create_app({"HOME": str(sample_home.path), "SECRET_KEY": "r3port-" * 8})
    with served(app) as base:
        app.config["BASE_URL"] = base  # read per request: set before the first one
        yield base


@pytest.fixture(scope="module")
def page(site: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=ARGS, viewport={"width": 1280, "height": 900}, locale="vi-VN")
        context.set_default_timeout(20000)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        log_in(pg, site, READER)
        yield pg
        context.close()
        assert not errors, f"errors in the browser console: {errors}"


@pytest.fixture(scope="module")
def html_report(sample_home: SampleHome, site: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from review.filters import Filters
    from review.report import render_report
    from review.reportfile import write_report

    with sample_home.catalog() as catalog:
        report = render_report(catalog, sample_home.config, Filters(by="term"), base_url=site)
    return write_report(report, "html", tmp_path_factory.mktemp("report") / "phu-luc.html")


def test_the_html_report_shows_its_charts_and_links(page: Any, site: str, html_report: Path) -> None:
    page.goto(html_report.as_uri())
    figures = page.locator("figure[data-chart] img")
    assert figures.count() >= 6
    for k in range(figures.count()):
        img = figures.nth(k)
        img.scroll_into_view_if_needed()
        assert page.evaluate("(i) => i.complete && i.naturalWidth > 800", img.element_handle())
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert len(hrefs) >= 50 and all(h.startswith(site + "/") for h in hrefs)
    assert page.locator("h1").count() == 9 and page.locator("h3").count() >= 3  # 8 sections, the appendix
    screenshot(page, "report-html.png")


def test_an_example_article_link_opens_the_article(page: Any, site: str, html_report: Path) -> None:
    page.goto(html_report.as_uri())
    link = page.locator("li a[href*='/a/']").first
    title = link.text_content().strip("“”")
    link.click()
    page.wait_for_url(re.compile(re.escape(site) + r"/a/"))
    assert page.text_content("#article-title") == title


def test_a_number_in_the_report_opens_the_articles_it_counts(page: Any, site: str, html_report: Path) -> None:
    page.goto(html_report.as_uri())
    cell = page.locator("table[data-table='kinds'] td a").first
    count = int(cell.text_content().replace(".", ""))
    cell.click()
    page.wait_for_url(re.compile(re.escape(site) + r"/search\?"))
    assert page.text_content("#results-h").startswith(f"{count} kết quả")


def test_a_heatmap_cell_and_a_trend_point_open_their_articles(page: Any, site: str) -> None:
    page.goto(site + "/coverage/topics?by=term")
    screenshot(page, "coverage-topics.png")
    cell = page.locator("table.heat td[data-articles]:not([data-articles='0']) a").first
    count = int(cell.locator("..").get_attribute("data-articles"))
    cell.click()
    page.wait_for_url(re.compile(r"/search\?.*topic="))
    assert page.text_content("#results-h").startswith(f"{count} kết quả")
    page.goto(site + "/coverage/trends?terms=sinh+ho%E1%BA%A1t+chi+b%E1%BB%99")
    screenshot(page, "coverage-trends.png")
    circles = page.locator("svg.chart a circle")
    point = next(circles.nth(k) for k in range(circles.count())
                 if not circles.nth(k).locator("title").text_content().endswith(": 0"))
    point.click()
    page.wait_for_url(re.compile(r"/search\?q="))
    assert "sinh hoạt chi bộ" in page.input_value("#q")
    assert int(page.text_content("#results-h").split()[0].replace(".", "")) >= 1
