"""Page images rendered ahead (issue 20): the build's ``images`` stage draws every thumbnail,
and a first visit to an issue renders its pages' viewer images in the background, so neither
the issue page nor the page a reader opens next waits for a render."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PIL import Image

from archive.catalog import Catalog
from bantin.stages import stage_images
from tests.web_fixtures import WebHome, login, make_app, web_home_factory  # noqa: F401
from webapp import pageimage

ISSUE = "ttshcb-2012-07"


def cached(home: WebHome, size: str) -> dict[str, Path]:
    config = home.config
    with Catalog(config.catalog_path) as catalog:
        pages = [p for i in catalog.issues() for p in catalog.pages(i.id)]
    return {p.id: pageimage.cache_path(config.cache_dir, p, size) for p in pages}


def test_build_draws_every_thumbnail_then_skips_them(web_home_factory: Any) -> None:  # noqa: F811
    home = web_home_factory()
    thumbs = cached(home, "thumb")
    assert thumbs and not any(p.exists() for p in thumbs.values())
    with Catalog(home.config.catalog_path) as catalog:
        first = stage_images(catalog, home.config)
        again = stage_images(catalog, home.config)
    assert not first.failed and first.summary.startswith(f"images: {len(thumbs)} thumbnails drawn, 0 current")
    assert again.summary.startswith(f"images: 0 thumbnails drawn, {len(thumbs)} current")
    for path in thumbs.values():
        with Image.open(path) as im:
            assert im.width == pageimage.SIZES["thumb"] and im.height > im.width  # a portrait page
    assert not any(p.exists() for p in cached(home, "view").values())  # only the thumbnails

    # the first visit to an issue renders its pages' viewer images in the background
    client = make_app(home).test_client()
    login(client)
    started = time.monotonic()
    assert client.get(f"/i/{ISSUE}").status_code == 200
    views = {k: v for k, v in cached(home, "view").items() if k.startswith(ISSUE + "/")}
    while not all(p.exists() for p in views.values()):
        assert time.monotonic() - started < 60, "the issue's pages were not rendered ahead"
        time.sleep(0.05)
    assert not any(p.exists() for k, p in cached(home, "view").items() if not k.startswith(ISSUE + "/"))
    # a thumbnail the build missed is drawn on request (alone, at the low resolution)
    thumbs[f"{ISSUE}/1"].unlink()
    r = client.get(f"/img/{ISSUE}/1/thumb.jpg")
    assert r.status_code == 200 and r.mimetype == "image/jpeg" and thumbs[f"{ISSUE}/1"].exists()
