"""The reading room: a Flask web library to search, browse, read and cite, behind a login.

``create_app(test_config=None)`` builds the app for one home folder. Each area is a blueprint
in its own module, listed in :data:`AREAS` in menu order; a module exposes ``bp``
and may expose ``NAV``, a list of ``(endpoint, label, minimum role)`` menu entries. Later areas
(the editors' desk, coverage) add their module name to the list and nothing else.

Security lives in :mod:`webapp.security`: one ``before_request`` guard with an explicit allow
list (every route needs a login but ``/login``, ``/healthz`` and the static assets the login
page uses), CSRF on every unsafe method, role checks, and response headers.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask, g, jsonify, render_template, request

from archive import vnformat
from archive.catalog import Catalog
from archive.config import SETTINGS, Config, load_config
from archive.errors import ConfigError
from indexer.search.generations import IndexDamaged
from webapp import (
    admin,
    api,
    apidoc,
    article,
    audit,
    auth,
    browse,
    collections,
    coverage,
    desk,
    deskrefs,
    distribution,
    district,
    downloads,
    iiif,
    imageapi,
    images,
    oai,
    ocrfiles,
    records,
    reports,
    saved,
    search,
    searching,
    security,
    users,
)

log = logging.getLogger(__name__)

# Areas of the web app, in menu order: each module exposes `bp` and optionally `NAV`.
AREAS: tuple[ModuleType, ...] = (auth, browse, search, saved, article, images, api, coverage, distribution,
                                 district, desk, deskrefs, audit, collections, admin, oai, downloads, records,
                                 apidoc, reports, imageapi, iiif, ocrfiles)

# Secrets that must never sign sessions outside tests (Flask tutorial defaults and the like).
DEFAULT_SECRETS = {"", "dev", "secret", "changeme", "change-me", "test", "default"}
MIN_SECRET_LENGTH = 32  # characters


def _note_start() -> None:
    g.started = time.monotonic()


def _server_timing(response: Any) -> Any:
    """``Server-Timing: app;dur=<ms>`` (a standard header browsers' tools show): the time the
    app spent on the request, so a slow answer under load can be told from one that waited
    for the server's threads or cores before the app saw it (``bench/web.py`` reads it)."""
    started = g.get("started")
    if started is not None:
        response.headers["Server-Timing"] = f"app;dur={(time.monotonic() - started) * 1000:.1f}"
    return response


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``test_config`` may hold ``HOME`` (the data folder), ``SETTINGS`` (a dict
    of bantin settings, as CLI flags) and any Flask configuration key (``TESTING``, ...)."""
    test_config = dict(test_config or {})
    config: Config = load_config(test_config.pop("HOME", None), **test_config.pop("SETTINGS", {}))
    app = Flask(__name__, static_folder="static", template_folder="templates")
    testing = bool(test_config.get("TESTING"))
    secret = test_config.pop("SECRET_KEY", None) or config.secret_key
    if testing and not secret:
        secret = "testing-only-" + hashlib.sha256(str(config.home).encode()).hexdigest()
    check_secret(secret, testing=testing)
    default_base = next(s.default for s in SETTINGS if s.name == "base_url")
    app.config.update(
        SECRET_KEY=secret,
        BANTIN=config,
        CATALOG_PATH=str(config.catalog_path),
        BASE_URL="" if config.base_url == default_base else config.base_url.rstrip("/"),
        SESSION_COOKIE_NAME="bantin_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # the session ends 12 hours after the login on the server (web_session.created_at), so
        # re-signing the cookie on every answer (a tenth of a search's time) extended nothing
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        JSON_AS_ASCII=False,
        SEND_FILE_MAX_AGE_DEFAULT=timedelta(hours=1),
    )
    try:
        proxies = security.parse_proxies(config.trusted_proxies)
    except ValueError as e:
        raise ConfigError(f"setting 'trusted_proxies': {e}; give addresses or networks separated "
                          "by commas, e.g. '127.0.0.1, 10.0.0.0/8'") from e
    app.config["TRUSTED_PROXIES"] = proxies
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config.update(test_config)
    config.index_dir.mkdir(parents=True, exist_ok=True)
    Catalog(config.catalog_path).close()  # apply the schema once, before any request

    app.before_request(_note_start)  # first: a save's answer is timed from here (refreshing.carry)
    app.after_request(_server_timing)
    security.init_app(app)
    app.jinja_env.filters.update(vnformat.FILTERS)
    app.jinja_env.filters.update(vn_action=users.action_label, vn_audit_detail=users.detail_label)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    _static_versions(app)

    nav: list[tuple[str, str, str]] = []
    for module in AREAS:
        app.register_blueprint(module.bp)
        nav.extend(getattr(module, "NAV", []))
    app.extensions["bantin_nav"] = nav

    @app.get("/healthz")
    def healthz() -> Any:
        """Liveness for a load balancer or monitor: no data, no login."""
        return jsonify(status="ok")

    _error_pages(app)
    return app


def check_secret(secret: str | None, *, testing: bool) -> None:
    """Refuse to sign sessions with no key or a well-known one, except in tests."""
    if testing:
        return
    if not secret or secret.strip().lower() in DEFAULT_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            "the web app needs a secret key of at least 32 characters to sign sessions, and "
            "none (or a default one) is set; run `bantin secret` to write one to bantin.toml, "
            "or set BANTIN_SECRET_KEY")


def _static_versions(app: Flask) -> None:
    """``static_url(name)``: the asset URL with a content hash, so browsers cache safely."""
    folder = Path(app.static_folder or "")
    versions: dict[str, str] = {}

    def static_url(filename: str) -> str:
        from flask import url_for

        if filename not in versions:
            try:
                data = (folder / filename).read_bytes()
                versions[filename] = hashlib.sha256(data).hexdigest()[:10]
            except OSError:
                versions[filename] = "0"
        return url_for("static", filename=filename, v=versions[filename])

    app.jinja_env.globals["static_url"] = static_url


def _error_pages(app: Flask) -> None:
    messages = {
        400: "Yêu cầu không hợp lệ (thiếu hoặc sai mã bảo vệ biểu mẫu). Hãy tải lại trang rồi thử lại.",
        401: "Cần đăng nhập.",
        403: "Tài khoản của bạn không có quyền xem trang này.",
        404: "Không tìm thấy trang này.",
        405: "Phương thức không được phép.",
        413: "Dữ liệu gửi lên quá lớn.",
        429: "Quá nhiều lần thử. Vui lòng đợi một lúc rồi thử lại.",
        500: "Lỗi máy chủ. Hãy thử lại; nếu vẫn lỗi, báo cho quản trị viên.",
    }

    def handler(e: Any) -> Any:
        code = getattr(e, "code", 500) or 500
        if code == 500:
            log.exception("error serving %s", request.path)
        text = messages.get(code, "Lỗi.")
        if request.path.startswith("/api/"):
            return jsonify(error=text, status=code), code
        return render_template("error.html", code=code, message=text, user=g.get("user")), code

    for code in messages:
        app.register_error_handler(code, handler)

    def damaged(e: IndexDamaged) -> Any:
        """A damaged search index (coverage pages, the viewer, ...): 503, the fix in the log."""
        log.error("%s (while serving %s)", e, request.path)
        if request.path.startswith("/api/"):
            return jsonify(error=searching.DAMAGED_MESSAGE, status=503), 503
        return render_template("error.html", code=503, message=searching.DAMAGED_MESSAGE,
                               user=g.get("user")), 503

    app.register_error_handler(IndexDamaged, damaged)
