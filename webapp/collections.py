"""Evidence collections in the browser: ``/c/`` lists them, ``/c/<slug>`` is the link an
editor shares with any logged-in user, ``/c/<slug>/export.csv|docx|ris`` downloads one.

Reading and exporting need only a login (a collection is evidence for everyone writing the
report). Any editor may create a collection; only its owner and the admins may change it
afterwards (add, annotate, reorder, remove items, rename, delete): :func:`may_change`, checked
on every changing route (403 otherwise) and used by the templates to show the forms. Articles
are added from the article page and searches from the search page (a small form each, shown to
editors, listing the collections they may change). Every change and export is written to the
audit log.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from archive import collections as data
from archive import issued, permalinks
from archive.errors import UsageError
from archive.vntext import nfc
from indexer.segment.ops import merged_into
from webapp import collection_export, db, library, security, users
from webapp.article import citation_for

bp = Blueprint("collections", __name__)
NAV = [("collections.index", "Bộ sưu tập", "reader")]

MAX_NOTE = 4000  # characters
MAX_NAME = 200


def may_change(user: users.User | None, collection: data.Collection) -> bool:
    """The rule: a collection is changed by its owner (an editor) or an admin, nobody else."""
    if user is None or not users.has_role(user, "editor"):
        return False
    return collection.owner == user.name or users.has_role(user, "admin")


@bp.app_context_processor
def _choices() -> dict[str, Any]:
    """``collection_choices()`` for the "add to a collection" forms on other pages (the
    collections the user may change), ``may_change(c)`` for the collection page."""
    def choices() -> list[tuple[str, str]]:
        user = g.get("user")
        if not users.has_role(user, "editor"):
            return []
        return [(c.slug, c.name) for c in data.list_collections(db.catalog()) if may_change(user, c)]
    return {"collection_choices": choices,
            "may_change_collection": lambda c: may_change(g.get("user"), c)}


def _get(slug: str) -> data.Collection:
    found = data.get_collection(db.catalog(), slug)
    if found is None:
        abort(404)
    return found


def _changeable(slug: str) -> data.Collection:
    """The collection ``slug`` when the user may change it; 404 or 403 otherwise."""
    found = _get(slug)
    if not may_change(g.get("user"), found):
        abort(403)
    return found
def _item_path(kind: str, ref: str) -> str:
    return permalinks.article_path(ref) if kind == "article" else permalinks.saved_search_path(ref)


def _base_url() -> str:
    return current_app.config.get("BASE_URL") or request.url_root.rstrip("/")


@bp.get("/c/")
def index() -> Any:
    return render_template("collections/index.html", collections=data.list_collections(db.catalog()))


@bp.post("/c/")
@security.editor_required
def create() -> Any:
    catalog = db.catalog()
    try:
        with catalog.transaction():
            made = data.create_collection(catalog, nfc(request.form.get("name", ""))[:MAX_NAME],
                                          owner=g.user.name,
                                          description=nfc(request.form.get("description", ""))[:MAX_NOTE])
            users.audit(catalog, g.user.name, "collection-create", made.slug, made.name)
    except UsageError as e:
        flash(f"Chưa tạo: {e}", "error")
        return redirect(url_for("collections.index"))
    return redirect(url_for("collections.view", slug=made.slug))


@bp.post("/c/add")
@security.editor_required
def add() -> Any:
    """Add an article (``kind=article``, ``ref`` its id) or a search (``kind=search``, ``ref``
    its canonical URL) to a collection chosen by slug, or to a new one named ``new_name``."""
    catalog = db.catalog()
    kind = request.form.get("kind", "")
    ref = nfc(request.form.get("ref", "")).strip()[:2000]
    back = security.safe_next(request.form.get("next"))
    title = ""
    if kind == "article":
        found = library.get_article(catalog, ref)
        if found is None:
            abort(404)
        title = found.title
    elif kind == "search":
        if not ref.startswith("/search"):
            abort(400)
        title = nfc(request.form.get("title", "")).strip()[:MAX_NAME] or ref
    else:
        abort(400)
    try:
        with catalog.transaction():
            name = nfc(request.form.get("new_name", "")).strip()[:MAX_NAME]
            target = data.create_collection(catalog, name, owner=g.user.name) if name else \
                data.get_collection(catalog, request.form.get("collection", ""))
            if target is None:
                raise UsageError("hãy chọn một bộ sưu tập hoặc đặt tên cho bộ mới")
            if not may_change(g.user, target):
                abort(403)
            if name:
                users.audit(catalog, g.user.name, "collection-create", target.slug, target.name)
            data.add_item(catalog, target.id, kind, ref, title=title,
                          note=nfc(request.form.get("note", ""))[:MAX_NOTE], added_by=g.user.name)
            users.audit(catalog, g.user.name, "collection-add", target.slug, f"{kind} {ref}")
    except UsageError as e:
        flash(f"Chưa thêm: {e}", "error")
        return redirect(back)
    flash(f"Đã thêm vào bộ sưu tập “{target.name}”.", "ok")
    return redirect(back)


@bp.get("/c/<slug>")
def view(slug: str) -> Any:
    catalog = db.catalog()
    if data.get_collection(catalog, slug) is None:
        gone = data.deleted_collection(catalog, slug)
        if gone is None:
            abort(404)
        name, at, rows = gone
        return render_template("collections/deleted.html", slug=slug, name=name, at=at,
                               items=[(k, r, t, _item_path(k, r)) for k, r, t in rows])
    found = _get(slug)
    items = []
    for item in found.items:
        article = moved = None
        if item.kind == "article":
            article = library.get_article(catalog, item.ref)
            if article is None:
                where = issued.resolve(catalog, item.ref)
                moved = (where.targets[0] if where and where.targets else None) or merged_into(catalog, item.ref)
        items.append({"item": item, "article": article, "moved": moved,
                      "path": _item_path(item.kind, item.ref),
                      "filters": permalinks.describe_search(item.ref) if item.kind == "search" else ""})
    return render_template("collections/view.html", c=found, items=items,
                           share=_base_url() + url_for("collections.view", slug=slug))


@bp.post("/c/<slug>")
@security.editor_required
def change(slug: str) -> Any:
    catalog = db.catalog()
    found = _changeable(slug)
    action = request.form.get("action")
    with catalog.transaction():
        if action == "rename":
            try:
                data.rename_collection(catalog, found.id, nfc(request.form.get("name", ""))[:MAX_NAME],
                                       nfc(request.form.get("description", ""))[:MAX_NOTE])
            except UsageError as e:
                flash(f"Chưa đổi tên: {e}", "error")
                return redirect(url_for("collections.view", slug=slug))
            users.audit(catalog, g.user.name, "collection-rename", slug, request.form.get("name", ""))
        elif action == "delete":
            data.delete_collection(catalog, found.id)
            users.audit(catalog, g.user.name, "collection-delete", slug, found.name)
            return redirect(url_for("collections.index"))
        else:
            abort(400)
    return redirect(url_for("collections.view", slug=slug))


@bp.post("/c/<slug>/items/<int:item_id>")
@security.editor_required
def item(slug: str, item_id: int) -> Any:
    catalog = db.catalog()
    found = _changeable(slug)
    positions = {i.id: i.position for i in found.items}
    if item_id not in positions:
        abort(404)
    action = request.form.get("action")
    order = [i.id for i in found.items]
    with catalog.transaction():
        if action == "note":
            data.set_note(catalog, item_id, nfc(request.form.get("note", ""))[:MAX_NOTE])
        elif action in ("up", "down"):
            k = order.index(item_id) + (-1 if action == "up" else 1)
            data.move_item(catalog, item_id, max(1, min(len(order), k + 1)))
        elif action == "move":
            try:
                data.move_item(catalog, item_id, int(request.form.get("position", "")))
            except ValueError:
                abort(400)
        elif action == "remove":
            data.remove_item(catalog, item_id)
        else:
            abort(400)
        users.audit(catalog, g.user.name, f"collection-{action}", slug, f"item {item_id}")
    return redirect(url_for("collections.view", slug=slug) + f"#item-{item_id}")


@bp.get("/c/<slug>/export.<fmt>")
def export(slug: str, fmt: str) -> Any:
    if fmt not in ("csv", "docx", "ris"):
        abort(404)
    catalog = db.catalog()
    found = _get(slug)
    recs = collection_export.records(catalog, found, _base_url(), citation_for)
    users.audit(catalog, g.user.name, "export", f"/c/{slug}", f"format={fmt} items={len(recs)}")
    if fmt == "csv":
        body: str | bytes = collection_export.to_csv(recs)
        mime = "text/csv; charset=utf-8"
    elif fmt == "ris":
        body = collection_export.to_ris(recs)
        mime = "application/x-research-info-systems; charset=utf-8"
    else:
        body = collection_export.to_docx(found, recs)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Response(body, mimetype=mime.split(";")[0],
                    headers={"Content-Type": mime,
                             "Content-Disposition": f'attachment; filename="{found.slug}.{fmt}"'})
