"""The topic audit on the editors' desk (``/desk/audit/``, role ``editor``): label the audit
sample one article at a time, blind, and see the agreement figures.

Blind: the labelling page shows the article and the topic list with nothing ticked and no
machine label or evidence, so the editor's judgement is their own; the machine's labels in
force are recorded beside the editor's (``topic_label.machine``). A second editor labels the
same sample the same way; each editor sees only their own progress. Saving an editor's
labels makes them the article's labels in force (the analysis applies them) and they train
the topic model at the next ``bantin analyze``.
"""

from __future__ import annotations

import logging
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

from archive import topiclabels
from archive.catalog import Catalog
from archive.errors import BantinError
from indexer.analyze.topicfile import load_topics, topics_path
from indexer.segment.edits import queue
from review.agreement import agreement, agreement_csv, method_sentences
from webapp import db, library, security, users
from webapp.refreshing import carry

log = logging.getLogger(__name__)

bp = Blueprint("audit", __name__, url_prefix="/desk/audit")
security.blueprint_role(bp, "editor")
NAV = [("audit.index", "Kiểm tra chủ đề", "editor")]


def _catalog() -> Catalog:
    return db.catalog()


def _topics() -> list[tuple[str, str]]:
    try:
        return [(t.slug, t.name) for t in load_topics(topics_path(current_app.config["BANTIN"].home)).topics]
    except BantinError:
        return sorted(library.topic_names().items())


def _mine(catalog: Catalog, sample_id: int) -> dict[str, tuple[str, ...]]:
    return {r.article_id: r.labels for r in topiclabels.latest_labels(catalog, sample_id=sample_id)
            if r.editor == g.user.name}


@bp.get("/")
def index() -> Any:
    catalog = _catalog()
    rows = []
    for s in reversed(topiclabels.samples(catalog)):
        items = topiclabels.sample_items(catalog, s.id)
        rows.append((s, len(items), topiclabels.progress(catalog, s.id), len(_mine(catalog, s.id))))
    return render_template("audit/index.html", rows=rows)


@bp.get("/<int:sample_id>")
def next_item(sample_id: int) -> Any:
    """The first article of the sample this editor has not labelled yet."""
    catalog = _catalog()
    if topiclabels.sample(catalog, sample_id) is None:
        abort(404)
    done = _mine(catalog, sample_id)
    for position, article_id, _s in topiclabels.sample_items(catalog, sample_id):
        if article_id not in done:
            return redirect(url_for("audit.item", sample_id=sample_id, position=position))
    flash("Bạn đã gắn nhãn hết mẫu này.", "ok")
    return redirect(url_for("audit.figures", sample_id=sample_id))


@bp.route("/<int:sample_id>/<int:position>", methods=["GET", "POST"])
def item(sample_id: int, position: int) -> Any:
    catalog = _catalog()
    items = topiclabels.sample_items(catalog, sample_id)
    found = next(((p, a) for p, a, _s in items if p == position), None)
    if found is None:
        abort(404)
    article_id = found[1]
    topics = _topics()
    if request.method == "POST":
        chosen = sorted(set(request.form.getlist("topics")) & {s for s, _n in topics})
        if not chosen:
            flash("Chưa lưu: chọn ít nhất một chủ đề.", "error")
            return redirect(url_for("audit.item", sample_id=sample_id, position=position))
        with catalog.transaction() as tx:
            topiclabels.record_label(tx, article_id, chosen, editor=g.user.name, source="audit",
                                     sample_id=sample_id)
            # the labels in force change: analyse it again and rewrite its search document
            tx.execute("DELETE FROM analyze_state WHERE article_id = ?", (article_id,))
            queue(tx, [article_id], "article")
        users.audit(catalog, g.user.name, "topic-audit", article_id,
                    f"mẫu {sample_id}: {', '.join(chosen)}")
        try:
            carry(catalog, current_app.config["BANTIN"], articles=[article_id])
        except Exception:  # the labels are saved and queued: `bantin refresh` catches up
            log.exception("refresh after an audit label failed")
        return redirect(url_for("audit.next_item", sample_id=sample_id))
    article = library.get_article(catalog, article_id)
    mine = _mine(catalog, sample_id)
    return render_template("audit/item.html", sample_id=sample_id, position=position,
                           total=len(items), a=article, article_id=article_id, topics=topics,
                           done=len(mine), given=mine.get(article_id, ()))


@bp.get("/<int:sample_id>/figures")
def figures(sample_id: int) -> Any:
    catalog = _catalog()
    drawn = topiclabels.sample(catalog, sample_id)
    if drawn is None:
        abort(404)
    topics = _topics()
    a = agreement(catalog, [s for s, _n in topics], sample_id)
    return render_template("audit/figures.html", a=a, names=dict(topics), sample_id=sample_id,
                           method=method_sentences(a), progress=topiclabels.progress(catalog, sample_id))


@bp.get("/<int:sample_id>/figures.csv")
def figures_csv(sample_id: int) -> Any:
    catalog = _catalog()
    if topiclabels.sample(catalog, sample_id) is None:
        abort(404)
    topics = _topics()
    text = agreement_csv(agreement(catalog, [s for s, _n in topics], sample_id), dict(topics))
    return Response(text, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=kiem-tra-chu-de-{sample_id}.csv"})
