"""Downloads for any logged-in reader: a page image at full resolution
(``/download/<issue>/<page>.jpg``) and the whole issue as a PDF (``/download/<issue>.pdf``),
linked from the page viewer and the issue page (:mod:`webapp.issuepdf` makes them).

The issue and page are looked up in the catalog before anything touches the disk (an unknown
one is 404); originals are sent only when they are the issue's own PDF.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, send_file

from archive.errors import BadInput
from webapp import db, issuepdf, library

bp = Blueprint("downloads", __name__)
NAV: list[tuple[str, str, str]] = []


def _issue(issue_id: str) -> Any:
    issue = db.catalog().get_issue(issue_id)
    if issue is None:
        abort(404)
    return issue


@bp.get("/download/<issue_id>/<int:seq>.jpg")
def page_image(issue_id: str, seq: int) -> Any:
    issue = _issue(issue_id)
    page = db.catalog().get_page(f"{issue_id}/{seq}")
    if page is None or page.issue_id != issue_id:
        abort(404)
    config = current_app.config["BANTIN"]
    try:
        path = issuepdf.full_image(config.scans, config.cache_dir, page, issue)
    except BadInput as e:
        current_app.logger.warning("full page image %s: %s", page.id, e)
        abort(404)
    return send_file(path, mimetype="image/jpeg", as_attachment=True,
                     download_name=f"{issue_id}-trang-{seq}.jpg", max_age=0)


@bp.get("/download/<issue_id>.pdf")
def issue_pdf(issue_id: str) -> Any:
    issue = _issue(issue_id)
    catalog = db.catalog()
    pages = catalog.pages(issue_id)
    if not pages:
        abort(404)
    config = current_app.config["BANTIN"]
    try:
        path = issuepdf.original_pdf(config.scans, config.cache_dir, issue, pages)
        if path is None:
            rows = []
            for page in pages:
                text = library.page_text(catalog, page)
                rows.append((page, text.words if text else [], text.version if text else -1))
            path = issuepdf.assembled_pdf(config.scans, config.cache_dir, issue, rows,
                                          title=library.issue_view(catalog, issue).label)
    except BadInput as e:
        current_app.logger.warning("issue PDF %s: %s", issue_id, e)
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=f"{issue_id}.pdf", max_age=0)
