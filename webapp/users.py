"""Accounts of the web app: users with roles, hashed passwords, API tokens, login throttling
and the audit log, all in the catalog (``archive/schema/030_accounts.sql``).

Why here and not in the web layer: the CLI (``bantin user ...``) and the app share them, and
issue 7's admin pages read the same tables.

* Roles are ordered ``reader < editor < admin``; :func:`has_role` answers "at least".
* Passwords are hashed with :func:`werkzeug.security.generate_password_hash` (scrypt).
* API tokens are random (256 bits) and stored as their SHA-256 only: a stolen catalog does not
  give working tokens, and a lookup is one indexed query (a slow password hash would make
  every API request slow, and buys nothing for a random secret).
* A user's ``epoch`` is bumped when the password, role or state changes; sessions carry the
  epoch they were made with, so such a change ends every open session of that user.
* Login throttling counts failed attempts per name and per address over a window
  (:data:`THROTTLE_WINDOW` seconds): past :data:`MAX_FAILURES_PER_USER` or
  :data:`MAX_FAILURES_PER_IP` the next attempt is refused before the password is checked.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

from archive.catalog import Catalog, now
from archive.errors import UsageError
from archive.vntext import nfc

log = logging.getLogger(__name__)

ROLES = ("reader", "editor", "admin")
ROLE_LABELS = {"reader": "Bạn đọc", "editor": "Biên tập viên", "admin": "Quản trị"}
MIN_PASSWORD = 8  # characters
THROTTLE_WINDOW = 15 * 60  # seconds
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_IP = 20
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
        raise UsageError(f"invalid user name {name!r}: use 2-40 characters a-z, 0-9, '.', '_' "
                         "or '-', starting with a letter or digit")
    return name


def check_password(password: str) -> str:
    password = nfc(password)
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    return password


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
        raise UsageError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    password = check_password(password)
    stamp = now()
    with catalog.transaction() as db:
        if db.execute("SELECT 1 FROM account WHERE name = ?", (name,)).fetchone():
            raise UsageError(f"user {name!r} already exists; choose another name")
        db.execute("INSERT INTO account(name, role, password_hash, created_at, updated_at)"
                   " VALUES (?,?,?,?,?)", (name, role, generate_password_hash(password), stamp, stamp))
        audit(catalog, by, "user-add", name, f"role={role}")
    return get_user(catalog, name)  # type: ignore[return-value]


def _require(catalog: Catalog, name: str) -> User:
    user = get_user(catalog, name)
    if user is None:
        raise UsageError(f"no user named {normalize_name(name)!r}; `bantin user list` shows them")
    return user


def set_password(catalog: Catalog, name: str, password: str, *, by: str = "") -> None:
    user = _require(catalog, name)
    password = check_password(password)
    with catalog.transaction() as db:
        db.execute("UPDATE account SET password_hash = ?, epoch = epoch + 1, updated_at = ?"
                   " WHERE name = ?", (generate_password_hash(password), now(), user.name))
        audit(catalog, by, "user-password", user.name)


def set_role(catalog: Catalog, name: str, role: str, *, by: str = "") -> None:
    user = _require(catalog, name)
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    with catalog.transaction() as db:
        db.execute("UPDATE account SET role = ?, epoch = epoch + 1, updated_at = ? WHERE name = ?",
                   (role, now(), user.name))
        audit(catalog, by, "user-role", user.name, f"{user.role}->{role}")


def set_disabled(catalog: Catalog, name: str, disabled: bool = True, *, by: str = "") -> None:
    """Disable (or enable) a user: their sessions and API tokens stop working at once."""
    user = _require(catalog, name)
    with catalog.transaction() as db:
        db.execute("UPDATE account SET disabled = ?, epoch = epoch + 1, updated_at = ?"
                   " WHERE name = ?", (int(disabled), now(), user.name))
        audit(catalog, by, "user-disable" if disabled else "user-enable", user.name)


# --- passwords and throttling --------------------------------------------------------------

@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    throttled: bool = False


def failures(catalog: Catalog, name: str, ip: str, *, at: float | None = None) -> tuple[int, int]:
    """Failed attempts within the window: (for this name, from this address)."""
    since = (time.time() if at is None else at) - THROTTLE_WINDOW
    by_name = catalog.one("SELECT count(*) AS n FROM login_attempt WHERE account = ? AND at > ?"
                          " AND ok = 0", (normalize_name(name), since))
    by_ip = catalog.one("SELECT count(*) AS n FROM login_attempt WHERE ip = ? AND at > ?"
                        " AND ok = 0", (ip, since))
    return int(by_name["n"]), int(by_ip["n"])  # type: ignore[index]


def authenticate(catalog: Catalog, name: str, password: str, ip: str) -> LoginOutcome:
    """Check a login; record the attempt and the audit entry. Refuse when throttled."""
    name = normalize_name(name)[:80]
    by_name, by_ip = failures(catalog, name, ip)
    if by_name >= MAX_FAILURES_PER_USER or by_ip >= MAX_FAILURES_PER_IP:
        with catalog.transaction():
            audit(catalog, name, "login-throttled", name, f"ip={ip}")
        return LoginOutcome(None, throttled=True)
    row = catalog.one("SELECT * FROM account WHERE name = ?", (name,))
    stored = row["password_hash"] if row else _DUMMY_HASH
    ok = check_password_hash(stored, nfc(password)) and row is not None and not row["disabled"]
    stamp = time.time()
    with catalog.transaction() as db:
        db.execute("INSERT INTO login_attempt(at, account, ip, ok) VALUES (?,?,?,?)",
                   (stamp, name, ip, int(ok)))
        db.execute("DELETE FROM login_attempt WHERE at < ?", (stamp - 24 * 3600,))
        if ok:
            db.execute("UPDATE account SET last_login = ? WHERE name = ?", (now(), name))
        audit(catalog, name if row else "", "login" if ok else "login-failed", name, f"ip={ip}")
    return LoginOutcome(_user(row) if ok else None)


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


def audit_rows(catalog: Catalog, limit: int = 200) -> list[dict[str, object]]:
    rows = catalog.query("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))
    return [dict(r) for r in rows]
