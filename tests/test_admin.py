"""Administration over HTTP: users and roles in the browser, the audit log, the pipeline's
state and re-running a stage for one issue; admin only."""
# ruff: noqa: F811  (pytest fixtures imported from tests.desk_fixtures are redefined as arguments)
from __future__ import annotations

import re
import time
from typing import Any

from tests.desk_fixtures import (  # noqa: F401  (fixtures)
    ISSUE,
    PASSWORD,
    DeskHome,
    client_for,
    csrf_from,
    desk_home,
    desk_template,
    login,
    make_app,
)
from webapp import users


def try_login(app: Any, name: str, password: str) -> int:
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    return c.post("/login", data={"name": name, "password": password,
                                  "csrf_token": csrf_from(page)}).status_code


def test_users_create_role_disable_and_reset(desk_home: DeskHome) -> None:
    app = make_app(desk_home)
    admin = client_for(app, "quantri")
    page = admin.get("/admin/").get_data(as_text=True)
    assert 'data-user="bientap"' in page and 'data-user="doc"' in page
    csrf = csrf_from(page)
    r = admin.post("/admin/users", data={"name": "NguoiMoi", "role": "editor", "password": "mat-khau-moi-9",
                                         "csrf_token": csrf})
    assert r.status_code == 302
    with desk_home.catalog() as c:
        assert users.get_user(c, "nguoimoi").role == "editor"  # type: ignore[union-attr]
    assert try_login(app, "nguoimoi", "mat-khau-moi-9") == 302
    # a too-short password is refused with a message, nothing created
    admin.post("/admin/users", data={"name": "ngan", "role": "reader", "password": "123", "csrf_token": csrf})
    assert "mật khẩu quá ngắn" in admin.get("/admin/").get_data(as_text=True)
    # common passwords and the user name are refused, in Vietnamese, nothing created
    for weak in ("password123", "1234567890", "nguoi.thu.hai"):
        admin.post("/admin/users", data={"name": "nguoi.thu.hai", "role": "reader", "password": weak,
                                         "csrf_token": csrf})
    shown = admin.get("/admin/").get_data(as_text=True)
    assert "quá phổ biến" in shown and "trùng với tên đăng nhập" in shown
    admin.post("/admin/users/doc", data={"action": "password", "password": "qwertyuiop", "csrf_token": csrf})
    assert "quá phổ biến" in admin.get("/admin/").get_data(as_text=True)
    with desk_home.catalog() as c:
        assert users.get_user(c, "nguoi.thu.hai") is None
    assert try_login(app, "doc", PASSWORD) == 302  # the weak reset did not happen
    # role change ends the user's sessions (the epoch moves)
    doc = client_for(app, "doc")
    admin.post("/admin/users/doc", data={"action": "role", "role": "editor", "csrf_token": csrf})
    assert doc.get("/").status_code == 302
    assert client_for(app, "doc").get("/desk/").status_code == 200
    # disable, then enable
    admin.post("/admin/users/bientap2", data={"action": "disable", "csrf_token": csrf})
    assert try_login(app, "bientap2", PASSWORD) == 401
    admin.post("/admin/users/bientap2", data={"action": "enable", "csrf_token": csrf})
    assert try_login(app, "bientap2", PASSWORD) == 302
    # reset a password to a generated one, shown once
    admin.post("/admin/users/bientap", data={"action": "password", "password": "", "csrf_token": csrf})
    users_page = admin.get("/admin/").get_data(as_text=True)
    shown = re.search(r"Mật khẩu mới \(chỉ hiện một lần\): (\S+)</li>", users_page)
    assert shown and try_login(app, "bientap", PASSWORD) == 401
    assert try_login(app, "bientap", shown.group(1)) == 302
    # an admin cannot lock themselves out
    admin.post("/admin/users/quantri", data={"action": "disable", "csrf_token": csrf})
    admin.post("/admin/users/quantri", data={"action": "role", "role": "reader", "csrf_token": csrf})
    with desk_home.catalog() as c:
        me = users.get_user(c, "quantri")
    assert me is not None and me.role == "admin" and not me.disabled
    with desk_home.catalog() as c:
        actions = [(r["user"], r["action"], r["target"]) for r in c.query("SELECT * FROM audit")]
    for expected in (("quantri", "user-add", "nguoimoi"), ("quantri", "user-role", "doc"),
                     ("quantri", "user-disable", "bientap2"), ("quantri", "user-enable", "bientap2"),
                     ("quantri", "user-password", "bientap"), ("quantri", "login", "quantri")):
        assert expected in actions, expected


def test_audit_log_shows_corrections_and_filters(desk_home: DeskHome) -> None:
    app = make_app(desk_home)
    editor = client_for(app, "bientap")
    with desk_home.catalog() as c:
        text = c.page_text(f"{ISSUE}/1")["text"]
    page = editor.get(f"/desk/i/{ISSUE}/1").get_data(as_text=True)
    editor.post(f"/desk/i/{ISSUE}/1", data={"text": text + "\nthêm", "base_version": "0", "reason": "thử",
                                            "csrf_token": csrf_from(page)})
    admin = client_for(app, "quantri")
    log = admin.get("/admin/audit").get_data(as_text=True)
    assert re.search(rf'<td>bientap</td><td data-action="page-correct">Hiệu đính trang</td>'
                     rf'<td class="wrap"><code>{ISSUE}/1</code></td><td class="wrap">v1 thử</td>', log)
    assert "<td>" + "20" not in log  # no raw UTC stamp: local dd/mm/yyyy HH:MM
    assert re.search(r"<tr><td>\d\d/\d\d/20\d\d \d\d:\d\d</td><td>bientap</td>", log)
    assert '<option value="login-failed">Đăng nhập sai</option>' in log or "login-failed" not in log
    only = admin.get("/admin/audit?action=login").get_data(as_text=True)
    assert "page-correct" not in only.split("<tbody>")[1] and '<td data-action="login">Đăng nhập</td>' in only
    by_user = admin.get("/admin/audit?user=doc").get_data(as_text=True)
    assert "<td>bientap</td>" not in by_user
    assert client_for(app, "bientap").get("/admin/audit").status_code == 403


def test_pipeline_state_and_rerun_a_stage_for_one_issue(desk_home: DeskHome) -> None:
    app = make_app(desk_home)
    admin = client_for(app, "quantri")
    page = admin.get("/admin/pipeline").get_data(as_text=True)
    found = re.search(r'id="pipeline-totals">(.*?)</ul>', page, re.DOTALL)
    assert found
    totals = re.sub(r"\s+", " ", found.group(1))
    assert "Đã nhập: <strong>2</strong> số" in totals
    with desk_home.catalog() as c:
        pages = c.one("SELECT COUNT(*) FROM page")[0]
        before = {r["id"]: r["updated_at"] for r in c.query("SELECT id, updated_at FROM article")}
        # the segmenter's output went astray: the rows lost a title
        c.db.execute("UPDATE article SET title = 'hỏng' WHERE issue_id = ? AND seq = 1", (ISSUE,))
    assert f"Đã trích xuất văn bản: <strong>{pages}</strong> trang; lỗi: <strong" in totals
    r = admin.post("/admin/pipeline/rerun", data={"issue": ISSUE, "stage": "segment",
                                                  "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    deadline = time.monotonic() + 30
    while True:
        page = admin.get("/admin/pipeline").get_data(as_text=True)
        job = re.search(r'<li id="job-\w+" data-done="(\d)" data-ok="(\d)">(.*?)</li>', page, re.DOTALL)
        assert job
        if job.group(1) == "1" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert job.group(2) == "1", job.group(3)
    assert f"{ISSUE}: tách được" in job.group(3) and "chỉ mục: ghi lại" in job.group(3)
    assert "Tách tin, bài" in job.group(3)  # the stage by its Vietnamese name, not its code
    with desk_home.catalog() as c:
        after = {r["id"]: r["title"] for r in c.query("SELECT id, title FROM article")}
        assert "hỏng" not in after.values() and set(after) == set(before)
        assert c.one("SELECT COUNT(*) FROM article_topic WHERE label = 1")[0] > 0
        assert ("quantri", "stage-rerun", ISSUE) in [(r["user"], r["action"], r["target"])
                                                     for r in c.query("SELECT * FROM audit")]
    bad = admin.post("/admin/pipeline/rerun", data={"issue": "../x", "stage": "segment",
                                                    "csrf_token": csrf_from(page)})
    assert bad.status_code == 302
    assert "Chọn một số báo có trong kho" in admin.get("/admin/pipeline").get_data(as_text=True)


def test_pipeline_counts_segment_warnings_apart_in_vietnamese(desk_home: DeskHome) -> None:
    """A segmenter's remark is not an extraction error, and reads in Vietnamese even when a
    catalog built before stored it in English."""
    app = make_app(desk_home)
    with desk_home.catalog() as c:
        c.add_problem("segment", "unknown section banner 'DIỄN ĐÀN' (page 2): add it to"
                      " sections.toml if it names a section", issue_id=ISSUE)
    try:
        page = client_for(app, "quantri").get("/admin/pipeline").get_data(as_text=True)
        assert re.search(r'lỗi: <strong class="" id="count-errors">0</strong>', page)
        assert re.search(r'id="count-warnings">1</a>', page)
        warnings = re.search(r'id="pipeline-warnings">(.*?)</ul>', page, re.DOTALL)
        assert warnings and "Tên chuyên mục lạ “DIỄN ĐÀN” (trang 2)" in warnings.group(1)
        assert "Tách tin, bài · " + ISSUE in warnings.group(1) and "unknown" not in page
        queue = client_for(app, "bientap").get("/desk/").get_data(as_text=True)
        assert "Tên chuyên mục lạ “DIỄN ĐÀN”" in queue and "sections.toml if" not in queue
    finally:
        with desk_home.catalog() as c:
            c.clear_problems("segment", issue_id=ISSUE)
