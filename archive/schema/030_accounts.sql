-- Accounts of the web app (webapp/users.py): users, API tokens, login attempts, audit log.
CREATE TABLE IF NOT EXISTS account (
    name TEXT PRIMARY KEY,                     -- login name, NFC, lower case
    role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
    password_hash TEXT NOT NULL,               -- werkzeug.security.generate_password_hash
    disabled INTEGER NOT NULL DEFAULT 0,
    epoch INTEGER NOT NULL DEFAULT 0,          -- bumped on password/role change: old sessions end
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_login TEXT NOT NULL DEFAULT ''
);

-- Personal API tokens, sent as `Authorization: Bearer <token>`; only their SHA-256 is kept.
CREATE TABLE IF NOT EXISTS api_token (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL REFERENCES account(name) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,           -- sha256 hex of the token
    label TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    last_used TEXT NOT NULL DEFAULT '',
    revoked INTEGER NOT NULL DEFAULT 0
);

-- Every login attempt, for throttling per user and per address (old rows pruned).
CREATE TABLE IF NOT EXISTS login_attempt (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,                          -- Unix time, seconds
    account TEXT NOT NULL,                     -- the name typed (may not exist)
    ip TEXT NOT NULL,
    ok INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS login_attempt_account ON login_attempt(account, at);
CREATE INDEX IF NOT EXISTS login_attempt_ip ON login_attempt(ip, at);

-- Audit log: logins, exports, user changes, corrections (issue 7's admin views read it).
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,                          -- UTC ISO 8601, as archive.catalog.now()
    user TEXT NOT NULL DEFAULT '',             -- who ('' for the system or an unknown name)
    action TEXT NOT NULL,                      -- e.g. login, login-failed, logout, export, user-add
    target TEXT NOT NULL DEFAULT '',           -- what it acted on (a user, a search URL, an id)
    detail TEXT NOT NULL DEFAULT ''            -- free text or JSON
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
