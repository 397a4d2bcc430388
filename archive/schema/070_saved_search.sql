-- Saved searches of any reader (archive/savedsearch.py, webapp/saved.py): a named search with
-- its filters, and the results its owner saw the last time they looked, so the page can say
-- what is new since. Kept by backups; never derived from the scans.
CREATE TABLE IF NOT EXISTS saved_search (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL REFERENCES account(name) ON DELETE CASCADE,
    name TEXT NOT NULL,                        -- NFC, as the reader named it
    ref TEXT NOT NULL,                         -- canonical query string: /search?q=…&series=… (no page)
    created_at TEXT NOT NULL,                  -- UTC ISO 8601, as archive.catalog.now()
    updated_at TEXT NOT NULL,
    seen_at TEXT NOT NULL DEFAULT '',          -- the last time the owner looked at its results
    seen_total INTEGER NOT NULL DEFAULT 0      -- results then
);
CREATE INDEX IF NOT EXISTS saved_search_account ON saved_search(account);

-- The result ids (articles, pages) a saved search had when its owner last looked.
CREATE TABLE IF NOT EXISTS saved_search_seen (
    search_id INTEGER NOT NULL REFERENCES saved_search(id) ON DELETE CASCADE,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (search_id, doc_id)
) WITHOUT ROWID;
