"""Doubtful cited documents on the editors' desk (``/desk/refs/``, role ``editor``).

Why a page of its own: a document number read by OCR that the register could not settle
(:mod:`indexer.analyze.reconcile`) stays out of every count until an editor decides, so the
review's figures wait on this list. Each item shows the reading, why it is in doubt, the
sentence around it and the scan itself cropped around the word (the page image, shown
through an SVG view box: no inline style, the CSP holds); the editor confirms it, corrects
it to another identifier, or rejects it (:func:`archive.worklist.decide_ref`,
:func:`archive.worklist.correct_ref`). Every decision is audited, survives reanalysis, and
is carried to the index and the report at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from archive import worklist
from archive.catalog import Catalog
from archive.editorial import effective_page
from archive.vntext import nfc
from indexer.analyze.docid import normalize_id
from indexer.refresh import refresh
from webapp import db, security, users

log = logging.getLogger(__name__)

bp = Blueprint("deskrefs", __name__, url_prefix="/desk/refs")
security.blueprint_role(bp, "editor")
NAV: list[tuple[str, str, str]] = []  # reached from the desk's queue

REASONS = {
    "unregistered": "Không có trong danh mục văn bản (với loại, cơ quan, năm này); đọc bằng OCR",
    "issued-later": "Văn bản cùng số trong danh mục ban hành sau ngày của số báo",
    "low-confidence": "Số hiệu đọc với độ tin cậy thấp; một văn bản khác trong danh mục cũng có thể",
    "not in the register; read by OCR": "Không có trong danh mục văn bản; đọc bằng OCR",
}
CONTEXT = 140  # characters of the article's text either side of the reading


@dataclass(frozen=True)
class Crop:
    """Where the reading is on the scan: the page image and a view box in page-width units."""

    issue_id: str
    seq: int
    view: str  # "x y w h"
    height: float  # page height / width


@dataclass(frozen=True)
class Item:
    ref: worklist.RefItem
    title: str
    issue_id: str
    first_page: int
    before: str
    match: str
    after: str
    reason: str
    crop: Crop | None


def _catalog() -> Catalog:
    return db.catalog()


def _crop(catalog: Catalog, issue_id: str, first: int, last: int, raw: str) -> Crop | None:
    tokens = {t.strip(".,;:()") for t in raw.split() if any(ch.isdigit() for ch in t)}
    for seq in range(first, last + 1):
        page_id = f"{issue_id}/{seq}"
        version = effective_page(catalog, page_id)
        page = catalog.get_page(page_id)
        if version is None or page is None:
            continue
        for w in version.words:
            if nfc(w.text).strip(".,;:()") in tokens:
                w_px, h_px = (page.width_px, page.height_px) if page.width_px else (page.width_pt, page.height_pt)
                ratio = (h_px / w_px) if w_px and h_px else 1.414
                x0, y0, x1, y1 = w.box
                left, width = max(0.0, x0 - 0.2), min(1.0, 0.5 + (x1 - x0))
                top, height = max(0.0, (y0 - 0.02) * ratio), (y1 - y0 + 0.04) * ratio
                return Crop(issue_id, seq, f"{left:.4f} {top:.4f} {width:.4f} {height:.4f}", ratio)
    return None


def _item(catalog: Catalog, ref: worklist.RefItem) -> Item:
    row = catalog.one("SELECT title, text, issue_id, first_page, last_page FROM article WHERE id = ?",
                      (ref.article_id,))
    if row is None:
        return Item(ref, "", "", 0, "", ref.raw, "", REASONS.get(ref.reason, ref.reason), None)
    text = row["text"] or ""
    at = text.find(ref.raw) if ref.raw else -1
    if at < 0:
        before, match, after = text[:2 * CONTEXT], "", ""
    else:
        before = text[max(0, at - CONTEXT):at]
        match, after = ref.raw, text[at + len(ref.raw):at + len(ref.raw) + CONTEXT]
    return Item(ref, row["title"] or "", row["issue_id"], int(row["first_page"]),
                ("…" if at > CONTEXT else "") + before, match, after + "…",
                REASONS.get(ref.reason, ref.reason),
                _crop(catalog, row["issue_id"], int(row["first_page"]), int(row["last_page"]), ref.raw))


@bp.get("/")
def index() -> Any:
    catalog = _catalog()
    pending = worklist.doubtful_refs(catalog, limit=100)
    count = worklist.worklist(catalog).counts["refs_doubtful"]
    return render_template("desk/refs.html", items=[_item(catalog, r) for r in pending], count=count,
                           decided=worklist.decided_refs(catalog), reasons=REASONS)


@bp.post("/decide")
def decide() -> Any:
    """Confirm, correct or reject one doubtful reading."""
    catalog = _catalog()
    article_id, doc_id = nfc(request.form.get("article_id", "")), nfc(request.form.get("doc_id", ""))
    action = request.form.get("action", "")
    author = g.user.name
    if action == "correct":
        new_id = normalize_id(request.form.get("new_id", "")[:80])
        if new_id is None:
            flash("Số hiệu sửa lại không đúng dạng (ví dụ 10-NQ/TW, 43/2022/QH15): chưa lưu gì.", "error")
            return redirect(url_for("deskrefs.index")), 303
        done = worklist.correct_ref(catalog, article_id, doc_id, new_id, author=author)
        what = f"{doc_id} → {new_id}"
    elif action in ("confirm", "reject"):
        done = worklist.decide_ref(catalog, article_id, doc_id, confirmed=action == "confirm", author=author)
        what = doc_id
    else:
        abort(400)
    if not done:
        abort(404)
    with catalog.transaction():
        users.audit(catalog, author, f"ref-{action}", article_id, what)
    try:
        refresh(catalog, current_app.config["BANTIN"], articles=[article_id])
        flash(f"Đã lưu ({what}) và cập nhật tìm kiếm, thống kê.", "ok")
    except Exception:
        log.exception("refresh after a reference decision failed")
        flash("Đã lưu, nhưng chưa cập nhật được chỉ mục tìm kiếm; việc này sẽ được làm khi chạy "
              "“bantin build” hoặc “bantin refresh”.", "warning")
    return redirect(url_for("deskrefs.index")), 303
