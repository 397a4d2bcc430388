"""Who may see what: the login guard, CSRF, roles and security headers.

* :func:`guard` runs before every request. Only the endpoints in :data:`PUBLIC_ENDPOINTS`
  answer without a login: the login form, the health check and the static CSS/JS the login
  form uses (no data lives there). Everything else, including URLs that do not exist, needs
  a session or, under ``/api/``, a personal token sent as ``Authorization: Bearer …``.
  Pages redirect to ``/login``; the API answers 401 JSON. Tokens are accepted under
  :data:`TOKEN_PATHS` only (the JSON API, OAI-PMH, downloads, IIIF, ALTO and hOCR). Per-view decorators are not
  relied on: a new route is protected the moment it exists (tests enumerate the URL map).
* CSRF: every POST/PUT/PATCH/DELETE must carry the session's token in the ``csrf_token``
  form field or the ``X-CSRF-Token`` header, else 400. Requests authenticated by a bearer
  token and carrying no session cookie are exempt (a browser cannot forge that header).
* Roles: :func:`role_required` (or :func:`editor_required`, :func:`admin_required`) on a view,
  or :func:`blueprint_role` on a whole blueprint (issue 7's editors' desk); 403 otherwise.
  :func:`required_role` tells tests which role an endpoint needs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, g, jsonify, redirect, request, session, url_for

from webapp import db, users

PUBLIC_ENDPOINTS = frozenset({"auth.login", "healthz", "static"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Where a personal token (``Authorization: Bearer …``) is accepted: the JSON API, OAI-PMH,
# the downloads (issue PDFs, page images), IIIF, ALTO and hOCR. Without a login, the machine
# areas answer 401 (they are for programs); a download link redirects to the login page like
# any page.
TOKEN_PATHS = ("/api/", "/oai", "/download/", "/iiif/", "/alto/", "/hocr/")
MACHINE_PATHS = ("/api/", "/oai", "/iiif/", "/alto/", "/hocr/")

F = TypeVar("F", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    app.before_request(guard)
    app.after_request(headers)
    app.context_processor(lambda: {"csrf_token": csrf_token, "current_user": g.get("user"),
                                   "has_role": lambda role: users.has_role(g.get("user"), role),
                                   "nav_items": nav_items})
    app.extensions.setdefault("bantin_roles", {})


# --- the guard -----------------------------------------------------------------------------

def guard() -> Any:
    g.user = None
    g.auth = ""
    bearer = _bearer()
    if request.method in UNSAFE_METHODS and not (bearer and not request.cookies.get(
            current_app.config["SESSION_COOKIE_NAME"])):
        check_csrf()
    api = request.path.startswith(TOKEN_PATHS)
    user = (_user_from_token(bearer) if api else None) if bearer else _user_from_session()
    if user is not None:
        g.user = user
        g.auth = "token" if bearer else "session"
        role = required_role(current_app, request.endpoint)
        if role != "reader" and not users.has_role(user, role):
            abort(403)
        return None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.path.startswith(MACHINE_PATHS):
        response = jsonify(error="Cần đăng nhập: gửi mã truy cập cá nhân trong tiêu đề "
                                 "Authorization: Bearer …", status=401)
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="bantin"'
        return response
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or "-"
    return ""


def _user_from_token(token: str) -> users.User | None:
    return users.user_for_token(db.catalog(), token)


def _user_from_session() -> users.User | None:
    name = session.get("user")
    if not name:
        return None
    user = users.session_user(db.catalog(), str(session.get("sid", "")), name, session.get("epoch"))
    if user is None:
        session.clear()  # logged out, disabled, deleted, or password/role changed since this login
        return None
    return user


# --- client address ------------------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(text: str) -> tuple[Network, ...]:
    """The ``trusted_proxies`` setting: addresses or networks separated by commas or spaces
    (``127.0.0.1, 10.0.0.0/8``). Raises ValueError naming a bad entry."""
    out = []
    for part in text.replace(",", " ").split():
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"'{part}' is not an address or network") from None
    return tuple(out)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_ip() -> str:
    """The client's address for throttling and the audit log.

    ``X-Forwarded-For`` is honoured only when the connection comes from a trusted proxy (the
    ``trusted_proxies`` setting): the list is read from the right, skipping trusted proxies,
    and the first other address is the client. Anyone can send the header, so from any other
    peer it is ignored and the connection's address counts.
    """
    peer = request.remote_addr or ""
    proxies: tuple[Network, ...] = current_app.config.get("TRUSTED_PROXIES", ())
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("X-Forwarded-For")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:64]
    return hops[0][:64] if hops else peer


def safe_next(target: str | None) -> str:
    """A redirect target after login: a local path only (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return "/"
    return target


# --- CSRF ----------------------------------------------------------------------------------

def csrf_token() -> str:
    """The session's CSRF token (made on first use); put it in every form."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    expected = session.get("csrf")
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not expected or not sent or not hmac.compare_digest(str(expected), str(sent)):
        abort(400, description="CSRF token missing or wrong")


# --- roles ---------------------------------------------------------------------------------

def role_required(role: str) -> Callable[[F], F]:
    """Decorator: the view needs ``role`` or higher (403 otherwise). The guard also checks it,
    so the role holds even if another decorator hides this one."""
    if role not in users.ROLES:
        raise ValueError(f"unknown role {role!r}")

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not users.has_role(g.get("user"), role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.bantin_role = role  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


editor_required = role_required("editor")
admin_required = role_required("admin")


def blueprint_role(bp: Blueprint, role: str) -> None:
    """Every view of ``bp`` needs ``role``: the guard reads this before the view runs."""
    if role not in users.ROLES:
        raise ValueError(f"unknown role {role!r}")

    def record(state: Any) -> None:
        state.app.extensions.setdefault("bantin_roles", {})[bp.name] = role

    bp.record(record)


def required_role(app: Flask, endpoint: str | None) -> str:
    """The least role that may use ``endpoint`` ('reader' for an ordinary page)."""
    if not endpoint:
        return "reader"
    roles = ["reader"]
    blueprint = endpoint.rsplit(".", 1)[0] if "." in endpoint else ""
    if blueprint in app.extensions.get("bantin_roles", {}):
        roles.append(app.extensions["bantin_roles"][blueprint])
    view_role = getattr(app.view_functions.get(endpoint), "bantin_role", None)
    if view_role:
        roles.append(view_role)
    return max(roles, key=users.ROLES.index)


def nav_items() -> list[tuple[str, str, bool]]:
    """(url, label, current) of the menu entries the user may see."""
    out = []
    for endpoint, label, role in current_app.extensions.get("bantin_nav", []):
        if users.has_role(g.get("user"), role):
            url = url_for(endpoint)
            out.append((url, label, request.path == url or request.path.startswith(url + "/")))
    return out


# --- headers -------------------------------------------------------------------------------

# The deep-zoom viewer (OpenSeadragon, vendored) adds this one <style> rule for touch screens;
# its hash lets exactly that rule in, where 'unsafe-inline' would let any in.
OSD_STYLE = ("@media (hover: none) {    .openseadragon-canvas:focus {        outline: none !important;"
             "    }}")
OSD_STYLE_HASH = base64.b64encode(hashlib.sha256(OSD_STYLE.encode()).digest()).decode()
CSP = ("default-src 'self'; img-src 'self' data:; "
       f"style-src 'self' 'sha256-{OSD_STYLE_HASH}'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def headers(response: Any) -> Any:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if g.get("user") is not None and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "private, no-store"
    response.vary.add("Cookie")
    return response
