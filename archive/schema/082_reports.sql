-- Districts' reports for a review (issue 21; SQL in archive/reporters.py, reading in
-- indexer/reports.py). `district_report` is derived from scans/reports/<review>/<unit>.* and
-- from uploads (which are written there first), re-read when the file changes; `report_figure`
-- holds the machine's prefill (derived) beside the editor's confirmed value (kept).
CREATE TABLE IF NOT EXISTS district_report (
    id TEXT PRIMARY KEY,                       -- "<review>/<unit>"
    review TEXT NOT NULL,
    unit TEXT NOT NULL,
    path TEXT NOT NULL,                        -- relative to scans/
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,                        -- pdf | docx | doc | odt | rtf | image
    received TEXT NOT NULL,                    -- YYYY-MM-DD: sidecar, upload date, or first seen
    received_from TEXT NOT NULL DEFAULT '',    -- sidecar | upload | seen
    pages INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL DEFAULT '',             -- NFC, pages separated by a form feed
    method TEXT NOT NULL DEFAULT '',           -- text | ocr | document
    confidence REAL NOT NULL DEFAULT 0,
    refs TEXT NOT NULL DEFAULT '[]',           -- JSON: cited document identifiers
    problem TEXT NOT NULL DEFAULT '',          -- why it could not be read ('' when read)
    read_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS district_report_review ON district_report(review);
CREATE TABLE IF NOT EXISTS report_figure (
    report_id TEXT NOT NULL,                   -- no FK: an editor's value outlives a re-read
    name TEXT NOT NULL,                        -- copies_received | cells_using | cells | surveys
    machine INTEGER,                           -- the value the text states plainly, or NULL
    evidence TEXT NOT NULL DEFAULT '',         -- the sentence it was read from
    value INTEGER,                             -- the editor's value (confirmed), NULL until then
    confirmed_by TEXT NOT NULL DEFAULT '',
    confirmed_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, name)
);
