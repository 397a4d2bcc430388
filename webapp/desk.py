"""The editors' desk (``/desk/``, role ``editor``): correct a page's text beside its scan,
correct an article's fields, split and merge articles, see and restore every version, and
the review queue of what most needs an editor.

Every save is one transaction holding the new version and its audit row; the form carries
the version it started from, so a save over a newer version shows the conflict page (the
other editor's text and the difference) instead of overwriting it. After the save the
change is carried everywhere at once (:func:`indexer.refresh.refresh`: re-segment, analyse,
reindex) inside the same request; if that fails the correction is kept and queued, and
``bantin build`` (or ``bantin refresh``) catches up.

Why one module of a little over 400 lines: the desk's routes share one set of helpers (conflict
pages, refresh after a save, audit lines); each route is short.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from archive import editorial, worklist
from archive.catalog import Catalog
from archive.editorial import EditConflict
from archive.errors import BantinError, UsageError
from archive.models import ARTICLE_KINDS
from archive.vntext import nfc
from indexer.analyze.topicfile import load_topics, topics_path
from indexer.extract import ocrcorrect
from indexer.segment import edits, ops, structure
from indexer.segment.sections import load_sections
from webapp import db, library, security, users
from webapp.refreshing import carry

log = logging.getLogger(__name__)

bp = Blueprint("desk", __name__, url_prefix="/desk")
security.blueprint_role(bp, "editor")
NAV = [("desk.queue", "Hiệu đính", "editor")]

MAX_PAGE_TEXT = 200_000  # characters of one page's text
MAX_REASON = 300
T = TypeVar("T")


def _catalog() -> Catalog:
    return db.catalog()


def _config() -> Any:
    return current_app.config["BANTIN"]


def _int(name: str, default: int | None = None) -> int:
    try:
        return int(request.form.get(name, request.args.get(name, "")))
    except ValueError:
        if default is None:
            abort(400)
        return default


def _reason() -> str:
    return nfc(request.form.get("reason", "")).strip()[:MAX_REASON]


def _refresh(*, pages: list[str] | tuple[str, ...] = (), articles: list[str] | tuple[str, ...] = ()) -> None:
    """Carry a saved correction to the articles, analysis and search index; the correction
    is already committed, so a failure here only delays that (the queue keeps the work)."""

    try:
        carried = carry(_catalog(), _config(), pages=pages, articles=articles)
    except Exception:
        log.exception("refresh after a correction failed")
        flash("Đã lưu, nhưng chưa cập nhật được chỉ mục tìm kiếm; việc này sẽ được làm khi chạy "
              "“bantin build” hoặc “bantin refresh”.", "warning")
        return
    if carried.index_skipped:
        flash("Đã lưu. Chưa có chỉ mục tìm kiếm: chạy “bantin build” để tạo.", "info")
    elif carried.done:
        flash(f"Đã lưu và cập nhật tìm kiếm, thống kê ({carried.seconds:.1f} giây).", "ok")
    else:
        flash("Đã lưu. Tìm kiếm và thống kê đang được cập nhật, sẽ xong sau ít giây.", "info")


def _conflict(e: EditConflict, *, what: str, mine: str, form: dict[str, Any], action: str,
              back: str) -> Any:
    return render_template("desk/conflict.html", conflict=e, what=what, mine=mine, form=form,
                           action=action, back=back), 409


# --- review queue --------------------------------------------------------------------------

@bp.get("/")
def queue() -> Any:
    low = float(_config().low_confidence)
    work = worklist.worklist(_catalog(), low_confidence=low)
    return render_template("desk/queue.html", work=work, low=low)


# --- pages ---------------------------------------------------------------------------------

def _page_or_404(issue_id: str, seq: int) -> tuple[Any, Any]:
    catalog = _catalog()
    issue = catalog.get_issue(issue_id)
    page = catalog.get_page(f"{issue_id}/{seq}") if issue else None
    if issue is None or page is None:
        abort(404)
    return issue, page


@bp.route("/i/<issue_id>/<int:seq>", methods=["GET", "POST"])
def page(issue_id: str, seq: int) -> Any:
    issue, pg = _page_or_404(issue_id, seq)
    catalog = _catalog()
    if request.method == "POST":
        text = nfc(request.form.get("text", ""))
        if len(text) > MAX_PAGE_TEXT:
            abort(413)
        base = _int("base_version")
        reviewed = request.form.get("action") == "reviewed"
        reason = _reason() or ("đã soát, không cần sửa" if reviewed else "")
        if reviewed:
            current = editorial.effective_page(catalog, pg.id)
            text = current.text if current else ""
        try:
            with catalog.transaction():
                v = editorial.correct_page(catalog, pg.id, text, author=g.user.name, base_version=base,
                                           reason=reason)
                users.audit(catalog, g.user.name, "page-correct", pg.id, f"v{v.version} {reason}".strip())
        except EditConflict as e:
            return _conflict(e, what=f"trang {seq} của {issue_id}", mine=text,
                             form={"reason": reason}, action=url_for("desk.page", issue_id=issue_id, seq=seq),
                             back=url_for("desk.page", issue_id=issue_id, seq=seq))
        except UsageError as e:
            abort(400, description=str(e))
        _refresh(pages=[pg.id])
        return redirect(url_for("desk.page", issue_id=issue_id, seq=seq))
    view = library.issue_view(catalog, issue)
    shown = library.page_text(catalog, pg)
    history = editorial.page_history(catalog, pg.id)
    low = float(_config().low_confidence)
    words = shown.words if shown else []
    return render_template(
        "desk/page.html", view=view, page=pg, text=shown, history=history,
        base_version=editorial.current_version(catalog, pg.id), low=low,
        low_words=[w.text for w in words if w.conf < low][:200],
        articles=library.page_articles(catalog, issue_id, seq),
        ocr_fixes=ocrcorrect.page_corrections(catalog, pg.id),
        ocr_undos=ocrcorrect.page_undos(catalog, pg.id),
        image=url_for("images.page_image", issue_id=issue_id, seq=seq, size="view"),
        image_large=url_for("images.page_image", issue_id=issue_id, seq=seq, size="large"),
        prev=seq - 1 if seq > 1 else None,
        next=seq + 1 if catalog.get_page(f"{issue_id}/{seq + 1}") else None)


@bp.post("/i/<issue_id>/<int:seq>/ocrfix")
def page_ocrfix(issue_id: str, seq: int) -> Any:
    """Undo an automatic OCR correction on the page (kept through every rebuild), or
    withdraw that undo (``action=redo``)."""
    _issue, pg = _page_or_404(issue_id, seq)
    catalog = _catalog()
    raw, corrected = nfc(request.form.get("raw", "")), nfc(request.form.get("corrected", ""))
    if request.form.get("action") == "redo":
        done = ocrcorrect.redo_correction(catalog, pg.id, raw, corrected)
        action = "ocrfix-redo"
    else:
        done = ocrcorrect.undo_correction(catalog, pg.id, raw, corrected, author=g.user.name)
        action = "ocrfix-undo"
    if not done:
        abort(404)
    with catalog.transaction():
        users.audit(catalog, g.user.name, action, pg.id, f"{raw} → {corrected}")
    _refresh(pages=[pg.id])
    return redirect(url_for("desk.page", issue_id=issue_id, seq=seq))


@bp.get("/i/<issue_id>/<int:seq>/history")
def page_history(issue_id: str, seq: int) -> Any:
    issue, pg = _page_or_404(issue_id, seq)
    catalog = _catalog()
    history = editorial.page_history(catalog, pg.id)
    if not history:
        abort(404)
    shown = _int("v", history[-1].version)
    version = next((v for v in history if v.version == shown), None)
    if version is None:
        abort(404)
    in_force = history[-1]
    return render_template("desk/page_history.html", view=library.issue_view(catalog, issue), page=pg,
                           history=history, version=version, in_force=in_force,
                           diff=editorial.text_diff(in_force.text, version.text,
                                                    _version_label(in_force.version, in_force=True),
                                                    _version_label(version.version)),
                           base_version=editorial.current_version(catalog, pg.id))


def _version_label(version: int, *, in_force: bool = False) -> str:
    """How the diff's two sides are named: the text in force, and the version shown."""
    name = "bản máy đọc" if version == 0 else f"bản {version}"
    return f"{name} (đang có hiệu lực)" if in_force else name


@bp.post("/i/<issue_id>/<int:seq>/restore")
def page_restore(issue_id: str, seq: int) -> Any:
    _issue, pg = _page_or_404(issue_id, seq)
    catalog = _catalog()
    version, base = _int("version"), _int("base_version")
    reason = _reason()
    try:
        with catalog.transaction():
            v = editorial.restore_page(catalog, pg.id, version, author=g.user.name, base_version=base,
                                       reason=reason)
            users.audit(catalog, g.user.name, "page-restore", pg.id, f"v{v.version} = v{version}")
    except EditConflict as e:
        old = next((h.text for h in editorial.page_history(catalog, pg.id) if h.version == version), "")
        return _conflict(e, what=f"trang {seq} của {issue_id}", mine=old, form={"reason": reason},
                         action=url_for("desk.page", issue_id=issue_id, seq=seq),
                         back=url_for("desk.page_history", issue_id=issue_id, seq=seq))
    except UsageError as e:
        abort(400, description=str(e))
    _refresh(pages=[pg.id])
    return redirect(url_for("desk.page", issue_id=issue_id, seq=seq))


# --- articles ------------------------------------------------------------------------------

def _article_or_404(article_id: str) -> Any:
    found = library.get_article(_catalog(), article_id)
    if found is None:
        abort(404)
    return found


def _choices() -> tuple[list[str], list[tuple[str, str]]]:
    """Section names and (slug, name) topics of this home's lists."""

    home = _config().home
    try:
        sections = [s.name for s in load_sections(home).sections]
    except BantinError:
        sections = []
    try:
        topics = [(t.slug, t.name) for t in load_topics(topics_path(home)).topics]
    except BantinError:
        topics = sorted(library.topic_names().items())
    return sections, topics


@bp.route("/a/<article_id>", methods=["GET", "POST"])
def article(article_id: str) -> Any:
    found = _article_or_404(article_id)
    catalog = _catalog()
    if request.method == "POST":
        names = ("title", "section", "kind", "byline", "first_page", "last_page")
        changes: dict[str, Any] = {k: request.form[k] for k in names if k in request.form}
        if request.form.get("topics_shown"):
            changes["topics"] = request.form.getlist("topics")
        reason = _reason()
        try:
            with catalog.transaction():
                before = edits.current_version(catalog, article_id)
                v = edits.edit_article(catalog, article_id, changes, author=g.user.name,
                                       base_version=_int("base_version"), reason=reason)
                if v.version != before:
                    users.audit(catalog, g.user.name, "article-edit", article_id,
                                f"v{v.version} {', '.join(sorted(v.fields))} {reason}".strip())
        except EditConflict as e:
            return _conflict(e, what=f"tin, bài {article_id}", mine=edits.describe(changes),
                             form={}, action="", back=url_for("desk.article", article_id=article_id))
        except UsageError as e:
            flash(f"Chưa lưu: {e}", "error")
            return redirect(url_for("desk.article", article_id=article_id))
        if v.version == before:
            flash("Không có gì thay đổi.", "info")
        else:
            _refresh(articles=[article_id])
        return redirect(url_for("desk.article", article_id=article_id))
    issue = catalog.get_issue(found.issue_id)
    if issue is None:
        abort(404)
    sections, topics = _choices()
    values = edits.current_values(catalog, article_id) or {}
    return render_template(
        "desk/article.html", a=found, view=library.issue_view(catalog, issue), values=values,
        base_version=edits.current_version(catalog, article_id),
        base_ops=ops.structure_version(catalog, found.issue_id),
        machine=edits.base_values(catalog, article_id), sections=sections, topics=topics,
        topic_rows=library.article_topics(catalog, article_id), kinds=ARTICLE_KINDS,
        paragraphs=ops.paragraphs(found.text), page_count=issue.page_count or found.last_page)


def _issue_op(catalog: Catalog, issue_id: str, op: Callable[[], T], failed: str,
              back: str) -> tuple[T | None, Any]:
    """Run a change to an issue's articles (``op``: the change and its audit line) in one
    transaction. Returns (what ``op`` returned, None), or (None, the response) when another
    editor changed the issue first (the conflict page) or the change was refused (a message
    starting with ``failed``, back to ``back``)."""
    try:
        with catalog.transaction():
            return op(), None
    except EditConflict as e:
        return None, _conflict(e, what=f"các tin, bài của số {issue_id}", mine="", form={},
                               action="", back=back)
    except UsageError as e:
        flash(f"{failed}: {e}", "error")
        return None, redirect(back)


@bp.post("/a/<article_id>/split")
def split(article_id: str) -> Any:
    found = _article_or_404(article_id)
    catalog = _catalog()
    title = nfc(request.form.get("title", "")).strip()[:ops.MAX_TITLE]
    reason = _reason()

    def op() -> str:
        new_id = structure.split_article(catalog, article_id, _int("at"), title, author=g.user.name,
                                         base_ops=_int("base_ops"), reason=reason)
        users.audit(catalog, g.user.name, "article-split", article_id, f"-> {new_id} {reason}".strip())
        return new_id

    new_id, refused = _issue_op(catalog, found.issue_id, op, "Chưa tách",
                                url_for("desk.article", article_id=article_id))
    if refused is not None:
        return refused
    assert new_id is not None  # not refused: the split made it
    _refresh(articles=[article_id, new_id])
    return redirect(url_for("desk.article", article_id=new_id))


@bp.get("/a/<article_id>/history")
def article_history(article_id: str) -> Any:
    found = _article_or_404(article_id)
    catalog = _catalog()
    history = edits.article_history(catalog, article_id)
    shown = _int("v", history[-1].version)
    version = next((v for v in history if v.version == shown), None)
    if version is None:
        abort(404)
    machine = edits.base_values(catalog, article_id)
    base = {k: getattr(machine, k) for k in edits.FIELDS if k != "topics"} if machine else {}
    values = {**base, **version.fields}
    in_force = edits.current_values(catalog, article_id) or {}
    op_list = [o for o in ops.issue_ops(catalog, found.issue_id) if article_id in o.articles]
    return render_template("desk/article_history.html", a=found, history=history, version=version,
                           values=values, describe=edits.describe, ops=op_list,
                           diff=editorial.text_diff(edits.describe(in_force), edits.describe(
                               {**in_force, **values}), _version_label(history[-1].version, in_force=True),
                               _version_label(version.version)),
                           base_version=edits.current_version(catalog, article_id))


@bp.post("/a/<article_id>/restore")
def article_restore(article_id: str) -> Any:
    _article_or_404(article_id)
    catalog = _catalog()
    version = _int("version")
    try:
        with catalog.transaction():
            v = edits.restore_article(catalog, article_id, version, author=g.user.name,
                                      base_version=_int("base_version"), reason=_reason())
            users.audit(catalog, g.user.name, "article-restore", article_id, f"v{v.version} = v{version}")
    except EditConflict as e:
        return _conflict(e, what=f"tin, bài {article_id}", mine="", form={}, action="",
                         back=url_for("desk.article_history", article_id=article_id))
    except UsageError as e:
        abort(400, description=str(e))
    _refresh(articles=[article_id])
    return redirect(url_for("desk.article", article_id=article_id))


# --- an issue's structure --------------------------------------------------------------------

@bp.get("/i/<issue_id>")
def issue(issue_id: str) -> Any:
    catalog = _catalog()
    found = catalog.get_issue(issue_id)
    if found is None:
        abort(404)
    op_list = ops.issue_ops(catalog, issue_id)
    return render_template("desk/issue.html", view=library.issue_view(catalog, found),
                           articles=library.issue_articles(catalog, issue_id), ops=op_list,
                           undone_by={o.op.get("target"): o for o in op_list if o.kind == "undo"},
                           base_ops=ops.structure_version(catalog, issue_id),
                           pages=catalog.pages(issue_id))


@bp.post("/i/<issue_id>/merge")
def merge(issue_id: str) -> Any:
    catalog = _catalog()
    if catalog.get_issue(issue_id) is None:
        abort(404)
    ids = request.form.getlist("articles")
    reason = _reason()

    def op() -> None:
        kept = structure.merge_articles(catalog, ids, author=g.user.name, base_ops=_int("base_ops"),
                                        reason=reason)
        users.audit(catalog, g.user.name, "article-merge", kept, f"{' + '.join(ids)} {reason}".strip())

    _, refused = _issue_op(catalog, issue_id, op, "Chưa gộp", url_for("desk.issue", issue_id=issue_id))
    if refused is not None:
        return refused
    _refresh(articles=ids)
    return redirect(url_for("desk.issue", issue_id=issue_id))


@bp.post("/i/<issue_id>/undo")
def undo(issue_id: str) -> Any:
    catalog = _catalog()
    if catalog.get_issue(issue_id) is None:
        abort(404)
    before = [a.id for a in library.issue_articles(catalog, issue_id)]
    seq = _int("seq")

    def op() -> None:
        structure.undo_op(catalog, issue_id, seq, author=g.user.name, base_ops=_int("base_ops"),
                          reason=_reason())
        users.audit(catalog, g.user.name, "article-undo", issue_id, f"op {seq}")

    _, refused = _issue_op(catalog, issue_id, op, "Chưa hoàn tác", url_for("desk.issue", issue_id=issue_id))
    if refused is not None:
        return refused
    after = [a.id for a in library.issue_articles(catalog, issue_id)]
    _refresh(articles=[*before, *after])
    return redirect(url_for("desk.issue", issue_id=issue_id))
