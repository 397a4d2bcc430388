"""The districts' reports (``/bao-cao``, issue 21): received / late / missing by unit against
the review's deadline, each report's text with its figures and the sentences they came from,
upload and figure confirmation on the desk (role ``editor``), and search limited to reports,
to bulletins, or both.

Files are only ever read from ``scans/reports/<review>/<unit>.<ext>`` with a review and unit
the register names and an extension of ``archive.reporters.REPORT_KINDS``: no request path
reaches the file system unchecked. An upload is written there (temporary name, then
renamed) with a sidecar dating it, then read at once (``indexer.reports.intake``).
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for

from archive import reporters
from archive.errors import BantinError
from archive.permalinks import search_path
from archive.vntext import fold, nfc
from indexer.reports import intake, sentences
from review import district
from webapp import db, security, users

bp = Blueprint("district", __name__, url_prefix="/bao-cao")
NAV = [("district.status", "Báo cáo huyện", "reader")]
MAX_UPLOAD = 30 * 1024 * 1024


def _config() -> Any:
    return current_app.config["BANTIN"]


def _register() -> reporters.Register:
    return reporters.load_register(_config().home)


def _review(code: str | None) -> reporters.Review:
    register = _register()
    if not register.reviews:
        abort(404)
    found = register.review(code) if code else register.reviews[-1]
    if found is None:
        abort(404)
    return found


@bp.get("", strict_slashes=False)
def status() -> Any:
    if not _register().reviews:  # nothing to report on yet: say how to start, not 404
        return render_template("district/empty.html", register=reporters.REGISTER)
    review = _review(request.args.get("review"))
    found = district.summary(db.catalog(), _register(), review.code)
    assert found is not None
    return render_template("district/status.html", s=found, table=district.status_table(found),
                           reviews=_register().reviews, labels=reporters.FIGURE_LABELS,
                           status_labels=reporters.STATUS_LABELS)


def _report_or_404(review: str, unit: str) -> dict[str, Any]:
    row = reporters.report_row(db.catalog(), f"{review}/{unit}")
    if row is None:
        abort(404)
    return row


@bp.get("/bang.csv")
def status_csv() -> Any:
    """The status table of a review as CSV (values, links, as the report's table)."""
    review = _review(request.args.get("review"))
    found = district.summary(db.catalog(), _register(), review.code)
    assert found is not None
    base = current_app.config.get("BASE_URL") or request.url_root.rstrip("/")
    data = "\ufeff" + district.status_table(found).to_csv(base)
    return current_app.response_class(data.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="bantin-bao-cao-{review.code}.csv"'})


@bp.get("/<review>/<unit>")
def report(review: str, unit: str) -> Any:
    row = _report_or_404(review, unit)
    reg = _register()
    figures = reporters.figures(db.catalog(), row["id"])
    name = reg.unit(unit).name if reg.unit(unit) else unit  # type: ignore[union-attr]
    status = next((s for s in reporters.statuses(db.catalog(), reg, review) if s.unit.code == unit), None)
    return render_template("district/report.html", r=row, name=name, figures=figures,
                           late=status.days_late if status else 0,
                           labels=reporters.FIGURE_LABELS, review=_review(review),
                           refs=json.loads(row["refs"] or "[]"),
                           pages=row["text"].split("\f"))


@bp.get("/<review>/<unit>/tep")
def original(review: str, unit: str) -> Any:
    row = _report_or_404(review, unit)
    scans = (Path(_config().home) / "scans").resolve()
    path = (scans / row["path"]).resolve()
    if scans not in path.parents or not path.is_file() or path.suffix.lower() not in reporters.REPORT_KINDS:
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name)


@bp.post("/<review>/<unit>/so-lieu")
@security.editor_required
def confirm(review: str, unit: str) -> Any:
    row = _report_or_404(review, unit)
    values: dict[str, int | None] = {}
    for name in reporters.FIGURES:
        raw = request.form.get(name, "").replace(".", "").replace(",", "").strip()
        if raw and not raw.isdigit():
            flash(f"Chưa lưu: “{reporters.FIGURE_LABELS[name]}” phải là số nguyên.", "error")
            return redirect(url_for("district.report", review=review, unit=unit))
        values[name] = int(raw) if raw else None
    catalog = db.catalog()
    with catalog.transaction():
        reporters.confirm(catalog, row["id"], values, author=g.user.name)
        users.audit(catalog, g.user.name, "report-figures", row["id"],
                    " ".join(f"{k}={v}" for k, v in values.items()))
    flash("Đã xác nhận số liệu.", "ok")
    return redirect(url_for("district.report", review=review, unit=unit) + "#figures")


@bp.post("/<review>/tai-len")
@security.editor_required
def upload(review: str) -> Any:
    found = _review(review)
    unit = request.form.get("unit", "")
    if _register().unit(unit) is None:
        abort(400)
    file = request.files.get("file")
    ext = os.path.splitext(file.filename or "")[1].lower() if file else ""
    if file is None or ext not in reporters.REPORT_KINDS:
        flash("Chưa nhận: chọn một tệp PDF, DOC, DOCX, ODT, RTF hoặc ảnh quét (PNG, JPEG, TIFF).", "error")
        return redirect(url_for("district.status", review=review))
    data = file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        flash("Chưa nhận: tệp lớn hơn 30 MB.", "error")
        return redirect(url_for("district.status", review=review))
    folder = Path(_config().home) / "scans" / "reports" / found.code
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{unit}.*"):  # one report per unit: the new file replaces the old
        if old.suffix.lower() in reporters.REPORT_KINDS and old.suffix.lower() != ext:
            old.unlink()
    target = folder / f"{unit}{ext}"
    tmp = folder / f".{unit}{ext}.upload"
    tmp.write_bytes(data)
    os.replace(tmp, target)
    sidecar = folder / f"{unit}.toml"
    if not sidecar.exists():
        sidecar.write_text(f'received = "{date.today().isoformat()}"\n', encoding="utf-8")
    catalog = db.catalog()
    try:
        result = intake(catalog, _config())
    except BantinError as e:
        flash(f"Đã lưu tệp, nhưng chưa đọc được: {e}", "error")
        return redirect(url_for("district.status", review=review))
    users.audit(catalog, g.user.name, "report-upload", f"{found.code}/{unit}", target.name)
    for line in result.failed:
        flash(f"Không đọc được: {line}", "error")
    flash(f"Đã nhận báo cáo của {_register().unit(unit).name}.", "ok")  # type: ignore[union-attr]
    return redirect(url_for("district.report", review=review, unit=unit))


@bp.get("/tim")
def search() -> Any:
    """Search the reports, the bulletins, or both (``scope``): reports are matched here (every
    word of the query, diacritics folded only for words typed without them); bulletins through
    the archive's search page, linked with its count."""
    q = nfc(request.args.get("q", "")).strip()[:200]
    scope = request.args.get("scope", "both")
    if scope not in ("reports", "bulletins", "both"):
        abort(400)
    if scope == "bulletins":
        return redirect(search_path([("q", q)]) if q else "/search")
    hits = []
    if q:
        words = q.split()
        for row in db.catalog().query("SELECT id, review, unit, text FROM district_report WHERE text != ''"):
            found = [s for s in sentences(row["text"]) if all(_match(w, s) for w in words)]
            if found:
                hits.append({"row": row, "sentences": found[:3], "count": len(found)})
    bulletins = search_path([("q", q)]) if q and scope == "both" else ""
    reg = _register()
    return render_template("district/search.html", q=q, scope=scope, hits=hits, bulletins=bulletins,
                           names={u.code: u.name for u in reg.units},
                           query=urlencode([("q", q)]))


def _match(word: str, sentence: str) -> bool:
    if fold(word) == word.lower():  # typed without diacritics: fold both sides
        return re.search(r"\b" + re.escape(fold(word)) + r"\b", fold(sentence)) is not None
    return re.search(r"\b" + re.escape(word.lower()) + r"\b", sentence.lower()) is not None
