"""Distribution (issue 21): the issues behind every distribution number, and the editors'
corrections of colophon facts and of the Party cells table.

- ``/coverage/colophons?series=…&from=…&to=…`` (any login): the issues of a series and years
  with their colophon facts and the words each was read from; the totals are marked
  ``data-count``/``data-unit`` (``issues``, ``issues-run``, ``issues-norun``, ``copies``,
  ``pages``, ``cells``) for ``bantin report --check``. The table per year is
  ``/coverage/distribution`` (``webapp.coverage``).
- ``/desk/colophon/<issue id>`` (editor): every fact as a field, the machine's reading and
  its confidence beside it, the history of versions; a save carries the version it started
  from (a stale one shows the conflict) and writes its audit row (``colophon-edit``).
- ``/desk/cells`` (editor): the number of Party cells per series and year (``cells-set``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from archive.editorial import EditConflict
from archive.errors import UsageError
from archive.vntext import nfc
from indexer.segment import colophons
from indexer.segment.colophon import FIELDS
from review import distribution
from review.corpus import load_corpus
from webapp import db, security, users

bp = Blueprint("distribution", __name__)

LABELS = {"print_run": "Số lượng in (bản)", "format": "Khổ", "printer": "Nơi in",
          "licence": "Giấy phép xuất bản số", "licence_date": "Ngày cấp phép (YYYY-MM-DD)",
          "deposit": "Nộp lưu chiểu (YYYY-MM)", "editor": "Chịu trách nhiệm xuất bản"}


def _year(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) != 4:
        abort(400)
    return int(raw)


@bp.get("/coverage/colophons")
def listing() -> Any:
    catalog = db.catalog()
    corpus = load_corpus(catalog, current_app.config["BANTIN"])
    code = request.args.get("series", "") or next(iter(corpus.series_codes()), "")
    if corpus.get_series(code) is None:
        abort(404)
    lo, hi = _year("from"), _year("to")
    if lo is None:
        held = corpus.years(code)
        lo = held[0] if held else 0
    found = distribution.basis(catalog, corpus, code, lo, hi)
    return render_template("distribution/colophons.html", b=found, code=code, lo=lo, hi=hi,
                           title=corpus.series_title(code), labels=LABELS, fields=FIELDS)


@bp.route("/desk/colophon/<issue_id>", methods=["GET", "POST"])
@security.editor_required
def edit(issue_id: str) -> Any:
    catalog = db.catalog()
    issue = catalog.get_issue(issue_id)
    if issue is None:
        abort(404)
    if request.method == "POST":
        values: dict[str, Any] = {}
        try:
            for name in FIELDS:
                values[name] = colophons.clean_value(name, nfc(request.form.get(name, "")))
            base = int(request.form.get("base_version", "-1"))
            reason = nfc(request.form.get("reason", "")).strip()[:300]
            with catalog.transaction():
                version = colophons.save(catalog, issue_id, values, author=g.user.name, base_version=base,
                                         reason=reason)
                users.audit(catalog, g.user.name, "colophon-edit", issue_id, f"v{version} {reason}".strip())
        except (UsageError, ValueError) as e:
            flash(f"Chưa lưu: {e}", "error")
            return redirect(url_for("distribution.edit", issue_id=issue_id))
        except EditConflict as e:
            flash(f"Chưa lưu: lời ghi cuối số đã được người khác sửa (phiên bản {e.current}); "
                  "xem lại rồi lưu lại.", "error")
            return redirect(url_for("distribution.edit", issue_id=issue_id)), 303
        flash("Đã lưu lời ghi cuối số.", "ok")
        return redirect(url_for("distribution.edit", issue_id=issue_id))
    facts = colophons.issue_facts(catalog, issue_id)
    return render_template("distribution/edit.html", issue=issue, facts=facts, fields=FIELDS, labels=LABELS,
                           history=colophons.history(catalog, issue_id))


@bp.route("/desk/cells", methods=["GET", "POST"])
@security.editor_required
def cells() -> Any:
    catalog = db.catalog()
    if request.method == "POST":
        series = request.form.get("series", "")
        try:
            year = int(request.form.get("year", ""))
            raw = request.form.get("cells", "").replace(".", "").strip()
            count = int(raw) if raw else None
            if catalog.one("SELECT 1 FROM series WHERE code = ?", (series,)) is None:
                raise UsageError(f"không có bản tin {series!r}")
            with catalog.transaction():
                colophons.set_party_cells(catalog, series, year, count, author=g.user.name)
                users.audit(catalog, g.user.name, "cells-set", f"{series}/{year}", str(count or ""))
        except (UsageError, ValueError) as e:
            flash(f"Chưa lưu: {e}", "error")
        else:
            flash("Đã lưu số chi bộ.", "ok")
        return redirect(url_for("distribution.cells"))
    rows = sorted(colophons.party_cells(catalog).items())
    codes = [r["code"] for r in catalog.query("SELECT code FROM series ORDER BY code")]
    return render_template("distribution/cells.html", rows=rows, series=codes)
