"""IIIF Image API 3.0 (level 1, plus percent regions and sizes and a gray quality) over the
deep-zoom tiles: ``/iiif/<issue id>/<seq>/info.json`` and
``/iiif/<issue id>/<seq>/<region>/<size>/<rotation>/<quality>.<format>``.

Why its own parser: every path parameter is checked here against a fixed grammar and the
page's size from the catalog, and turned into integers (a :class:`webapp.tiles.Cut`) before
:mod:`webapp.tiles` names any file; a value outside the grammar is 400, an unknown page 404.
Rotation is ``0`` only and the format ``jpg`` only, as level 1 asks
(https://iiif.io/api/image/3.0/compliance/); anything else is 400 with the reason.
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import quote

from flask import Blueprint, abort, current_app, jsonify, redirect, request, send_file

from archive.errors import BadInput
from webapp import db, tiles

bp = Blueprint("imageapi", __name__, url_prefix="/iiif")
NAV: list[tuple[str, str, str]] = []

CONTEXT = "http://iiif.io/api/image/3/context.json"
PROFILE = "level1"
EXTRA_FEATURES = ["regionByPct", "sizeByPct", "sizeByConfinedWh", "sizeUpscaling"]
_NUMBER = r"\d{1,6}"
_DECIMAL = r"\d{1,6}(?:\.\d{1,8})?"
REGION_PX = re.compile(rf"({_NUMBER}),({_NUMBER}),({_NUMBER}),({_NUMBER})")
REGION_PCT = re.compile(rf"pct:({_DECIMAL}),({_DECIMAL}),({_DECIMAL}),({_DECIMAL})")
SIZE_WH = re.compile(rf"(!)?({_NUMBER})?,({_NUMBER})?")
SIZE_PCT = re.compile(rf"pct:({_DECIMAL})")


class BadImageRequest(ValueError):
    """A parameter outside the Image API grammar or the image: the message says which."""


def parse_region(text: str, width: int, height: int) -> tuple[int, int, int, int]:
    """``full``, ``square``, ``x,y,w,h`` or ``pct:x,y,w,h`` → a box inside the image (pixels)."""
    if text == "full":
        return 0, 0, width, height
    if text == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    m = REGION_PX.fullmatch(text)
    if m:
        x, y, w, h = (int(v) for v in m.groups())
    else:
        m = REGION_PCT.fullmatch(text)
        if not m:
            raise BadImageRequest(f"region {text!r}: use full, square, x,y,w,h or pct:x,y,w,h")
        px, py, pw, ph = (float(v) for v in m.groups())
        x, y = round(px * width / 100), round(py * height / 100)
        w, h = round(pw * width / 100), round(ph * height / 100)
    if w <= 0 or h <= 0 or x >= width or y >= height:
        raise BadImageRequest(f"region {text!r} is empty or outside the {width}×{height} image")
    return x, y, min(w, width - x), min(h, height - y)


def parse_size(text: str, w: int, h: int, max_w: int, max_h: int) -> tuple[int, int]:
    """``max``, ``w,``, ``,h``, ``w,h``, ``!w,h``, ``pct:n``, each optionally with ``^`` (may
    enlarge) → the output size for a ``w``×``h`` region, at most ``max_w``×``max_h``."""
    upscale = text.startswith("^")
    body = text[1:] if upscale else text
    if body == "max":
        scale = min(1.0, max_w / w, max_h / h) if not upscale else min(max_w / w, max_h / h)
        out = (max(1, math.floor(w * scale)), max(1, math.floor(h * scale)))
    elif (m := SIZE_PCT.fullmatch(body)) is not None:
        pct = float(m.group(1))
        out = (round(w * pct / 100), round(h * pct / 100))
    elif (m := SIZE_WH.fullmatch(body)) is not None and (m.group(2) or m.group(3)):
        confined, sw, sh = m.group(1), m.group(2), m.group(3)
        if confined:
            if not (sw and sh):
                raise BadImageRequest(f"size {text!r}: !w,h needs both numbers")
            scale = min(int(sw) / w, int(sh) / h)
            out = (math.floor(w * scale), math.floor(h * scale))
        elif sw and sh:
            out = (int(sw), int(sh))
        elif sw:
            out = (int(sw), round(h * int(sw) / w))
        else:
            out = (round(w * int(sh) / h), int(sh))
    else:
        raise BadImageRequest(f"size {text!r}: use max, w,, ,h, w,h, !w,h or pct:n (^ to enlarge)")
    ow, oh = out
    if ow < 1 or oh < 1:
        raise BadImageRequest(f"size {text!r} gives an empty image")
    if not upscale and (ow > w or oh > h):
        raise BadImageRequest(f"size {text!r} is larger than the region ({w}×{h}); use ^ to enlarge")
    if ow > max_w or oh > max_h:
        raise BadImageRequest(f"size {text!r} is over the largest size served ({max_w}×{max_h})")
    return ow, oh


def parse_cut(region: str, size: str, rotation: str, quality: str, fmt: str, width: int,
              height: int) -> tiles.Cut:
    if rotation != "0":
        raise BadImageRequest(f"rotation {rotation!r}: only 0 is served")
    if quality not in ("default", "color", "gray"):
        raise BadImageRequest(f"quality {quality!r}: use default or gray")
    if fmt != "jpg":
        raise BadImageRequest(f"format {fmt!r}: only jpg is served")
    x, y, w, h = parse_region(region, width, height)
    ow, oh = parse_size(size, w, h, width, height)
    return tiles.Cut(x, y, w, h, ow, oh, "gray" if quality == "gray" else "default")


def info(base: str, width: int, height: int) -> dict[str, Any]:
    """The image's ``info.json`` (``base``: the service's absolute URL, without a slash)."""
    factors = tiles.scale_factors(width, height)
    sizes = [{"width": math.ceil(width / f), "height": math.ceil(height / f)} for f in reversed(factors)
             if f > 1]
    return {"@context": CONTEXT, "id": base, "type": "ImageService3", "protocol": "http://iiif.io/api/image",
            "profile": PROFILE, "width": width, "height": height, "maxWidth": width, "maxHeight": height,
            "sizes": sizes, "tiles": [{"width": tiles.TILE, "height": tiles.TILE, "scaleFactors": factors}],
            "extraQualities": ["gray"], "extraFormats": [], "extraFeatures": EXTRA_FEATURES,
            "preferredFormats": ["jpg"]}


def base_url() -> str:
    return current_app.config.get("BASE_URL") or request.url_root.rstrip("/")


def service_url(issue_id: str, seq: int) -> str:
    """The absolute base URL of a page's image service."""
    return f"{base_url()}/iiif/{quote(issue_id, safe='')}/{int(seq)}"


def _source(issue_id: str, seq: int) -> tiles.Source:
    catalog = db.catalog()
    page = catalog.get_page(f"{issue_id}/{seq}")
    issue = catalog.get_issue(issue_id) if page else None
    if page is None or issue is None or page.issue_id != issue_id:
        abort(404)
    config = current_app.config["BANTIN"]
    return tiles.Source(config.scans, config.cache_dir, page, issue.source_kind, issue.sha256)


def _cors(response: Any) -> Any:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/<issue_id>/<int:seq>")
def service(issue_id: str, seq: int) -> Any:
    """The base URI redirects to ``info.json``, as the specification asks."""
    _source(issue_id, seq)
    return redirect(f"{service_url(issue_id, seq)}/info.json", code=303)


@bp.get("/<issue_id>/<int:seq>/info.json")
def info_json(issue_id: str, seq: int) -> Any:
    src = _source(issue_id, seq)
    try:
        width, height = tiles.size_of(src)
    except BadInput as e:
        current_app.logger.warning("image service %s: %s", src.page.id, e)
        abort(404)
    response = jsonify(info(service_url(issue_id, seq), width, height))
    if "application/ld+json" in request.headers.get("Accept", ""):
        response.mimetype = "application/ld+json"
        response.headers["Content-Type"] = (
            'application/ld+json;profile="http://iiif.io/api/image/3/context.json"')
    return _cors(response)


@bp.get("/<issue_id>/<int:seq>/<region>/<size>/<rotation>/<quality>.<fmt>")
def image(issue_id: str, seq: int, region: str, size: str, rotation: str, quality: str,
          fmt: str) -> Any:
    src = _source(issue_id, seq)
    try:
        width, height = tiles.size_of(src)
        cut = parse_cut(region, size, rotation, quality, fmt, width, height)
        path = tiles.image_file(src, cut)
    except BadImageRequest as e:
        response = jsonify(error=f"Yêu cầu ảnh không hợp lệ: {e}", status=400)
        response.status_code = 400
        return _cors(response)
    except BadInput as e:
        current_app.logger.warning("image service %s: %s", src.page.id, e)
        abort(404)
    etag = f"{src.page.sha256[:32]}-{src.page.file_page}-{path.name}"
    response = send_file(path, mimetype="image/jpeg", conditional=True, etag=etag, max_age=86400)
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Link"] = f'<{PROFILE_URI}>;rel="profile"'
    return _cors(response)


PROFILE_URI = "http://iiif.io/api/image/3/level1.json"
