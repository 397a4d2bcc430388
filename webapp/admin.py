"""Administration (``/admin/``, role ``admin``): users and roles, the audit log, the state of
the pipeline and re-running a stage for one issue.

User changes go through :mod:`webapp.users` (which writes the audit rows, with the admin as
``by``); an admin cannot disable or demote their own account (a lock-out with no way back
but the command line). A stage re-run (:func:`indexer.refresh.rerun_stage`) can take minutes
for OCR, so it runs in a background thread with its own catalog connection; its start and
outcome go to the audit log, from which the page lists recent runs (``bantin serve`` runs
several processes: memory is not shared, the catalog is).
"""

from __future__ import annotations

import logging
import secrets
import threading
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from archive.catalog import Catalog
from archive.errors import UsageError
from archive.status import archive_status
from indexer.refresh import STAGES, rerun_stage
from indexer.search.generations import IndexStore, Manifest
from webapp import db, security, users

log = logging.getLogger(__name__)

bp = Blueprint("admin", __name__, url_prefix="/admin")
security.blueprint_role(bp, "admin")
NAV = [("admin.users_page", "Quản trị", "admin")]

AUDIT_PAGE = 100  # rows per page of the audit log
JOBS_KEPT = 20
WAIT_FOR_JOB = 15.0  # seconds a request waits for a quick re-run before showing the page


# --- users ---------------------------------------------------------------------------------

@bp.get("/")
def users_page() -> Any:
    return render_template("admin/users.html", users=users.list_users(db.catalog()), roles=users.ROLES,
                           labels=users.ROLE_LABELS)


@bp.post("/users")
def create_user() -> Any:
    catalog = db.catalog()
    try:
        users.add_user(catalog, request.form.get("name", ""), request.form.get("role", "reader"),
                       request.form.get("password", ""), by=g.user.name)
    except UsageError as e:
        flash(f"Chưa tạo: {e}", "error")
    else:
        flash(f"Đã tạo tài khoản {users.normalize_name(request.form.get('name', ''))}.", "ok")
    return redirect(url_for("admin.users_page"))


@bp.post("/users/<name>")
def change_user(name: str) -> Any:
    catalog = db.catalog()
    target = users.get_user(catalog, name)
    if target is None:
        abort(404)
    action = request.form.get("action")
    me = target.name == g.user.name
    try:
        if action == "role":
            role = request.form.get("role", "")
            if me and role != "admin":
                raise UsageError("you cannot take the admin role from your own account")
            users.set_role(catalog, target.name, role, by=g.user.name)
            flash(f"{target.name}: vai trò mới là {users.ROLE_LABELS.get(role, role)}.", "ok")
        elif action in ("disable", "enable"):
            if me:
                raise UsageError("you cannot disable your own account")
            users.set_disabled(catalog, target.name, action == "disable", by=g.user.name)
            flash(f"{target.name}: {'đã khóa' if action == 'disable' else 'đã mở khóa'}.", "ok")
        elif action == "password":
            password = request.form.get("password", "") or secrets.token_urlsafe(9)
            users.set_password(catalog, target.name, password, by=g.user.name)
            shown = "" if request.form.get("password") else f" Mật khẩu mới (chỉ hiện một lần): {password}"
            flash(f"{target.name}: đã đặt lại mật khẩu.{shown}", "ok")
        else:
            abort(400)
    except UsageError as e:
        flash(f"Chưa đổi: {e}", "error")
    return redirect(url_for("admin.users_page"))


# --- audit log -----------------------------------------------------------------------------

def audit_query(catalog: Catalog, *, user: str = "", action: str = "", target: str = "",
                before: int | None = None, limit: int = AUDIT_PAGE) -> list[dict[str, Any]]:
    """Audit rows, newest first, filtered; ``before`` pages by row id."""
    sql, params = "SELECT * FROM audit WHERE 1 = 1", list[object]()
    if user:
        sql += " AND user = ?"
        params.append(user)
    if action:
        sql += " AND action = ?"
        params.append(action)
    if target:
        sql += " AND instr(target, ?) > 0"
        params.append(target)
    if before is not None:
        sql += " AND id < ?"
        params.append(before)
    return [dict(r) for r in catalog.query(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))]


@bp.get("/audit")
def audit() -> Any:
    catalog = db.catalog()
    args = {k: request.args.get(k, "").strip()[:200] for k in ("user", "action", "target")}
    try:
        before = int(request.args["before"]) if request.args.get("before") else None
    except ValueError:
        before = None
    rows = audit_query(catalog, user=args["user"], action=args["action"], target=args["target"],
                       before=before)
    actions = [r["action"] for r in catalog.query("SELECT DISTINCT action FROM audit ORDER BY action")]
    more = rows[-1]["id"] if len(rows) == AUDIT_PAGE else None
    return render_template("admin/audit.html", rows=rows, args=args, actions=actions, more=more)


# --- pipeline ------------------------------------------------------------------------------

STAGE_LABELS = {"ingest": "Nhập", "extract": "Trích xuất văn bản / OCR", "segment": "Tách tin, bài",
                "analyze": "Phân tích chủ đề, văn bản", "index": "Chỉ mục tìm kiếm"}

def _run(job_id: str, issue_id: str, stage: str, user: str, catalog_path: str, config: Any) -> None:
    """Run in a thread; the outcome goes to the audit log, which every server process reads."""

    catalog = Catalog(catalog_path)
    try:
        try:
            summary, action = rerun_stage(catalog, config, issue_id, stage), "stage-rerun-done"
        except Exception as e:
            log.exception("re-running %s for %s failed", stage, issue_id)
            summary, action = f"{type(e).__name__}: {e}", "stage-rerun-failed"
        users.audit(catalog, user, action, issue_id, f"job={job_id} {summary}")
    finally:
        catalog.close()


def recent_jobs(catalog: Catalog, limit: int = JOBS_KEPT) -> list[dict[str, Any]]:
    """Stage re-runs, newest first, from the audit log: started, and done or failed."""
    rows = catalog.query("SELECT * FROM audit WHERE action IN ('stage-rerun', 'stage-rerun-done',"
                         " 'stage-rerun-failed') ORDER BY id DESC LIMIT ?", (limit * 3,))
    ends = {}
    for r in rows:
        if r["action"] != "stage-rerun":
            job, _, summary = r["detail"].partition(" ")
            ends[job] = (r["action"] == "stage-rerun-done", summary)
    jobs = []
    for r in rows:
        if r["action"] == "stage-rerun":
            stage, _, job = r["detail"].partition(" ")
            ok, summary = ends.get(job, (False, ""))
            jobs.append({"id": job.removeprefix("job="), "issue_id": r["target"], "stage": stage,
                         "user": r["user"], "at": r["at"], "done": job in ends, "ok": ok, "summary": summary})
    return jobs[:limit]


def pipeline_state(catalog: Catalog, config: Any) -> dict[str, Any]:
    """What is ingested, extracted, segmented, analysed, indexed and failed."""

    status = archive_status(catalog)

    def count(sql: str) -> int:
        try:
            row = catalog.one(sql)
        except Exception:  # noqa: BLE001  (a table of a stage not in this tree)
            return 0
        return int(row[0]) if row else 0

    index: dict[str, str] = {}
    try:

        current = IndexStore(config.search_dir).current()
        if current is not None:
            manifest = Manifest(current, readonly=True)
            index = manifest.meta()
            manifest.close()
    except Exception:  # noqa: BLE001  (no index yet)
        index = {}
    problems = status["problems"]
    return {
        "status": status,
        # a page or file that could not be read (ingest, extract) is an error; the segmenter's
        # and the analysis' remarks on an issue are warnings for editors, counted apart
        "errors": [p for p in problems if p["stage"] in ("ingest", "extract")],
        "warnings": [p for p in problems if p["stage"] not in ("ingest", "extract")],
        "segmented": count("SELECT COUNT(*) FROM segment_state"),
        "articles": count("SELECT COUNT(*) FROM article"),
        "analysed": count("SELECT COUNT(*) FROM analyze_state"),
        "queued": count("SELECT COUNT(*) FROM reindex_queue"),
        "corrected_pages": count("SELECT COUNT(DISTINCT page_id) FROM page_version"),
        "edited_articles": count("SELECT COUNT(DISTINCT article_id) FROM article_version"),
        "index": index,
    }


@bp.get("/pipeline")
def pipeline() -> Any:
    catalog = db.catalog()
    return render_template("admin/pipeline.html", state=pipeline_state(catalog, current_app.config["BANTIN"]),
                           jobs=recent_jobs(catalog), stages=STAGES, stage_labels=STAGE_LABELS,
                           issues=[i.id for i in catalog.issues(include_missing=False)])


_running: dict[str, threading.Thread] = {}  # issue id → re-run in this process


@bp.post("/pipeline/rerun")
def rerun() -> Any:
    catalog = db.catalog()
    issue_id = request.form.get("issue", "").strip()
    stage = request.form.get("stage", "")
    if stage not in STAGES or catalog.get_issue(issue_id) is None:
        flash("Chọn một số báo có trong kho và một bước xử lý.", "error")
        return redirect(url_for("admin.pipeline"))
    if issue_id in _running and _running[issue_id].is_alive():
        flash(f"{issue_id} đang được xử lý; đợi xong rồi chạy lại.", "warning")
        return redirect(url_for("admin.pipeline"))
    job_id = secrets.token_hex(4)
    users.audit(catalog, g.user.name, "stage-rerun", issue_id, f"{stage} job={job_id}")
    thread = threading.Thread(target=_run, args=(job_id, issue_id, stage, g.user.name,
                                                 current_app.config["CATALOG_PATH"],
                                                 current_app.config["BANTIN"]),
                              name=f"rerun-{issue_id}", daemon=True)
    _running[issue_id] = thread
    thread.start()
    thread.join(WAIT_FOR_JOB)  # a segment or index re-run is done by now; OCR goes on
    return redirect(url_for("admin.pipeline") + f"#job-{job_id}")
