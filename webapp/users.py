"""Accounts of the web app: users with roles, hashed passwords, API tokens, login throttling
and the audit log, all in the catalog (``archive/schema/030_accounts.sql``).

Why here and not in the web layer: the CLI (``bantin user ...``) and the app share them, and
issue 7's admin pages read the same tables.

* Roles are ordered ``reader < editor < admin``; :func:`has_role` answers "at least".
* Passwords follow :mod:`webapp.passwords` and are hashed with
  :func:`werkzeug.security.generate_password_hash` (scrypt).
* API tokens are random (256 bits) and stored as their SHA-256 only: a stolen catalog does not
  give working tokens, and a lookup is one indexed query (a slow password hash would make
  every API request slow, and buys nothing for a random secret).
* A user's ``epoch`` is bumped when the password, role or state changes; sessions carry the
  epoch they were made with, so such a change ends every open session of that user.
* Web sessions are also rows of ``web_session`` (:func:`open_session`): logging out ends the
  row, so a copied cookie stops working at once (the signed cookie alone cannot be revoked).
* Login throttling counts failed attempts over a window (:data:`THROTTLE_WINDOW` seconds) per
  name and per address for unknown browsers, and per (name, browser) for a browser that
  logged in as that name before. Past :data:`MAX_FAILURES_PER_USER` or
  :data:`MAX_FAILURES_PER_IP` each further attempt waits a delay that doubles from
  :data:`FIRST_DELAY` (never a hard lock). The count and the attempt's row are written in one
  transaction, so concurrent attempts cannot all slip under the limit.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

from archive.catalog import Catalog, now
from archive.errors import UsageError
from archive.vntext import nfc
from webapp import passwords

log = logging.getLogger(__name__)

ROLES = ("reader", "editor", "admin")
ROLE_LABELS = {"reader": "Bạn đọc", "editor": "Biên tập viên", "admin": "Quản trị"}
THROTTLE_WINDOW = 15 * 60  # seconds
MAX_FAILURES_PER_USER = 5  # failures before the delay starts, per name (or per known browser)
MAX_FAILURES_PER_IP = 20  # failures before the delay starts, per address
FIRST_DELAY = 2  # seconds to wait after the limit's last failure; doubles with each further one
MAX_DELAY = THROTTLE_WINDOW  # seconds
SESSION_LIFETIME = 12 * 3600  # seconds; the web app's PERMANENT_SESSION_LIFETIME
TOKEN_PREFIX = "bt_"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")

# A hash of a random password, checked when the name is unknown so that a failed login takes
# the same time whether or not the user exists.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool = False
    epoch: int = 0
    created_at: str = ""
    last_login: str = ""

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def has_role(user: User | None, role: str) -> bool:
    """True when ``user`` is active and holds ``role`` or a higher one."""
    if user is None or user.disabled:
        return False
    return ROLES.index(user.role) >= ROLES.index(role)


def normalize_name(name: str) -> str:
    return nfc(name).strip().lower()


def check_name(name: str) -> str:
    name = normalize_name(name)
    if not _NAME.match(name):
        raise UsageError(f"tên đăng nhập {name!r} không hợp lệ: dùng 2–40 ký tự a-z, 0-9, '.', '_' "
                         "hoặc '-', bắt đầu bằng chữ hoặc số")
    return name


def check_password(password: str, name: str = "") -> str:
    """The policy of :mod:`webapp.passwords` (length or passphrase, not the name, not common)."""
    return passwords.check_password(password, name)


def _user(row: object) -> User:
    r = row  # sqlite3.Row
    return User(name=r["name"], role=r["role"], disabled=bool(r["disabled"]),  # type: ignore[index]
                epoch=r["epoch"], created_at=r["created_at"], last_login=r["last_login"])  # type: ignore[index]


def get_user(catalog: Catalog, name: str) -> User | None:
    row = catalog.one("SELECT * FROM account WHERE name = ?", (normalize_name(name),))
    return _user(row) if row else None


def list_users(catalog: Catalog) -> list[User]:
    return [_user(r) for r in catalog.query("SELECT * FROM account ORDER BY name")]


def add_user(catalog: Catalog, name: str, role: str, password: str, *, by: str = "") -> User:
    """Create a user; refuse a name already taken (use :func:`set_password` to change one)."""
    name = check_name(name)
    if role not in ROLES:
        raise UsageError(f"vai trò {role!r} không có; chọn một trong: {', '.join(ROLES)}")
    password = check_password(password, name)
    stamp = now()
    with catalog.transaction() as db:
        if db.execute("SELECT 1 FROM account WHERE name = ?", (name,)).fetchone():
            raise UsageError(f"tài khoản {name!r} đã có; hãy chọn tên khác")
        db.execute("INSERT INTO account(name, role, password_hash, created_at, updated_at)"
                   " VALUES (?,?,?,?,?)", (name, role, generate_password_hash(password), stamp, stamp))
        audit(catalog, by, "user-add", name, f"role={role}")
    return get_user(catalog, name)  # type: ignore[return-value]


def _require(catalog: Catalog, name: str) -> User:
    user = get_user(catalog, name)
    if user is None:
        raise UsageError(f"không có tài khoản {normalize_name(name)!r}; lệnh `bantin user list` liệt kê các tài khoản")
    return user


def set_password(catalog: Catalog, name: str, password: str, *, by: str = "") -> None:
    user = _require(catalog, name)
    password = check_password(password, user.name)
    with catalog.transaction() as db:
        db.execute("UPDATE account SET password_hash = ?, epoch = epoch + 1, updated_at = ?"
                   " WHERE name = ?", (generate_password_hash(password), now(), user.name))
        _end_sessions(db, user.name)
        audit(catalog, by, "user-password", user.name)


def set_role(catalog: Catalog, name: str, role: str, *, by: str = "") -> None:
    user = _require(catalog, name)
    if role not in ROLES:
        raise UsageError(f"vai trò {role!r} không có; chọn một trong: {', '.join(ROLES)}")
    with catalog.transaction() as db:
        db.execute("UPDATE account SET role = ?, epoch = epoch + 1, updated_at = ? WHERE name = ?",
                   (role, now(), user.name))
        _end_sessions(db, user.name)
        audit(catalog, by, "user-role", user.name, f"{user.role}->{role}")


def set_disabled(catalog: Catalog, name: str, disabled: bool = True, *, by: str = "") -> None:
    """Disable (or enable) a user: their sessions and API tokens stop working at once."""
    user = _require(catalog, name)
    with catalog.transaction() as db:
        db.execute("UPDATE account SET disabled = ?, epoch = epoch + 1, updated_at = ?"
                   " WHERE name = ?", (int(disabled), now(), user.name))
        _end_sessions(db, user.name)
        audit(catalog, by, "user-disable" if disabled else "user-enable", user.name)


# --- throttling ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    throttled: bool = False
    retry_after: int = 0  # seconds to wait when throttled


def throttle_delay(failed: int, limit: int) -> float:
    """Seconds to wait after the last of ``failed`` failures: none below ``limit``, then
    :data:`FIRST_DELAY` doubling with each further failure, at most :data:`MAX_DELAY`."""
    if failed < limit:
        return 0.0
    return float(min(FIRST_DELAY * 2 ** (failed - limit), MAX_DELAY))


def _wait(db: sqlite3.Connection, where: str, params: tuple[object, ...], limit: int,
          stamp: float) -> float:
    """Seconds still to wait for the failed (or in-flight) attempts matching ``where``."""
    row = db.execute(f"SELECT count(*), max(at) FROM login_try WHERE {where} AND at > ?"
                     " AND state != 'ok'", (*params, stamp - THROTTLE_WINDOW)).fetchone()
    failed, last = int(row[0]), row[1]
    if last is None:
        return 0.0
    return max(0.0, float(last) + throttle_delay(failed, limit) - stamp)


def failures(catalog: Catalog, name: str, ip: str, *, at: float | None = None) -> tuple[int, int]:
    """Failed attempts within the window from browsers not known for the name:
    (for this name, from this address)."""
    since = (time.time() if at is None else at) - THROTTLE_WINDOW
    by_name = catalog.one("SELECT count(*) AS n FROM login_try WHERE account = ? AND device = ''"
                          " AND at > ? AND state != 'ok'", (normalize_name(name), since))
    by_ip = catalog.one("SELECT count(*) AS n FROM login_try WHERE ip = ? AND device = ''"
                        " AND at > ? AND state != 'ok'", (ip, since))
    return int(by_name["n"]), int(by_ip["n"])  # type: ignore[index]


def authenticate(catalog: Catalog, name: str, password: str, ip: str, *,
                 device: str = "") -> LoginOutcome:
    """Check a login; record the attempt and the audit entry. Refuse while throttled.

    ``device`` is the id of a browser that logged in as ``name`` before (the signed device
    cookie of :mod:`webapp.auth`), or ''. Failures are counted per name and per address for
    unknown browsers, and per (name, device) for a known one, so a flood of wrong passwords
    from elsewhere never locks the owner out of their own browser (OWASP's "device cookies").

    The count and the attempt's 'pending' row are one ``BEGIN IMMEDIATE`` transaction, so
    concurrent attempts are serialised: at most the limit's worth of password checks run, and
    an attempt in flight counts as a failure until it is known to be right.
    """
    name = normalize_name(name)[:80]
    device = device[:64]
    stamp = time.time()
    with catalog.transaction() as db:
        if device:
            wait = _wait(db, "account = ? AND device = ?", (name, device), MAX_FAILURES_PER_USER, stamp)
        else:
            wait = max(_wait(db, "account = ? AND device = ''", (name,), MAX_FAILURES_PER_USER, stamp),
                       _wait(db, "ip = ? AND device = ''", (ip,), MAX_FAILURES_PER_IP, stamp))
        if wait > 0:
            audit(catalog, name, "login-throttled", name, f"ip={ip} wait={math.ceil(wait)}s")
            return LoginOutcome(None, throttled=True, retry_after=math.ceil(wait))
        attempt = db.execute("INSERT INTO login_try(at, account, ip, device, state)"
                             " VALUES (?,?,?,?,'pending')", (stamp, name, ip, device)).lastrowid
        db.execute("DELETE FROM login_try WHERE at < ?", (stamp - 24 * 3600,))
    row = catalog.one("SELECT * FROM account WHERE name = ?", (name,))
    stored = row["password_hash"] if row else _DUMMY_HASH
    ok = check_password_hash(stored, nfc(password)) and row is not None and not row["disabled"]
    with catalog.transaction() as db:
        db.execute("UPDATE login_try SET state = ? WHERE id = ?", ("ok" if ok else "failed", attempt))
        if ok:
            db.execute("UPDATE account SET last_login = ? WHERE name = ?", (now(), name))
        audit(catalog, name if row else "", "login" if ok else "login-failed", name, f"ip={ip}")
    return LoginOutcome(_user(row) if ok else None)


# --- server-side sessions ------------------------------------------------------------------

def open_session(catalog: Catalog, user: User) -> str:
    """Record a new web session for ``user``; its id goes into the signed session cookie."""
    sid = secrets.token_urlsafe(32)
    stamp = time.time()
    with catalog.transaction() as db:
        db.execute("INSERT INTO web_session(id, account, created_at) VALUES (?,?,?)",
                   (sid, user.name, stamp))
        db.execute("DELETE FROM web_session WHERE created_at < ?", (stamp - SESSION_LIFETIME,))
    return sid


def session_user(catalog: Catalog, sid: str, name: str, epoch: object) -> User | None:
    """The active user of an open session, or None (logged out, expired, disabled, or the
    password, role or state changed since the login)."""
    row = catalog.one("SELECT a.* FROM web_session s JOIN account a ON a.name = s.account"
                      " WHERE s.id = ? AND s.ended = 0 AND s.created_at > ?",
                      (sid, time.time() - SESSION_LIFETIME))
    if row is None or row["name"] != name or row["epoch"] != epoch or row["disabled"]:
        return None
    return _user(row)


def end_session(catalog: Catalog, sid: str) -> None:
    with catalog.transaction() as db:
        db.execute("UPDATE web_session SET ended = 1 WHERE id = ?", (sid,))


def _end_sessions(db: sqlite3.Connection, name: str) -> None:
    """End every session of ``name`` (called inside the change's transaction)."""
    db.execute("UPDATE web_session SET ended = 1 WHERE account = ?", (name,))


# --- API tokens ----------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(catalog: Catalog, name: str, label: str = "", *, by: str = "") -> str:
    """A new personal API token for ``name``; the only time the token itself is shown."""
    user = _require(catalog, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with catalog.transaction() as db:
        db.execute("INSERT INTO api_token(account, token_hash, label, created_at) VALUES (?,?,?,?)",
                   (user.name, _token_hash(token), nfc(label), now()))
        audit(catalog, by or user.name, "token-create", user.name, nfc(label))
    return token


def revoke_tokens(catalog: Catalog, name: str, *, by: str = "") -> int:
    user = _require(catalog, name)
    with catalog.transaction() as db:
        n = db.execute("UPDATE api_token SET revoked = 1 WHERE account = ? AND revoked = 0",
                       (user.name,)).rowcount
        audit(catalog, by or user.name, "token-revoke", user.name, f"{n} tokens")
    return n


def user_for_token(catalog: Catalog, token: str) -> User | None:
    """The active user owning ``token``, or None (unknown, revoked or user disabled)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = catalog.one(
        "SELECT a.*, t.id AS token_id, t.last_used FROM api_token t JOIN account a"
        " ON a.name = t.account WHERE t.token_hash = ? AND t.revoked = 0 AND a.disabled = 0",
        (_token_hash(token),))
    if row is None:
        return None
    stamp = now()
    if row["last_used"][:13] != stamp[:13]:  # record use at most once an hour: reads stay cheap
        try:
            with catalog.transaction() as db:
                db.execute("UPDATE api_token SET last_used = ? WHERE id = ?", (stamp, row["token_id"]))
        except Exception:  # a busy catalog must not refuse a read-only API call
            log.debug("could not record token use", exc_info=True)
    return _user(row)


# --- audit ---------------------------------------------------------------------------------

def audit(catalog: Catalog, user: str, action: str, target: str = "", detail: str = "") -> None:
    """Append one audit row (joins the caller's transaction when there is one)."""
    with catalog.transaction() as db:
        db.execute("INSERT INTO audit(at, user, action, target, detail) VALUES (?,?,?,?,?)",
                   (now(), user, action, nfc(target)[:2000], nfc(detail)[:2000]))


# What the audit log's action codes mean, as the admin page shows them (the codes stay in the
# catalog and in the filter's URL; a code not listed here is shown as it is).
ACTION_LABELS = {
    "login": "Đăng nhập", "login-failed": "Đăng nhập sai", "login-throttled": "Đăng nhập bị chặn tạm",
    "logout": "Đăng xuất",
    "user-add": "Tạo tài khoản", "user-password": "Đổi mật khẩu", "user-role": "Đổi vai trò",
    "user-disable": "Khoá tài khoản", "user-enable": "Mở khoá tài khoản",
    "token-create": "Tạo mã API", "token-revoke": "Thu hồi mã API",
    "page-correct": "Hiệu đính trang", "page-restore": "Khôi phục bản trang",
    "ocrfix-redo": "Áp lại sửa lỗi OCR", "ocrfix-undo": "Bỏ sửa lỗi OCR",
    "article-edit": "Sửa tin, bài", "article-split": "Tách tin, bài", "article-merge": "Gộp tin, bài",
    "article-restore": "Khôi phục bản tin, bài", "article-undo": "Hoàn tác tách, gộp",
    "topic-audit": "Kiểm tra chủ đề",
    "collection-create": "Tạo bộ sưu tập", "collection-add": "Thêm vào bộ sưu tập",
    "collection-rename": "Đổi tên bộ sưu tập", "collection-delete": "Xoá bộ sưu tập",
    "collection-note": "Ghi chú trong bộ sưu tập", "collection-up": "Chuyển mục lên",
    "collection-down": "Chuyển mục xuống", "collection-move": "Chuyển mục",
    "collection-remove": "Bỏ mục khỏi bộ sưu tập",
    "export": "Xuất dữ liệu", "report": "Bạn đọc báo lỗi", "report-close": "Đóng báo lỗi",
    "colophon-edit": "Sửa thông tin xuất bản", "cells-set": "Sửa số chi bộ",
    "report-upload": "Nhận báo cáo đơn vị", "report-figures": "Xác nhận số liệu báo cáo",
    "ref-confirm": "Xác nhận văn bản trích dẫn", "ref-reject": "Bác văn bản trích dẫn",
    "ref-correct": "Sửa văn bản trích dẫn",
    "stage-rerun": "Chạy lại bước xử lý", "stage-rerun-done": "Chạy lại xong",
    "stage-rerun-failed": "Chạy lại lỗi",
}

# Keys of an audit row's ``detail`` (``role=editor``, ``ip=…``, ``format=csv total=5``) as shown.
_DETAIL_WORDS = {"role=": "vai trò ", "ip=": "IP ", "format=": "định dạng ", "total=": "số kết quả ",
                 "wait=": "chờ ", "job=": "lần chạy ", "item ": "mục ", "report ": "báo cáo ",
                 "tokens": "mã"}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def detail_label(detail: str) -> str:
    """An audit row's detail with its key words in Vietnamese and role codes as labels."""
    for word, label in _DETAIL_WORDS.items():
        detail = detail.replace(word, label)
    return re.sub(r"\b(reader|editor|admin)\b", lambda m: ROLE_LABELS.get(m.group(1), m.group(1)),
                  detail)


def audit_rows(catalog: Catalog, limit: int = 200) -> list[dict[str, object]]:
    rows = catalog.query("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))
    return [dict(r) for r in rows]
