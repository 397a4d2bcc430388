"""Login, logout and the user's own account page (personal API tokens).

The login form is plain HTML and works without JavaScript. Failed attempts are throttled per
name and per address (:mod:`webapp.users`) with a delay that grows with each failure; a
throttled attempt gets 429 (with ``Retry-After``) before the password is even checked.

A successful login sets a signed *device cookie* (``bantin_device``: a random id and the
name, valid a year). A browser that shows it for the name it types is a known browser: it is
throttled on its own failures only, so an attacker's wrong guesses for a name (or from the
same office address) do not lock the owner out of their usual browser.

Every login records a server-side session (:func:`webapp.users.open_session`); logging out
ends it there, so a copy of the cookie stops working too.
"""

from __future__ import annotations

import math
import secrets
from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse

from webapp import db, security, users

bp = Blueprint("auth", __name__)
NAV: list[tuple[str, str, str]] = []

DEVICE_COOKIE = "bantin_device"
DEVICE_LIFETIME = 365 * 24 * 3600  # seconds


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="bantin-device")


def known_device(name: str) -> str:
    """The device id of this browser when it logged in as ``name`` before, else ''."""
    raw = request.cookies.get(DEVICE_COOKIE, "")
    if not raw:
        return ""
    try:
        data = _devices().loads(raw, max_age=DEVICE_LIFETIME)
    except BadSignature:
        return ""
    if not isinstance(data, dict) or data.get("n") != users.normalize_name(name)[:80]:
        return ""
    return str(data.get("d", ""))[:64]


def _set_device(response: BaseResponse, name: str, device: str) -> None:
    value = _devices().dumps({"d": device or secrets.token_urlsafe(16), "n": name})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_LIFETIME, httponly=True,
                        samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    next_url = security.safe_next(request.values.get("next"))
    if g.get("user") is not None and request.method == "GET":
        return redirect(next_url)
    if request.method == "GET":
        return render_template("auth/login.html", next=next_url, error="", name="")
    name = request.form.get("name", "")
    password = request.form.get("password", "")
    device = known_device(name)
    outcome = users.authenticate(db.catalog(), name, password, security.client_ip(), device=device)
    if outcome.throttled:
        wait = outcome.retry_after
        shown = f"{wait} giây" if wait < 120 else f"{math.ceil(wait / 60)} phút"
        error = f"Quá nhiều lần đăng nhập sai. Vui lòng đợi {shown} rồi thử lại."
        page = render_template("auth/login.html", next=next_url, error=error, name=name)
        return page, 429, {"Retry-After": str(wait)}
    if outcome.user is None:
        error = "Tên đăng nhập hoặc mật khẩu không đúng."
        return render_template("auth/login.html", next=next_url, error=error, name=name), 401
    session.clear()
    session.permanent = True
    session["user"] = outcome.user.name
    session["epoch"] = outcome.user.epoch
    session["sid"] = users.open_session(db.catalog(), outcome.user)
    security.csrf_token()  # a fresh token for the new session
    response = redirect(next_url)
    _set_device(response, outcome.user.name, device)
    return response


@bp.post("/logout")
def logout() -> Any:
    """End the session on the server (a copied cookie stops working) and in the browser."""
    user = g.get("user")
    if user is not None:
        catalog = db.catalog()
        with catalog.transaction():
            users.end_session(catalog, str(session.get("sid", "")))
            users.audit(catalog, user.name, "logout", user.name)
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
