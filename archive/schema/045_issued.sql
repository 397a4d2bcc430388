-- Every article id ever issued (archive/issued.py): a permalink /a/<id>, once shown, answers
-- forever. While an article with the id is in force the row is `live`; when it is gone (a
-- title correction changed the id, a split was undone, a merge, a re-segmentation) `targets`
-- names the articles in force that hold its text now. Never derived from the scans: kept by
-- backups, untouched by rebuilds; rows are never deleted, so an id is never reused for other text.
CREATE TABLE IF NOT EXISTS issued_article (
    id TEXT PRIMARY KEY,                       -- the article id as issued
    issue_id TEXT NOT NULL,                    -- no FK: outlives a re-ingested issue
    title TEXT NOT NULL DEFAULT '',            -- its title when last in force
    text TEXT NOT NULL DEFAULT '',             -- its text when last in force (NFC)
    live INTEGER NOT NULL DEFAULT 1,           -- 1 while an article with this id is in force
    targets TEXT NOT NULL DEFAULT '[]',        -- JSON [article ids in force holding its text], best first
    first_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS issued_article_issue ON issued_article(issue_id);

-- Collections deleted by an editor: /c/<slug> keeps answering with what it was.
CREATE TABLE IF NOT EXISTS issued_collection (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    deleted_at TEXT NOT NULL,
    items TEXT NOT NULL DEFAULT '[]'           -- JSON [[kind, ref, title], ...] as it was
);
