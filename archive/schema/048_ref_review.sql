-- Cited documents read by OCR that the register does not hold (indexer/analyze.py): kept as
-- read, but out of the review's counts until an editor confirms them (archive/worklist.py).
-- Pending rows are derived (added and dropped by the analyze stage); an editor's decision
-- (confirmed / rejected) is kept for good, whatever later runs find.
CREATE TABLE IF NOT EXISTS ref_review (
    article_id TEXT NOT NULL,                  -- no FK: survives re-segmentation
    doc_id TEXT NOT NULL,
    raw TEXT NOT NULL DEFAULT '',              -- the mention as read
    reason TEXT NOT NULL DEFAULT '',           -- why it is doubtful
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected')),
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (article_id, doc_id)
);
CREATE INDEX IF NOT EXISTS ref_review_status ON ref_review(status);
