-- The editors' desk (archive/editorial.py, archive/collections.py): corrections with history,
-- and evidence collections. Never derived: kept by backups, untouched by rebuilds.

-- Corrected page text. Version 0 is the machine output in page_text (never overwritten
-- by an edit); versions 1, 2, ... are editors' texts; the highest is in force.
CREATE TABLE IF NOT EXISTS page_version (
    page_id TEXT NOT NULL REFERENCES page(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    text TEXT NOT NULL,
    words TEXT NOT NULL,                       -- JSON Word rows realigned to the new text
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    restored_from INTEGER,                     -- set when this version restores an older one
    PRIMARY KEY (page_id, version)
);

-- Article corrections: each version holds the fields an editor set (title, section, kind,
-- byline, first_page, last_page, topics), applied over the machine article by id.
CREATE TABLE IF NOT EXISTS article_version (
    article_id TEXT NOT NULL,                  -- no FK: survives re-segmentation
    issue_id TEXT NOT NULL REFERENCES issue(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    fields TEXT NOT NULL,                      -- JSON object of the fields in force after this edit
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (article_id, version)
);

-- Structural edits of an issue's articles (split, merge), replayed in order over the
-- machine segmentation; `undone` keeps the history when an editor reverts one.
CREATE TABLE IF NOT EXISTS issue_op (
    issue_id TEXT NOT NULL REFERENCES issue(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    op TEXT NOT NULL,                          -- JSON: {"op": "split"|"merge", ...}
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    undone INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (issue_id, seq)
);

-- The machine segmentation of each issue as the segmenter wrote it (JSON list of articles),
-- so editors' edits can be re-applied without segmenting again.
CREATE TABLE IF NOT EXISTS article_machine (
    issue_id TEXT PRIMARY KEY REFERENCES issue(id) ON DELETE CASCADE,
    articles TEXT NOT NULL,
    at TEXT NOT NULL
);

-- Evidence collections (bộ sưu tập minh chứng): ordered items with a note each.
CREATE TABLE IF NOT EXISTS collection (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,                 -- used in the shareable link /c/<slug>
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS collection_item (
    id INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collection(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('article', 'search')),
    ref TEXT NOT NULL,                         -- article id, or a canonical search query string
    title TEXT NOT NULL DEFAULT '',            -- as shown when added (the article may change)
    note TEXT NOT NULL DEFAULT '',
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS collection_item_order ON collection_item(collection_id, position);

-- Work the index must catch up with after an edit (documents to rewrite), drained by the
-- index stage or right after the edit; survives a crash between the edit and the reindex.
CREATE TABLE IF NOT EXISTS reindex_queue (
    doc_id TEXT PRIMARY KEY,                   -- an article id or a page id
    kind TEXT NOT NULL,                        -- article | page
    at TEXT NOT NULL
);
