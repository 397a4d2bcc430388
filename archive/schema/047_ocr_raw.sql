-- Post-OCR correction (indexer/ocrcorrect.py): the raw OCR of each corrected page, the
-- corrections made to it, and the editors' undos of corrections.

-- Derived: the words Tesseract read (after indexer/ocrfix's tidying) before correction.
-- page_text holds the corrected text and words; this row restores the raw ones.
CREATE TABLE IF NOT EXISTS ocr_raw (
    page_id TEXT PRIMARY KEY REFERENCES page(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,                      -- page_text.sha256 the raw words were read from
    settings_key TEXT NOT NULL,                -- page_text.settings_key of that read
    text TEXT NOT NULL,                        -- raw OCR text
    words TEXT NOT NULL,                       -- raw OCR words, JSON Word rows
    corrector TEXT NOT NULL,                   -- indexer.ocrcorrect.key() + undo state applied
    corrections TEXT NOT NULL DEFAULT '[]',    -- JSON [[word index, raw, corrected, reason]]
    applied_sha TEXT NOT NULL DEFAULT ''       -- sha1 of the page_text.text this wrote
);

-- Never derived (kept by backups, untouched by rebuilds): an editor undid the automatic
-- correction raw -> corrected on this page; every later correction run honours it.
CREATE TABLE IF NOT EXISTS ocr_undo (
    page_id TEXT NOT NULL REFERENCES page(id) ON DELETE CASCADE,
    raw TEXT NOT NULL,
    corrected TEXT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (page_id, raw, corrected)
);
