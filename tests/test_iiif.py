"""IIIF over the fixture home: the Presentation 3.0 manifest checked against the published JSON
schema (tests/fixtures/iiif/iiif_3_0.json, from IIIF's presentation-validator), the Image API
3.0 service (info.json, tiles cut from the page's pyramid, regions and sizes, bad parameters),
Content Search 2.0 within an issue, and the login or an API token on all of it."""

# ruff: noqa: F811  (pytest fixtures imported from tests.web_fixtures are redefined as arguments)

from __future__ import annotations

import json
import math
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.web_fixtures import PAGE_H, PAGE_W, WebHome, reader, web_app, web_home  # noqa: F401
from webapp import imageapi, tiles

jsonschema = pytest.importorskip("jsonschema")
SCHEMA = Path(__file__).parent / "fixtures" / "iiif" / "iiif_3_0.json"
ISSUE = "ttshcb-2012-07"


def test_manifest_validates_against_the_iiif_schema(reader: Any, web_home: WebHome) -> None:
    response = reader.get(f"/iiif/{ISSUE}/manifest.json")
    assert response.status_code == 200
    data = response.get_json()
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert data["type"] == "Manifest" and data["label"]["vi"][0].startswith("Thông tin sinh hoạt chi bộ")
    assert data["homepage"][0]["id"] == f"http://localhost/i/{ISSUE}"
    canvases = data["items"]
    assert [c["label"]["vi"][0] for c in canvases] == ["Trang 1", "Trang 2"]
    assert (canvases[0]["width"], canvases[0]["height"]) == (PAGE_W, PAGE_H)
    body = canvases[0]["items"][0]["items"][0]["body"]
    assert body["service"][0] == {"id": f"http://localhost/iiif/{ISSUE}/1", "type": "ImageService3",
                                  "profile": "level1"}
    # one range per article, pointing at the part of the page it covers, in pixels
    ranges = {r["homepage"][0]["id"].rsplit("/", 1)[1]: r for r in data["structures"]}
    hoc_tap = ranges[web_home.articles["hoc-tap"]]
    target = hoc_tap["items"][0]["id"]
    assert target.startswith(f"http://localhost/iiif/{ISSUE}/canvas/1#xywh=")
    x, y, w, h = (int(v) for v in target.split("=")[1].split(","))
    assert 0 <= x < x + w <= PAGE_W and 0 <= y < y + h <= PAGE_H
    # a broken manifest fails the same check (the schema really is applied)
    del canvases[0]["width"]
    canvases[0]["label"] = "Trang 1"
    assert list(validator.iter_errors(data))


def test_info_json_and_tiles_match_the_page(reader: Any) -> None:
    info = reader.get(f"/iiif/{ISSUE}/1/info.json").get_json()
    assert info["type"] == "ImageService3" and info["profile"] == "level1"
    assert (info["width"], info["height"]) == (PAGE_W, PAGE_H)
    assert info["tiles"][0] == {"width": 512, "height": 512, "scaleFactors": [1, 2, 4]}
    # the tile OpenSeadragon asks for at the top-left of the full-size level, then a lower level
    tile = reader.get(f"/iiif/{ISSUE}/1/0,0,512,512/512,512/0/default.jpg")
    assert tile.status_code == 200 and tile.mimetype == "image/jpeg"
    assert Image.open(BytesIO(tile.data)).size == (512, 512)
    edge = reader.get(f"/iiif/{ISSUE}/1/512,1024,388,246/388,246/0/default.jpg")
    assert Image.open(BytesIO(edge.data)).size == (388, 246)
    small = reader.get(f"/iiif/{ISSUE}/1/full/{math.ceil(PAGE_W / 4)},{math.ceil(PAGE_H / 4)}/0/default.jpg")
    assert Image.open(BytesIO(small.data)).size == (225, 318)
    # the tile shows the page: the full page scaled down and the tile agree where they overlap
    whole = Image.open(BytesIO(reader.get(f"/iiif/{ISSUE}/1/full/max/0/default.jpg").data)).convert("L")
    assert whole.size == (PAGE_W, PAGE_H)
    part = Image.open(BytesIO(tile.data)).convert("L")
    diff = sum(abs(a - b) for a, b in zip(whole.crop((0, 0, 512, 512)).tobytes(), part.tobytes()))
    assert diff / (512 * 512) < 4
    gray = reader.get(f"/iiif/{ISSUE}/1/pct:10,10,50,50/!200,200/0/gray.jpg")
    assert gray.status_code == 200
    image = Image.open(BytesIO(gray.data))
    assert image.mode == "L" and max(image.size) == 200
    assert reader.get(f"/iiif/{ISSUE}/1").status_code == 303


@pytest.mark.parametrize("path, status", [
    ("0,0,512,512/512,512/90/default.jpg", 400),  # rotation beyond level 1
    ("0,0,512,512/512,512/0/bitonal.jpg", 400),
    ("0,0,512,512/512,512/0/default.png", 400),
    ("0,0,512,512/1024,1024/0/default.jpg", 400),  # larger than the region without ^
    ("5000,0,10,10/10,10/0/default.jpg", 400),  # outside the image
    ("..,0,10,10/10,10/0/default.jpg", 400),
    ("0,0,10,10/%2e%2e/0/default.jpg", 400),
    ("full/max/0/..%2Fdefault.jpg", 400),
])
def test_bad_image_requests_are_refused(reader: Any, path: str, status: int) -> None:
    response = reader.get(f"/iiif/{ISSUE}/1/{path}")
    assert response.status_code in (status, 404), path
    assert response.status_code != 200


def test_unknown_pages_and_traversal_are_404(reader: Any) -> None:
    assert reader.get(f"/iiif/{ISSUE}/9/info.json").status_code == 404
    assert reader.get("/iiif/..%2F..%2Fetc/1/info.json").status_code == 404
    assert reader.get("/iiif/nope/manifest.json").status_code == 404


def test_region_and_size_grammar() -> None:
    assert imageapi.parse_region("square", 900, 1270) == (0, 185, 900, 900)
    assert imageapi.parse_region("800,1200,500,500", 900, 1270) == (800, 1200, 100, 70)
    assert imageapi.parse_size("^max", 100, 100, 900, 1270) == (900, 900)
    assert imageapi.parse_size(",50", 200, 100, 900, 1270) == (100, 50)
    assert imageapi.parse_size("pct:50", 200, 100, 900, 1270) == (100, 50)
    with pytest.raises(imageapi.BadImageRequest):
        imageapi.parse_size("^2000,", 200, 100, 900, 1270)
    assert tiles.scale_factors(2480, 3508) == [1, 2, 4, 8]


def test_content_search_marks_the_words_the_search_rule_marks(reader: Any, web_home: WebHome) -> None:
    data = reader.get(f"/iiif/{ISSUE}/search?q=lam+theo").get_json()
    assert data["@context"] == "http://iiif.io/api/search/2/context.json"
    assert data["type"] == "AnnotationPage"
    assert data["items"], "no match for a phrase the page carries"
    words = web_home.words[f"{ISSUE}/1"]
    for anno in data["items"]:
        assert anno["motivation"] == "highlighting"
        canvas, frag = anno["target"].split("#xywh=")
        seq = int(canvas.rsplit("/", 1)[1])
        x, y, w, h = (int(v) for v in frag.split(","))
        if seq != 1:
            continue
        covered = {wd.text.lower() for wd in words if wd.box[0] * PAGE_W >= x - 1 and wd.box[1] * PAGE_H >= y - 1
                   and wd.box[2] * PAGE_W <= x + w + 1 and wd.box[3] * PAGE_H <= y + h + 1}
        assert covered and covered <= {"làm", "theo"}, covered
    quotes = [a["target"]["selector"][0]["exact"] for a in data["annotations"][0]["items"]]
    assert quotes and {q.lower() for q in quotes} <= {"làm", "theo"}, quotes
    phrase = reader.get(f'/iiif/{ISSUE}/search?q="lam theo"').get_json()
    exact = [a["target"]["selector"][0]["exact"].lower() for a in phrase["annotations"][0]["items"]]
    assert exact and set(exact) == {"làm theo"}, exact
    assert reader.get(f"/iiif/{ISSUE}/search?q=khongcochunay").get_json()["items"] == []


def test_iiif_needs_a_login_or_a_token(web_app: Any) -> None:
    from webapp import users

    client = web_app.test_client()
    response = client.get(f"/iiif/{ISSUE}/manifest.json")
    assert response.status_code == 401
    assert client.get(f"/iiif/{ISSUE}/1/full/max/0/default.jpg").status_code == 401
    with web_app.app_context():
        from webapp import db

        token = users.create_token(db.catalog(), "doc", "iiif test")
    ok = client.get(f"/iiif/{ISSUE}/manifest.json", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.get_json()["type"] == "Manifest"
    assert client.get(f"/iiif/{ISSUE}/manifest.json",
                      headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_the_viewer_assets_are_vendored_and_the_csp_allows_only_their_style() -> None:
    """OpenSeadragon is served from static/ (no CDN), with its licence; the one inline style
    rule it injects is the one the Content-Security-Policy's hash allows."""
    from webapp import security

    static = Path(__file__).resolve().parent.parent / "webapp" / "static"
    osd = (static / "openseadragon" / "openseadragon.min.js").read_text(encoding="utf-8")
    assert osd.startswith("//! openseadragon ") and (static / "openseadragon" / "LICENSE.txt").is_file()
    assert security.OSD_STYLE in osd
    assert f"'sha256-{security.OSD_STYLE_HASH}'" in security.CSP and "unsafe-inline" not in security.CSP


def test_a_cold_page_renders_once_under_concurrent_tile_requests(web_home: WebHome, tmp_path: Path) -> None:
    """Twelve threads ask for tiles of every level of a page whose cache is empty at once: each
    gets its exact tile, the pyramid ends complete (every tile, master, markers) and a pyramid
    left half-written (first-view levels only, no lock held) is finished by the next request."""
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    config = web_home.config
    with web_home.catalog() as catalog:
        page = catalog.get_page(f"{ISSUE}/2")
        issue = catalog.get_issue(ISSUE)
    assert page is not None and issue is not None
    src = tiles.Source(config.scans, tmp_path / "cache", page, issue.source_kind, issue.sha256)
    cuts = [tiles.Cut(0, 0, 512, 512, 512, 512), tiles.Cut(512, 512, 388, 512, 388, 512),
            tiles.Cut(0, 0, 900, 1024, 450, 512), tiles.Cut(0, 0, 900, 1270, 225, 318),
            tiles.Cut(100, 100, 300, 300, 150, 150, "gray")] * 3
    with ThreadPoolExecutor(max_workers=12) as pool:
        paths = list(pool.map(lambda c: tiles.image_file(src, c), cuts))
    for cut, path in zip(cuts, paths):
        with Image.open(path) as image:
            assert image.size == (cut.out_w, cut.out_h)
    folder = tiles.folder(src.cache_dir, page)
    expected = {f"t-{f}-{i}-{j}.jpg" for f, (n, m) in {1: (2, 3), 2: (1, 2), 4: (1, 1)}.items()
                for i in range(n) for j in range(m)}
    names = {p.name for p in folder.iterdir()}
    assert expected | {"master.jpg", "meta.json", "low.json"} <= names
    # a render that stopped after the first view's levels: the next full-size request finishes it
    for name in ("meta.json", "master.jpg", "t-1-0-0.jpg"):
        (folder / name).unlink()
    path = tiles.image_file(src, tiles.Cut(0, 0, 512, 512, 512, 512))
    assert path.name == "t-1-0-0.jpg" and (folder / "meta.json").is_file()
    shutil.rmtree(tmp_path / "cache")
