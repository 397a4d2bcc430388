"""Saved searches for every reader (``/saved/``): save a search with its filters from the search
page, list, rename, delete, run again, and see what is new since you last looked.

Each reader sees only their own saved searches (another's answers 404). Opening a saved
search's page (``/saved/<n>``) lists the results added since the last visit and counts as
looking: the next visit compares with what was shown this time. The list page counts the new
results of each search without marking them seen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for

from archive import permalinks, savedsearch
from archive.errors import UsageError
from webapp import db, library, searching

bp = Blueprint("saved", __name__)
NAV = [("saved.index", "Tìm kiếm đã lưu", "reader")]

SHOWN_NEW = 200  # new results listed on a saved search's page (the count is exact)
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


@bp.app_template_filter("saved_time")
def saved_time(stamp: str) -> str:
    """A catalog UTC stamp as the reader's local time, ``dd/mm/yyyy HH:MM``."""
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=ZoneInfo("UTC"))
    except ValueError:
        return stamp
    return moment.astimezone(LOCAL).strftime("%d/%m/%Y %H:%M")


def _results(ref: str) -> tuple[Any, list[Any]] | None:
    """(first result, every hit) of the search ``ref`` now; None when it cannot run."""
    query, _ = searching.query_from(dict(permalinks.search_params_of(ref)))
    if query.empty:
        return None
    try:
        first, hits = searching.all_hits(current_app.config["BANTIN"], query, db.catalog(), snippets=False)
    except (searching.BadQuery, searching.SearchUnavailable):
        return None
    return first, list(hits)


def _mine(search_id: int) -> savedsearch.SavedSearch:
    found = savedsearch.get(db.catalog(), g.user.name, search_id)
    if found is None:
        abort(404)
    return found


@bp.get("/saved/")
def index() -> Any:
    catalog = db.catalog()
    rows = []
    for s in savedsearch.list_for(catalog, g.user.name):
        result = _results(s.ref)
        ids = [h.id for h in result[1]] if result else []
        rows.append({"search": s, "total": len(ids) if result else None,
                     "new": len(savedsearch.new_since(catalog, s, ids)) if result else None})
    return render_template("saved/index.html", rows=rows, error=request.args.get("loi", ""))


@bp.post("/saved/")
def create() -> Any:
    ref = request.form.get("ref", "")[:4000]
    name = request.form.get("name", "")
    result = _results(ref)
    try:
        made = savedsearch.save(db.catalog(), g.user.name, name, ref, [h.id for h in result[1]] if result else [])
    except UsageError as e:
        return render_template("saved/index.html", rows=[], error=str(e)), 400
    return redirect(url_for("saved.view", search_id=made.id))


@bp.get("/saved/<int:search_id>")
def view(search_id: int) -> Any:
    """The saved search with the results added since the last look; this visit is a look."""
    catalog = db.catalog()
    found = _mine(search_id)
    result = _results(found.ref)
    hits = result[1] if result else []
    new_ids = set(savedsearch.new_since(catalog, found, [h.id for h in hits]))
    new = [h for h in hits if h.id in new_ids]
    names = {s.code: s.title for s in catalog.series()}
    if result is not None:
        savedsearch.mark_seen(catalog, found, [h.id for h in hits])
    return render_template("saved/view.html", search=found, total=len(hits) if result else None,
                           new=new[:SHOWN_NEW], new_count=len(new), series_names=names,
                           first=result[0] if result else None, topic_names=library.topic_names())


@bp.post("/saved/<int:search_id>/rename")
def rename(search_id: int) -> Any:
    found = _mine(search_id)
    try:
        savedsearch.rename(db.catalog(), g.user.name, found.id, request.form.get("name", ""))
    except UsageError as e:
        return redirect(url_for("saved.index", loi=str(e)))
    return redirect(url_for("saved.index"))


@bp.post("/saved/<int:search_id>/delete")
def delete(search_id: int) -> Any:
    found = _mine(search_id)
    savedsearch.delete(db.catalog(), g.user.name, found.id)
    return redirect(url_for("saved.index"))
