-- Articles: written by the segment stage (indexer/articles.py, indexer/segment.py), one
-- transaction per issue; an issue's rows are replaced when its pages' text changes.
-- Analysis tables (article_topic, article_ref) belong in this file too (see ARCHITECTURE.md).
CREATE TABLE IF NOT EXISTS article (
    id TEXT PRIMARY KEY,                       -- <issue id>-p<first page>-<4 hex of sha1(fold(title))>[-N]
    issue_id TEXT NOT NULL REFERENCES issue(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,                      -- order in the issue, 1-based
    section TEXT NOT NULL DEFAULT '',          -- canonical name (indexer/sections.toml), '' if none
    title TEXT NOT NULL,
    byline TEXT NOT NULL DEFAULT '',
    first_page INTEGER NOT NULL,               -- page seq, 1-based
    last_page INTEGER NOT NULL,
    kind TEXT NOT NULL,                        -- tin | bai | hoi-dap | van-ban | khac
    text TEXT NOT NULL,                        -- NFC, paragraphs separated by a blank line
    words INTEGER NOT NULL,                    -- syllables of text
    confidence REAL NOT NULL,                  -- mean word confidence, 0..100
    boxes TEXT NOT NULL DEFAULT '{}',          -- JSON {page seq: [[x0,y0,x1,y1], ...]}, page fractions
    source_key TEXT NOT NULL,                  -- segment_state.source_key it was made from
    segmenter TEXT NOT NULL,                   -- segmenter version
    updated_at TEXT NOT NULL                   -- last time its content changed
);
CREATE INDEX IF NOT EXISTS article_issue ON article(issue_id, seq);
CREATE INDEX IF NOT EXISTS article_section ON article(section);
CREATE INDEX IF NOT EXISTS article_kind ON article(kind);

-- What each issue was last segmented from: the stage skips an issue whose key is unchanged.
CREATE TABLE IF NOT EXISTS segment_state (
    issue_id TEXT PRIMARY KEY REFERENCES issue(id) ON DELETE CASCADE,
    source_key TEXT NOT NULL,                  -- hash of its pages' text, settings, sections list
    segmenter TEXT NOT NULL,
    at TEXT NOT NULL,
    issue_date TEXT NOT NULL DEFAULT ''        -- YYYY-MM read from the masthead ('' if none)
);
