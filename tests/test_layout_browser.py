"""Every reading-room page at a phone's width (390 px) and a laptop's (1,280 px), in Debian's
headless Chromium, against one server for the module (issue 20):

- no horizontal scroll: the document is no wider than the window;
- no English in the visible text: its words checked against a list of common English
  interface words (names of formats and the query operators are an explicit allow-list;
  commands and codes the page sets as ``<code>`` are not read);
- on a phone, the search filters and facets are reached without scrolling past the results;
- monospace text (page history, diffs) drawn in the vendored font, which has every
  Vietnamese letter, and stored NFC.

One browser, one context per width, each logged in once as the fixture's admin (who sees the
reader's, the editor's and the admin's pages); each test only opens its page.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import Catalog
from archive.editorial import correct_page
from bantin.stages import stage_images
from tests.web_fixtures import PASSWORD, WebHome, build_web_home, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = (390, 1280)  # CSS pixels
ISSUE = "ttshcb-2012-07"

if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
    pytest.skip("Debian's chromium is not installed (make setup installs it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

# Common English words of web interfaces and of the pipeline's messages. Words that are also
# Vietnamese syllables written without marks ("in" = print, "to", "do", "an", "no", "on",
# "ban", "tin") are left out: they would flag good Vietnamese.
ENGLISH = frozenset("""
the and or of with from for this that these those is are was were be been has have not none
page pages search results result filter filters apply clear reset next previous prev back home
login logout log user users admin editor reader role roles password account token tokens
save cancel delete edit add remove rename restore undo submit update upload download export
unknown section sections banner banners found error errors warning warnings failed failure
article articles issue issues text legacy extract extraction segment segmentation analyze
analysis index build stage stages job jobs running done pending total count format detail
details action actions target time date version versions history diff before after current
zoom show hide more less loading help settings yes true false null undefined nan
sort relevance newest oldest topic topics coverage report chart table share words missing
correct correction review queue pipeline rerun run please click here select all other
""".split())
# Shown on purpose: names of formats, programs, files and standards.
ALLOWED = frozenset({"OCR", "PDF", "CSV", "JSON", "RIS", "BibTeX", "CSL", "API", "IP", "Word",
                     "TCVN3", "VNI", "Unicode", "sections.toml", "bantin",
                     "AND", "OR", "NOT"})  # the query syntax's operators, typed as shown

PAGES = {
    "search": "/search?q=chi+b%E1%BB%99",
    "search-empty": "/search",
    "home": "/",
    "series": "/s/ttshcb",
    "issue": f"/i/{ISSUE}",
    "viewer": f"/i/{ISSUE}/1?q=lam+theo",
    "article": "/a/{hoc-tap}",
    "coverage": "/coverage",
    "coverage-structure": "/coverage/structure",
    "coverage-topics": "/coverage/topics",
    "coverage-documents": "/coverage/documents",
    "coverage-trends": "/coverage/trends",
    "coverage-examples": "/coverage/examples",
    "coverage-basis": "/coverage/basis",
    "desk": "/desk/",
    "desk-page": f"/desk/i/{ISSUE}/1",
    "desk-history": f"/desk/i/{ISSUE}/1/history?v=0",
    "desk-issue": f"/desk/i/{ISSUE}",
    "desk-article": "/desk/a/{hoc-tap}",
    "topic-audit": "/desk/audit/",
    "collections": "/c/",
    "account": "/account",
    "admin-users": "/admin/",
    "admin-audit": "/admin/audit",
    "admin-pipeline": "/admin/pipeline",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, WebHome]]:
    """The fixture home, with an editor's correction (so the history has a diff) and a
    failed login (an audit row), served by waitress."""
    from webapp import create_app, users

    home = build_web_home(tmp_path_factory.mktemp("layout-home"))
    (home.path / "bantin.toml").write_text(f'secret_key = "{"s3cr3t-" * 8}"\n', encoding="utf-8")
    with Catalog(home.config.catalog_path) as catalog:
        text = catalog.page_text(f"{ISSUE}/1")["text"]
        correct_page(catalog, f"{ISSUE}/1", text.replace("Chi bộ", "Chi bộ thôn", 1) + "\nđể ý: ảnh, ấp",
                     author="bientap", base_version=0, reason="sửa tên thôn")
        # what the full sample showed: a long export URL in the audit log (1,398 px at 1,280),
        # and the segmenter's warnings as an old catalog stored them, in English
        users.audit(catalog, "doc", "export", "/search/export.csv?q=" + "ngh%E1%BB%8B+quy%E1%BA%BFt+" * 12,
                    "format=csv total=1284")
        catalog.add_problem("segment", "unknown section banner 'TT KẾT NẬP im NIÊN \"TÚ' (page 2): add it to"
                            " sections.toml if it names a section; Mục lục: 'Tin trong tỉnh' (trang 0) not"
                            " found on the page", issue_id=ISSUE)
        stage_images(catalog, home.config)  # as `bantin build` does: thumbnails drawn ahead
    with served(create_app({"HOME": str(home.path)})) as base:
        yield base, home


@pytest.fixture(scope="module")
def tabs(site: tuple[str, WebHome]) -> Iterator[dict[int, Any]]:
    """One logged-in page per width."""
    base, _ = site
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        out = {}
        errors: list[str] = []
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 860},
                                          locale="vi-VN")
            context.set_default_timeout(15000)
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(base + "/login")
            page.fill("#name", "quantri")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(base + "/")
            out[width] = page
        bad = browser.new_context().new_page()
        bad.goto(base + "/login")
        bad.fill("#name", "quantri")
        bad.fill("#password", "sai")
        bad.click("button[type=submit]")
        yield out
        browser.close()
        assert not errors, f"errors in the browser: {errors}"


def url_of(name: str, home: WebHome) -> str:
    return re.sub(r"\{([a-z-]+)\}", lambda m: home.articles[m.group(1)], PAGES[name])


def english_words(text: str) -> list[str]:
    """Words of the list standing alone (not inside an id like ``...-p5-42be`` or a Vietnamese
    word); names of the allow-list and words with a dot (``sections.toml``) excepted."""
    words = re.findall(r"(?<![\w.])[A-Za-z][A-Za-z.]*(?![\w])", text)
    return sorted({w for w in words if w not in ALLOWED and w.lower().rstrip(".") in ENGLISH})


def open_page(page: Any, base: str, path: str) -> None:
    response = page.goto(base + path)
    assert response is not None and response.status == 200, (path, response and response.status)
    page.wait_for_load_state("load")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_no_horizontal_scroll_and_no_english(tabs: dict[int, Any], site: tuple[str, WebHome],
                                             name: str, width: int) -> None:
    base, home = site
    page = tabs[width]
    open_page(page, base, url_of(name, home))
    sizes = page.evaluate("({sw: document.documentElement.scrollWidth,"
                          " cw: document.documentElement.clientWidth,"
                          " bw: document.body.scrollWidth})")
    if sizes["sw"] > sizes["cw"]:
        wide = page.evaluate(
            "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right"
            " > document.documentElement.clientWidth + 1).slice(-5).map(e => e.tagName + '.' +"
            " e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))")
        pytest.fail(f"{name} at {width} px is {sizes['sw']} px wide; overflowing: {wide}")
    # the text a reader sees; commands and codes set as <code> are shown as code on purpose
    visible = page.evaluate("(() => { const codes = Array.from(document.querySelectorAll('code, kbd'));"
                            " const kept = codes.map(c => c.textContent); codes.forEach(c => c.textContent = '');"
                            " const text = document.body.innerText;"
                            " codes.forEach((c, i) => c.textContent = kept[i]); return text; })()")
    assert english_words(visible) == [], f"English on {name}"
    assert "T" not in re.findall(r"\d{4}-\d\d-\d\d(T)\d\d:", visible), f"a raw UTC stamp on {name}"


def test_filters_come_before_the_results_on_a_phone(tabs: dict[int, Any], site: tuple[str, WebHome]) -> None:
    """At 390 px both the filter form and the facets ("Thu hẹp") start above the first hit,
    within the first screen, and open with one tap; at 1,280 px the facets stand beside."""
    base, _ = site
    page = tabs[390]
    open_page(page, base, PAGES["search"])
    box = page.evaluate("""(() => {
      const top = s => { const e = document.querySelector(s);
                         return e ? e.getBoundingClientRect().top + scrollY : null; };
      return {filters: top('#search-form .filters summary'), facets: top('#facets-panel summary'),
              hit: top('.hit-item'), screen: innerHeight};
    })()""")
    assert box["hit"] is not None and box["facets"] is not None, box
    assert box["filters"] < box["hit"] and box["facets"] < box["hit"], box
    assert box["facets"] < box["screen"], box
    page.click("#facets-panel summary")
    assert page.locator('.facet[data-facet="series"] a').first.is_visible()
    wide = tabs[1280]
    open_page(wide, base, PAGES["search"])
    aside = wide.locator("#facets-panel").bounding_box()
    first = wide.locator(".hit-item").first.bounding_box()
    assert aside and first and aside["x"] > first["x"] + first["width"] - 1  # beside the hits
    assert wide.locator('.facet[data-facet="series"] a').first.is_visible()


def test_history_and_diff_in_a_font_with_every_vietnamese_letter(tabs: dict[int, Any],
                                                                 site: tuple[str, WebHome]) -> None:
    base, _ = site
    page = tabs[1280]
    open_page(page, base, PAGES["desk-history"])
    page.evaluate("document.fonts.ready.then(() => true)")
    family = page.evaluate("getComputedStyle(document.querySelector('#diff')).fontFamily")
    assert family.startswith('"Bantin Mono"')
    assert page.evaluate("document.fonts.check('16px \"Bantin Mono\"', 'ảấồểẫỗ')")
    loaded = page.evaluate("Array.from(document.fonts).filter(f => f.family.includes('Bantin Mono'))"
                           ".map(f => f.status)")
    assert loaded == ["loaded"]
    diff = page.text_content("#diff")
    shown = page.text_content("#version-text")
    assert diff and shown and unicodedata.is_normalized("NFC", diff + shown)
    assert diff.splitlines()[:2] == ["--- bản 1 (đang có hiệu lực)", "+++ bản máy đọc"]
    # every character of the diff has a glyph in the vendored font: what Chromium draws it with
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(Path(__file__).resolve().parent.parent / "webapp" / "static" / "fonts"
                      / "LiberationMono-Regular.ttf")).getBestCmap()
    assert [c for c in set(diff + shown) if not c.isspace() and ord(c) not in cmap] == []


def test_issue_thumbnails_are_drawn_and_hold_their_place(tabs: dict[int, Any], site: tuple[str, WebHome]) -> None:
    """Each thumbnail arrives (drawn by the build) and its box has the page's shape before it
    does (width and height given), so the issue page shows no empty boxes."""
    base, _ = site
    page = tabs[1280]
    open_page(page, base, PAGES["issue"])
    thumbs = page.locator(".thumbs img")
    assert thumbs.count() == 2
    for i in range(thumbs.count()):
        img = thumbs.nth(i)
        img.scroll_into_view_if_needed()
        page.wait_for_function("e => e.complete", arg=img.element_handle())
        natural = img.evaluate("e => [e.naturalWidth, e.naturalHeight]")
        box = img.bounding_box()
        assert natural[0] == 240 and box is not None
        assert abs(box["height"] / box["width"] - natural[1] / natural[0]) < 0.02
