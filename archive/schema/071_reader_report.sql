-- Readers' error reports ("báo lỗi", archive/readerreports.py): a word misread by OCR or an
-- article cut wrongly, reported from the page viewer or an article page, waiting in the
-- editors' review queue (archive/worklist.py) until an editor closes it.
CREATE TABLE IF NOT EXISTS reader_report (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('ocr', 'segmentation')),
    issue_id TEXT NOT NULL,                    -- no FK: a report outlives a re-ingested issue
    page INTEGER NOT NULL DEFAULT 0,           -- page seq (1-based), 0 when about an article
    article_id TEXT NOT NULL DEFAULT '',       -- '' when about a page
    message TEXT NOT NULL,                     -- the reader's words, NFC
    reporter TEXT NOT NULL,                    -- account name
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fixed', 'dismissed')),
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS reader_report_status ON reader_report(status, created_at);
