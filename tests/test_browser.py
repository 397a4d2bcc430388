"""The reading room in a real headless Chromium (Debian's, driven by Playwright) against the
app served for real by waitress on a free loopback port: one server and one browser for the
module. Each test logs in when it needs to and opens its own starting page, so the tests pass
in any order and when pytest-xdist spreads them over workers (each then has its own server).

With ``BANTIN_SCREENSHOTS=1`` the tests also save the README's screenshots to docs/img/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from tests.test_web_cite import parse_ris
from tests.web_fixtures import PASSWORD, WebHome, build_web_home, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "img"
HAS_SEARCH = __import__("importlib").util.find_spec("indexer.search.engine") is not None

if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
    pytest.skip("Debian's chromium is not installed (make setup installs it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def wait_until(page: Any, expression: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression (Playwright's wait_for_function evaluates strings, which
    the app's Content-Security-Policy rightly forbids)."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(50)


def screenshot(page: Any, name: str, *, real: bool = False) -> None:
    """Save a README screenshot when asked; with BANTIN_SCREENSHOT_HOME (a built home, e.g.
    the full sample) only the screenshots taken on that home are saved."""
    if os.environ.get("BANTIN_SCREENSHOTS") == "1" and real == bool(os.environ.get("BANTIN_SCREENSHOT_HOME")):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, WebHome]]:
    """The fixture home served by waitress, as `bantin serve` does (a real secret key)."""
    from webapp import create_app

    home = build_web_home(tmp_path_factory.mktemp("browser-home"))
    (home.path / "bantin.toml").write_text(f'secret_key = "{"s3cr3t-" * 8}"\n', encoding="utf-8")
    with served(create_app({"HOME": str(home.path)})) as base:
        yield base, home


@pytest.fixture(scope="module")
def page(site: tuple[str, WebHome], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            headless=True, args=ARGS, accept_downloads=True, viewport={"width": 1280, "height": 860},
            locale="vi-VN", permissions=["clipboard-read", "clipboard-write"])
        context.set_default_timeout(15000)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and "401" not in m.text else None)
        yield pg
        context.close()
        assert not errors, f"errors in the browser console: {errors}"


def log_in(page: Any, base: str, name: str, password: str = PASSWORD, *, wait: bool = True) -> None:
    """Through the real login form; ``wait``: until the home page has loaded."""
    page.goto(base + "/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button[type=submit]")
    if wait:
        page.wait_for_url(base + "/")


def ensure_logged_in(page: Any, base: str) -> None:
    page.goto(base + "/")
    if "/login" in page.url:
        log_in(page, base, "doc")


def test_login(page: Any, site: tuple[str, WebHome]) -> None:
    base, _ = site
    page.context.clear_cookies()
    page.goto(base + "/search")
    assert "/login?next=" in page.url
    page.fill("#name", "doc")
    page.fill("#password", "sai mat khau")
    page.click("button[type=submit]")
    assert "không đúng" in page.text_content(".error-text")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/search")
    assert page.text_content(".who a") == "doc"


@pytest.mark.skipif(not HAS_SEARCH, reason="the search engine (indexer/search/engine.py) is not in this tree yet")
def test_search_without_diacritics_and_click_a_facet(page: Any, site: tuple[str, WebHome]) -> None:
    base, home = site
    ensure_logged_in(page, base)
    page.goto(base + "/search")
    page.fill("#q", "hoc tap va lam theo")
    page.press("#q", "Enter")
    page.wait_for_selector(".hit-item")
    assert "q=hoc+tap+va+lam+theo" in page.url
    assert page.get_attribute(".hit-item", "data-id") == home.articles["hoc-tap"]
    assert page.locator(".hit-item mark").count() >= 1
    screenshot(page, "web-search.png")
    facet = page.locator('.facet[data-facet="series"] a').first
    value = facet.get_attribute("data-value")
    facet.click()
    page.wait_for_url(re.compile(rf"series={value}"))
    assert page.locator('.facet[data-facet="series"] a.active').count() == 1
    assert page.locator(".active-filters li").count() == 1
    assert page.get_attribute(".hit-item", "data-id") == home.articles["hoc-tap"]


def test_page_viewer_marks_words_over_the_scan(page: Any, site: tuple[str, WebHome]) -> None:
    """The deep-zoom viewer (issue 20): OpenSeadragon loads the page's IIIF tiles, and the hit
    boxes sit over the marked words at the first view and after zooming in."""
    base, home = site
    ensure_logged_in(page, base)
    fetched: list[str] = []
    listener = lambda r: fetched.append(r.url) if r.status == 200 else None  # noqa: E731
    page.on("response", listener)
    try:
        if HAS_SEARCH:  # arrive from a hit, as a reader does
            page.goto(base + "/search?q=hoc+tap+va+lam+theo")
            page.locator(".hit-item .page-link").first.click()
        else:
            page.goto(base + f"/i/ttshcb-2012-07/1?q=lam+theo&a={home.articles['hoc-tap']}")
        page.wait_for_selector("#deepzoom canvas")
        wait_until(page, "document.getElementById('scan').dataset.tiles === 'loaded'")
    finally:
        page.remove_listener("response", listener)
    tiles = [u for u in fetched if "/iiif/" in u and u.endswith(".jpg")]
    assert tiles and all(re.search(r"/iiif/ttshcb-2012-07/\d+/[^/]+/[^/]+/0/default\.jpg$", u) for u in tiles), tiles
    assert not [u for u in fetched if "/img/" in u], "the plain image was fetched as well as the tiles"
    assert page.locator("#sheet").is_hidden()  # the plain image gave way to the tiles
    assert "q=" in page.url
    _check_overlay(page, home)
    screenshot(page, "web-viewer.png")
    # keyboard: focus the scan, zoom in twice; the marks still sit over the words
    width = page.locator("#overlay").bounding_box()["width"]
    page.focus("#scan")
    page.keyboard.press("+")
    page.keyboard.press("+")
    assert page.text_content("#zoom-level") == "150 %"
    wait_until(page, f"document.getElementById('overlay').getBoundingClientRect().width > {width * 1.45}")
    wait_until(page, "document.getElementById('scan').dataset.tiles === 'loaded'")
    _check_overlay(page, home, ink=False)
    top = page.locator("#overlay").bounding_box()["y"]
    page.keyboard.press("PageDown")
    wait_until(page, f"document.getElementById('overlay').getBoundingClientRect().top < {top - 50}")
    page.keyboard.press("0")
    assert page.text_content("#zoom-level") == "100 %"
    page.keyboard.press("n")  # next page keeps the query
    page.wait_for_url(re.compile(r"/i/ttshcb-2012-07/2\?q="))


def _check_overlay(page: Any, home: WebHome, *, ink: bool = True) -> None:
    """Each mark's box on screen = the page image's box (the overlay spans it) × the word's
    page fractions, and (on the screenshot) covers ink: the marked word really is there on
    the tiles."""
    from PIL import Image

    img = page.locator("#overlay").bounding_box()
    hits = page.locator("rect.hit")
    n = hits.count()
    assert n >= 2, "no marked words on the page"
    page_id = re.search(r"/i/([^/]+)/(\d+)", page.url)
    words = home.words[f"{page_id.group(1)}/{page_id.group(2)}"]
    shot = Image.open(BytesIO(page.screenshot(full_page=False))).convert("L") if ink else None
    for k in range(n):
        rect = hits.nth(k)
        box = rect.bounding_box()
        word = words[int(rect.get_attribute("data-word"))]
        x0, y0, x1, y1 = word.box
        assert box["x"] == pytest.approx(img["x"] + x0 * img["width"], abs=2)
        assert box["y"] == pytest.approx(img["y"] + y0 * img["height"], abs=2)
        assert box["width"] == pytest.approx((x1 - x0) * img["width"], abs=2)
        assert box["height"] == pytest.approx((y1 - y0) * img["height"], abs=2)
        if shot is not None and box["y"] >= 0 and box["y"] + box["height"] < shot.height:
            inside = shot.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]),
                                int(box["y"] + box["height"])))
            margin = shot.crop((int(img["x"] + 0.01 * img["width"]), int(box["y"]),
                                int(img["x"] + 0.06 * img["width"]), int(box["y"] + box["height"])))
            dark = _dark_share(inside)
            blank = _dark_share(margin)  # the page margin on the same line: paper only
            assert dark > 0.03 and blank < 0.01, (word.text, dark, blank)


def _dark_share(image: Any) -> float:
    """Share of pixels darker than mid-grey (ink; the yellow mark stays light in grey)."""
    histogram = image.histogram()
    return sum(histogram[:110]) / max(1, image.width * image.height)


def test_copy_a_citation_whose_link_opens_the_article(page: Any, site: tuple[str, WebHome]) -> None:
    base, home = site
    aid = home.articles["hoc-tap"]
    ensure_logged_in(page, base)
    page.goto(base + f"/a/{aid}")
    screenshot(page, "web-article.png")
    page.click("#copy-cite")
    wait_until(page, "document.getElementById('copy-status').textContent.length > 0")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith('Nguyễn Văn An, "Học tập và làm theo') and "số 7/2012, tr. 1–2" in copied
    link = copied.rsplit(", ", 1)[1]
    assert link == f"{base}/a/{aid}"
    page.goto(base + "/")
    page.goto(link)
    assert page.text_content("#article-title") == "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"


def test_download_ris_and_it_parses(page: Any, site: tuple[str, WebHome]) -> None:
    base, home = site
    ensure_logged_in(page, base)
    page.goto(base + f"/a/{home.articles['hoc-tap']}")
    with page.expect_download() as info:
        page.click("#dl-ris")
    path = info.value.path()
    (rec,) = parse_ris(Path(path).read_bytes().decode("utf-8"))
    assert rec["TI"] == ["Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"]
    assert rec["UR"] == [f"{base}/a/{home.articles['hoc-tap']}"]
    assert info.value.suggested_filename.endswith(".ris")


def test_log_out_and_be_refused_everywhere(page: Any, site: tuple[str, WebHome]) -> None:
    base, home = site
    ensure_logged_in(page, base)
    page.click("#logout")
    page.wait_for_url(re.compile(r"/login"))
    aid = home.articles["hoc-tap"]
    for path in ("/", "/search?q=chi+bo", "/s/ttshcb", "/i/ttshcb-2012-07", "/i/ttshcb-2012-07/1",
                 f"/a/{aid}", f"/a/{aid}/cite.ris", "/img/ttshcb-2012-07/1/view.jpg", "/account"):
        page.goto(base + path)
        assert re.search(r"/login\?next=", page.url), path
        assert page.locator("#password").count() == 1
        assert "tấm gương" not in page.content()
    for path in ("/api/issues", f"/api/articles/{aid}", "/api/search?q=chi"):
        response = page.goto(base + path)
        assert response.status == 401, path


@pytest.mark.skipif(not (os.environ.get("BANTIN_SCREENSHOTS") == "1" and os.environ.get("BANTIN_SCREENSHOT_HOME")),
                    reason="README screenshots on a built home: set BANTIN_SCREENSHOTS=1 and "
                           "BANTIN_SCREENSHOT_HOME=<home>")
def test_readme_screenshots_on_a_built_home(page: Any) -> None:
    """The README's screenshots on real pages (the full sample), with a temporary user."""
    import secrets

    from archive.catalog import Catalog
    from webapp import create_app, users

    root = Path(os.environ["BANTIN_SCREENSHOT_HOME"])
    name, password = f"shots-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    with Catalog(root / "index" / "catalog.sqlite") as catalog:
        users.add_user(catalog, name, "reader", password)
    app = create_app({"HOME": str(root), "SETTINGS": {"secret_key": secrets.token_urlsafe(40)}})
    pg = page
    try:
        with served(app, threads=2) as base:
            pg.context.clear_cookies()  # cookies do not tell ports apart
            log_in(pg, base, name, password, wait=False)
            pg.goto(base + "/search?q=nghi+quyet+21")
            assert pg.locator(".hit-item").count() >= 1
            screenshot(pg, "web-search.png", real=True)
            hit = pg.locator(".hit-item").first
            article = hit.locator(".hit-title").get_attribute("href")
            pg.goto(base + hit.locator(".page-link").first.get_attribute("href"))
            wait_until(pg, "document.getElementById('scan').dataset.tiles === 'loaded'")
            assert pg.locator("rect.hit").count() >= 1
            screenshot(pg, "web-viewer.png", real=True)
            pg.goto(base + article)
            screenshot(pg, "web-article.png", real=True)
    finally:
        pg.context.clear_cookies()
        with Catalog(root / "index" / "catalog.sqlite") as catalog, catalog.transaction() as db:
            db.execute("DELETE FROM account WHERE name = ?", (name,))
