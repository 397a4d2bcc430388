"""Login, logout and the user's own account page (personal API tokens).

The login form is plain HTML and works without JavaScript. Failed attempts are throttled per
name and per address (:mod:`webapp.users`); a throttled attempt gets 429 before the password
is even checked.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, session

from webapp import db, security, users

bp = Blueprint("auth", __name__)
NAV: list[tuple[str, str, str]] = []


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    next_url = security.safe_next(request.values.get("next"))
    if g.get("user") is not None and request.method == "GET":
        return redirect(next_url)
    if request.method == "GET":
        return render_template("auth/login.html", next=next_url, error="", name="")
    name = request.form.get("name", "")
    password = request.form.get("password", "")
    outcome = users.authenticate(db.catalog(), name, password, request.remote_addr or "")
    if outcome.throttled:
        error = ("Quá nhiều lần đăng nhập sai. Vui lòng đợi "
                 f"{users.THROTTLE_WINDOW // 60} phút rồi thử lại.")
        return render_template("auth/login.html", next=next_url, error=error, name=name), 429
    if outcome.user is None:
        error = "Tên đăng nhập hoặc mật khẩu không đúng."
        return render_template("auth/login.html", next=next_url, error=error, name=name), 401
    session.clear()
    session.permanent = True
    session["user"] = outcome.user.name
    session["epoch"] = outcome.user.epoch
    security.csrf_token()  # a fresh token for the new session
    return redirect(next_url)


@bp.post("/logout")
def logout() -> Any:
    user = g.get("user")
    if user is not None:
        users.audit(db.catalog(), user.name, "logout", user.name)
    session.clear()
    return redirect("/login")


@bp.route("/account", methods=["GET", "POST"])
def account() -> Any:
    """The user's account: role, and personal API tokens (a new one is shown once)."""
    user = g.user
    catalog = db.catalog()
    new_token = ""
    if request.method == "POST":
        if g.auth != "session":
            abort(403)
        action = request.form.get("action")
        if action == "token":
            new_token = users.create_token(catalog, user.name, request.form.get("label", "")[:80])
        elif action == "revoke":
            users.revoke_tokens(catalog, user.name)
        else:
            abort(400)
    tokens = catalog.query("SELECT label, created_at, last_used, revoked FROM api_token"
                           " WHERE account = ? ORDER BY id DESC", (user.name,))
    return render_template("auth/account.html", tokens=tokens, new_token=new_token)
