"""A deep-zoom first view before work done ahead (issue 20, the cold view under 1 s): the page
viewer renders the next page's first view ahead (not the issue's plain images), work ahead
waits while a first view renders, and a PDF page is drawn in grey only when it has no colour."""

# ruff: noqa: F811  (pytest fixtures imported from tests.web_fixtures are redefined as arguments)

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageStat

from archive.catalog import Catalog
from archive.models import Page
from tests.web_fixtures import WebHome, login, make_app, web_home_factory  # noqa: F401
from webapp import pageimage, tiles

ISSUE = "ttshcb-2012-07"


def _pages(home: WebHome) -> list[Page]:
    with Catalog(home.config.catalog_path) as catalog:
        return catalog.pages(ISSUE)


def _wait(condition: Any, what: str, seconds: float = 60) -> None:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, what
        time.sleep(0.05)


def test_the_viewer_renders_the_next_pages_first_view_ahead(web_home_factory: Any) -> None:
    home = web_home_factory()
    cache = home.config.cache_dir
    first, second = _pages(home)
    client = make_app(home).test_client()
    login(client)
    response = client.get(f"/i/{ISSUE}/1")
    assert response.status_code == 200
    response.close()  # the render starts once the page is sent
    one, two = tiles.folder(cache, first), tiles.folder(cache, second)
    _wait(lambda: (one / "meta.json").exists() and (two / "low.json").exists(),
          "page 1's pyramid or page 2's first view was not rendered")
    # page 2: its first view only (the full-size level waits until it is opened), the tiles
    # its first view asks for are files already
    assert not (two / "meta.json").exists() and (two / "t-2-0-0.jpg").is_file()
    # the plain images of the issue's pages are not rendered by the viewer (it shows tiles)
    assert not any(pageimage.cache_path(cache, p, size).exists() for p in (first, second)
                   for size in ("view", "large"))
    # opening page 2 completes its pyramid (from the first view rendered ahead)
    response = client.get(f"/i/{ISSUE}/2")
    assert response.status_code == 200
    response.close()
    _wait(lambda: (two / "meta.json").exists(), "page 2's full-size level was not written")
    with Image.open(two / "t-1-0-0.jpg") as tile:
        assert tile.size == (512, 512)


def test_work_ahead_waits_while_a_first_view_renders(web_home_factory: Any) -> None:
    home = web_home_factory()
    cache = home.config.cache_dir
    pages = _pages(home)
    views = [pageimage.cache_path(cache, p, "view") for p in pages]
    with Catalog(home.config.catalog_path) as catalog:
        issue = catalog.get_issue(ISSUE)
    assert issue is not None
    pageimage.first_view_begins()
    try:
        assert pageimage.wait_quiet(0.1) is False
        thread = pageimage.render_ahead(home.config.scans, cache, pages, issue.source_kind,
                                        issue_sha=issue.sha256)
        assert thread is not None
        time.sleep(1.0)
        assert not any(v.exists() for v in views), "a page was rendered ahead during a first view"
    finally:
        pageimage.first_view_ends()
    assert pageimage.wait_quiet(0.1) is True
    thread.join(timeout=60)
    assert all(v.exists() for v in views)


def _pdf(path: Path) -> None:
    """Two A4 pages of text: the first black on white with a grey box, the second with a red
    heading bar (colour)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for colour in (False, True):
        c.setFillGray(0.6)
        c.rect(60, 700, 200, 40, stroke=0, fill=1)
        if colour:
            c.setFillColorRGB(0.85, 0.1, 0.1)
            c.rect(60, 760, 475, 30, stroke=0, fill=1)
        c.setFillGray(0)
        c.setFont("Helvetica", 14)
        for k in range(30):
            c.drawString(60, 650 - 18 * k, f"Line {k} of the bulletin page, printed in black.")
        c.showPage()
    c.save()


def test_a_grey_pdf_page_is_drawn_in_grey_and_a_colour_one_in_colour(tmp_path: Path) -> None:
    scans, cache = tmp_path / "scans", tmp_path / "cache"
    scans.mkdir()
    _pdf(scans / "two.pdf")
    w_pt, h_pt = 595.2756, 841.8898
    width, height = round(w_pt * 100 / 72), round(h_pt * 100 / 72)  # 100 dpi: 827 × 1169
    pages = [Page(f"x-2020-1/{k + 1}", "x-2020-1", k + 1, "two.pdf", k, f"{k + 1:064x}", width, height,
                  100.0, w_pt, h_pt) for k in range(2)]
    sources = [tiles.Source(scans, cache, p, "pdf") for p in pages]
    for page in pages:  # what the build's images stage draws first
        pageimage.thumbnail_file(scans, cache, page, "pdf")
    for src in sources:
        tiles.ensure_pyramid(src)
    grey, colour = (tiles.folder(cache, p) for p in pages)
    for name in ("t-2-0-0.jpg", "t-1-0-0.jpg", "master.jpg"):
        with Image.open(grey / name) as a, Image.open(colour / name) as b:
            assert a.mode == "L" and b.mode == "RGB", name
    # the grey drawing is the colour drawing's grey: the same page but for the edges of the
    # letters (pdfium smooths text a little differently in grey) and JPEG noise
    drawn = pageimage.load_source(scans, pages[0], "pdf", cache, "", width=width)
    assert drawn.mode == "L"  # drawn in colour, found grey
    with Image.open(grey / "master.jpg") as master:
        master = master.convert("L")
        diff = ImageChops.difference(master, drawn.crop((0, 0, width, height)))
        assert ImageStat.Stat(diff).mean[0] < 6
        ink = [sum(im.point(lambda v: 255 if v < 128 else 0).histogram()[255:]) for im in (master, drawn)]
        assert ink[1] > 5000 and 0.8 < ink[0] / ink[1] < 1.25, ink  # as much ink: the same text
    # the red bar is red in the colour page's tiles (top of the page, full size and first view)
    with Image.open(colour / "t-1-0-0.jpg") as tile:
        r, g, b = tile.getpixel((200, round((841.89 - 775) * 100 / 72)))
        assert r > 150 and g < 90 and b < 90


def test_removing_a_pages_tiles_waits_for_a_render_in_flight(web_home_factory: Any) -> None:
    home = web_home_factory()
    page = _pages(home)[0]
    with Catalog(home.config.catalog_path) as catalog:
        issue = catalog.get_issue(ISSUE)
    assert issue is not None
    src = tiles.Source(home.config.scans, home.config.cache_dir, page, issue.source_kind, issue.sha256)
    tiles.ensure_pyramid(src)
    target = tiles.folder(home.config.cache_dir, page)
    assert (target / "meta.json").is_file()
    import fcntl
    import os

    fd = os.open(target.parent / f"{target.name}.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a render in flight holds it
    done = threading.Event()
    remover = threading.Thread(target=lambda: (tiles.remove(home.config.cache_dir, page), done.set()))
    remover.start()
    time.sleep(0.3)
    assert not done.is_set() and (target / "meta.json").is_file()
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    remover.join(timeout=30)
    assert done.is_set() and not target.exists()
