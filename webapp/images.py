"""Page images by page id: ``/img/<issue id>/<seq>/<size>.jpg`` (sizes in
:data:`webapp.pageimage.SIZES`).

The issue id and page number are looked up in the catalog before anything touches the disk;
an unknown page, an unknown size or anything else (``..``, encoded slashes) is 404. Originals
are never served: only the rendered, cached JPEGs.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, request, send_file

from archive.errors import BadInput
from webapp import db, pageimage

bp = Blueprint("images", __name__)
NAV: list[tuple[str, str, str]] = []


@bp.get("/img/<issue_id>/<int:seq>/<size>.jpg")
def page_image(issue_id: str, seq: int, size: str) -> Any:
    if size not in pageimage.SIZES:
        abort(404)
    catalog = db.catalog()
    page = catalog.get_page(f"{issue_id}/{seq}")
    issue = catalog.get_issue(issue_id) if page else None
    if page is None or issue is None or page.issue_id != issue_id:
        abort(404)
    config = current_app.config["BANTIN"]
    etag = f"{page.sha256[:32]}-{page.file_page}-{size}"
    if request.if_none_match and etag in request.if_none_match:
        return "", 304, {"ETag": f'"{etag}"', "Cache-Control": "private, max-age=86400"}
    try:
        if size == "thumb":  # drawn alone at a low resolution when the build has not yet
            path = pageimage.thumbnail_file(config.scans, config.cache_dir, page, issue.source_kind,
                                            issue_sha=issue.sha256)
        else:
            path = pageimage.page_image_file(config.scans, config.cache_dir, page, issue.source_kind,
                                             size, issue_sha=issue.sha256)
    except BadInput as e:
        current_app.logger.warning("page image %s: %s", page.id, e)
        abort(404)
    response = send_file(path, mimetype="image/jpeg", conditional=True, etag=etag, max_age=86400)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
