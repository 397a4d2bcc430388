"""*Báo lỗi*: any reader reports a misread word or a wrongly cut article from the page viewer or
an article page (``POST /bao-loi``); editors see open reports in the review queue (``/desk/``)
and close them (``POST /bao-loi/<n>/close``, editors only). Every form carries the CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from archive import permalinks, readerreports
from archive.errors import UsageError
from webapp import db, library, security, users

bp = Blueprint("reports", __name__)
NAV: list[tuple[str, str, str]] = []


def _target() -> tuple[str, int, str, str]:
    """(issue id, page, article id, where to go back) of the form; 404 when unknown."""
    catalog = db.catalog()
    article_id = request.form.get("article_id", "").strip()
    if article_id:
        found = library.get_article(catalog, article_id)
        if found is None:
            abort(404)
        return found.issue_id, 0, found.id, permalinks.article_path(found.id)
    issue_id = request.form.get("issue_id", "").strip()
    try:
        seq = int(request.form.get("page", ""))
    except ValueError:
        abort(400)
    if catalog.get_page(f"{issue_id}/{seq}") is None:
        abort(404)
    return issue_id, seq, "", permalinks.page_path(issue_id, seq)


@bp.post("/bao-loi")
def file() -> Any:
    issue_id, seq, article_id, back = _target()
    catalog = db.catalog()
    try:
        with catalog.transaction():
            report = readerreports.file_report(
                catalog, kind=request.form.get("kind", ""), issue_id=issue_id, page=seq,
                article_id=article_id, message=request.form.get("message", ""), reporter=g.user.name)
            users.audit(catalog, g.user.name, "report", article_id or f"{issue_id}/{seq}", report.kind)
    except UsageError as e:
        return render_template("reports/thanks.html", error=str(e), back=back), 400
    return render_template("reports/thanks.html", report=report, back=back)


@bp.post("/bao-loi/<int:report_id>/close")
@security.editor_required
def close(report_id: int) -> Any:
    status = request.form.get("status", "")
    if status not in ("fixed", "dismissed"):
        abort(400)
    catalog = db.catalog()
    with catalog.transaction():
        if not readerreports.close(catalog, report_id, status=status, editor=g.user.name):
            abort(404)
        users.audit(catalog, g.user.name, "report-close", str(report_id), status)
    return redirect(url_for("desk.queue") + "#q-reports")
