"""Page text in the library formats: ALTO 4.4 at ``/alto/<issue id>/<seq>.xml``, hOCR at
``/hocr/<issue id>/<seq>.html``, and a whole issue as a ZIP of either (``/alto/<issue id>.zip``,
``/hocr/<issue id>.zip``). Behind the login, or a personal API token (``security.TOKEN_PATHS``).

Why here and not under ``/api/``: these are documents other tools fetch by URL (a IIIF
manifest's ``seeAlso`` points at the ALTO file), named as libraries name them. The writers are
:mod:`archive.ocrxml`, shared with ``bantin export alto``.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, send_file

from archive import ocrxml
from webapp import db
from webapp.imageapi import service_url

bp = Blueprint("ocrfiles", __name__)
NAV: list[tuple[str, str, str]] = []


def _page_words(issue_id: str, seq: int) -> ocrxml.PageWords:
    catalog = db.catalog()
    page = catalog.get_page(f"{issue_id}/{seq}")
    if page is None or page.issue_id != issue_id:
        abort(404)
    pw = ocrxml.page_words(catalog, page)
    if pw is None:
        abort(404)
    return pw


@bp.get("/alto/<issue_id>/<int:seq>.xml")
def alto(issue_id: str, seq: int) -> Any:
    pw = _page_words(issue_id, seq)
    image = f"{service_url(issue_id, seq)}/full/max/0/default.jpg"
    return Response(ocrxml.alto(pw, image_url=image), mimetype="application/xml",
                    headers={"Access-Control-Allow-Origin": "*"})


@bp.get("/hocr/<issue_id>/<int:seq>.html")
def hocr(issue_id: str, seq: int) -> Any:
    pw = _page_words(issue_id, seq)
    image = f"{service_url(issue_id, seq)}/full/max/0/default.jpg"
    return Response(ocrxml.hocr(pw, title=f"{issue_id}, trang {seq}", image_url=image),
                    mimetype="application/xhtml+xml")


def _zip(issue_id: str, fmt: str) -> Any:
    catalog = db.catalog()
    if catalog.get_issue(issue_id) is None:
        abort(404)
    buffer = io.BytesIO()
    ocrxml.write_issue_zip(catalog, issue_id, buffer, fmt=fmt)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"{quote(issue_id, safe='')}-{fmt}.zip")


@bp.get("/alto/<issue_id>.zip")
def alto_zip(issue_id: str) -> Any:
    return _zip(issue_id, "alto")


@bp.get("/hocr/<issue_id>.zip")
def hocr_zip(issue_id: str) -> Any:
    return _zip(issue_id, "hocr")
