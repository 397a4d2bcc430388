-- Colophon facts per issue (issue 21; indexer/segment/colophons.py holds the SQL).
-- `colophon` is derived (rewritten by the segment stage when the pages it was read from, or the
-- reader, change); `colophon_version` is editors' corrections, never derived, kept by backups:
-- the highest version is in force, each holds every field's value after that edit.
CREATE TABLE IF NOT EXISTS colophon (
    issue_id TEXT PRIMARY KEY REFERENCES issue(id) ON DELETE CASCADE,
    found INTEGER NOT NULL,                    -- 1 when a colophon block was found
    page INTEGER NOT NULL DEFAULT 0,           -- its page (1-based), 0 when none
    text TEXT NOT NULL DEFAULT '',             -- its lines as read
    facts TEXT NOT NULL DEFAULT '{}',          -- JSON {field: {value, evidence, page, conf}}
    source_key TEXT NOT NULL,                  -- segment source key + reader version
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS colophon_version (
    issue_id TEXT NOT NULL,                    -- no FK: survives a re-ingest
    version INTEGER NOT NULL,                  -- 1, 2, ... (0 is the machine's reading)
    fields TEXT NOT NULL,                      -- JSON {field: value or null}, all fields
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (issue_id, version)
);
-- Party cells (chi bộ) a series reaches in a year, entered by editors: copies per cell.
CREATE TABLE IF NOT EXISTS party_cells (
    series TEXT NOT NULL,
    year INTEGER NOT NULL,
    cells INTEGER NOT NULL CHECK (cells > 0),
    author TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (series, year)
);
