-- Series, issues, pages and their text: written by ingest and extract.
CREATE TABLE IF NOT EXISTS series (
    code TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    publisher TEXT NOT NULL DEFAULT '',
    first_year INTEGER NOT NULL DEFAULT 0,
    issues_per_year INTEGER NOT NULL DEFAULT 0,
    level TEXT NOT NULL DEFAULT '',
    province TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    titles TEXT NOT NULL DEFAULT '[]'          -- JSON list of SeriesTitle rows
);

CREATE TABLE IF NOT EXISTS issue (
    id TEXT PRIMARY KEY,                       -- <series>-<year>-<number>[-<suffix>]
    series TEXT NOT NULL REFERENCES series(code),
    year INTEGER NOT NULL,
    number TEXT NOT NULL,
    suffix TEXT NOT NULL DEFAULT '',
    printed_number TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,                      -- relative to scans/
    source_kind TEXT NOT NULL,                 -- pdf | tiff | images
    sha256 TEXT NOT NULL,
    page_count INTEGER NOT NULL DEFAULT 0,
    missing INTEGER NOT NULL DEFAULT 0,        -- 1 when the source disappeared from scans/
    ingested_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS issue_series_year ON issue(series, year);

CREATE TABLE IF NOT EXISTS page (
    id TEXT PRIMARY KEY,                       -- <issue id>/<seq>
    issue_id TEXT NOT NULL REFERENCES issue(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,                      -- 1-based
    file TEXT NOT NULL,                        -- relative to scans/
    file_page INTEGER NOT NULL DEFAULT 0,      -- 0-based index inside the file
    sha256 TEXT NOT NULL,                      -- identity of the page's source
    width_px INTEGER NOT NULL DEFAULT 0,
    height_px INTEGER NOT NULL DEFAULT 0,
    dpi REAL NOT NULL DEFAULT 0,
    width_pt REAL NOT NULL DEFAULT 0,
    height_pt REAL NOT NULL DEFAULT 0,
    UNIQUE (issue_id, seq)
);

-- Machine output of extract, one row per page; replaced when the page is redone.
CREATE TABLE IF NOT EXISTS page_text (
    page_id TEXT PRIMARY KEY REFERENCES page(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,                      -- page.sha256 this text was made from
    method TEXT NOT NULL,                      -- text | legacy | ocr
    text TEXT NOT NULL,
    words TEXT NOT NULL,                       -- JSON list of Word.to_row()
    confidence REAL NOT NULL,
    engine TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    settings_key TEXT NOT NULL,
    encoding TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    seconds REAL NOT NULL DEFAULT 0,
    extracted_at TEXT NOT NULL
);

-- Everything that went wrong, per file or page and stage; listed by `bantin status`.
CREATE TABLE IF NOT EXISTS problem (
    id INTEGER PRIMARY KEY,
    stage TEXT NOT NULL,                       -- ingest | extract | segment | analyze | index
    path TEXT NOT NULL DEFAULT '',             -- relative to scans/ when about a file
    page_id TEXT NOT NULL DEFAULT '',
    issue_id TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (stage, path, page_id, issue_id)
);

CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- What ingest saw of each source file, so unchanged files are not hashed again.
CREATE TABLE IF NOT EXISTS source_file (
    path TEXT PRIMARY KEY,                     -- relative to scans/
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
