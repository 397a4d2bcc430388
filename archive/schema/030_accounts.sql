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

-- Login attempts, for throttling per name, per browser and per address (old rows pruned).
-- Replaces the first version's `login_attempt`, which recorded an attempt only after the
-- password check (so concurrent attempts could all pass the count): a `login_try` row is
-- written as 'pending' in the same transaction as the count, before the password is checked.
DROP TABLE IF EXISTS login_attempt;
CREATE TABLE IF NOT EXISTS login_try (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,                          -- Unix time, seconds
    account TEXT NOT NULL,                     -- the name typed (may not exist)
    ip TEXT NOT NULL,                          -- the client address (see trusted_proxies)
    device TEXT NOT NULL DEFAULT '',           -- a known browser's device id, '' for any other
    state TEXT NOT NULL CHECK (state IN ('pending', 'ok', 'failed'))
);
CREATE INDEX IF NOT EXISTS login_try_account ON login_try(account, at);
CREATE INDEX IF NOT EXISTS login_try_ip ON login_try(ip, at);

-- Open web sessions: the signed session cookie names its row, so logging out (or a password,
-- role or state change) ends the session on the server, not only in the browser.
CREATE TABLE IF NOT EXISTS web_session (
    id TEXT PRIMARY KEY,                       -- random, 256 bits
    account TEXT NOT NULL REFERENCES account(name) ON DELETE CASCADE,
    created_at REAL NOT NULL,                  -- Unix time, seconds
    ended INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS web_session_account ON web_session(account);

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
