-- Analysis of articles (indexer/analyze.py): topics from the editors' list and cited documents.
-- Derived: rebuilt by `bantin analyze` from the articles; rows go with their article.

-- Every topic that scored above zero for an article, and the labels (1 to 3 per article).
CREATE TABLE IF NOT EXISTS article_topic (
    article_id TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    topic TEXT NOT NULL,                       -- slug from topics.toml
    score REAL NOT NULL,                       -- points, comparable across articles (indexer/topics.py)
    label INTEGER NOT NULL CHECK (label IN (0, 1)),
    evidence TEXT NOT NULL DEFAULT '{}',       -- JSON {term as written in topics.toml: count}
    topics_version TEXT NOT NULL,              -- "<version>#<file fingerprint>"
    PRIMARY KEY (article_id, topic)
);
CREATE INDEX IF NOT EXISTS article_topic_topic ON article_topic(topic, label);

-- Documents an article cites, one row per document with the number of mentions.
CREATE TABLE IF NOT EXISTS article_ref (
    article_id TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    doc_id TEXT NOT NULL,                      -- normalised: 21-NQ/TW, 43/2022/QH15, 800/QĐ-TTg
    kind TEXT NOT NULL DEFAULT '',             -- in words: Nghị quyết, Chỉ thị, Luật...
    number TEXT NOT NULL DEFAULT '',
    doc_type TEXT NOT NULL DEFAULT '',         -- NQ, CT, KL, QĐ, QĐi, HD, KH, NĐ, TT, L...
    body TEXT NOT NULL DEFAULT '',             -- TW, TU, HNTW, CP, TTg, QH15...
    year INTEGER,                              -- year issued when known
    date TEXT NOT NULL DEFAULT '',             -- date issued (ISO) from the text or the register
    raw TEXT NOT NULL DEFAULT '',              -- the first mention as written
    count INTEGER NOT NULL DEFAULT 1,
    issuer TEXT NOT NULL DEFAULT '',           -- issuing body as the text names it
    known INTEGER NOT NULL DEFAULT 0,          -- 1 when documents.toml holds the document
    PRIMARY KEY (article_id, doc_id)
);
CREATE INDEX IF NOT EXISTS article_ref_doc ON article_ref(doc_id);

-- What each article was analysed from, so reruns redo only what changed: its text (title,
-- section, kind, text, date), the topic list, the citation rules and the register.
CREATE TABLE IF NOT EXISTS analyze_state (
    article_id TEXT PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,
    text_key TEXT NOT NULL,
    topics_version TEXT NOT NULL,
    refs_version TEXT NOT NULL,
    analyzed_at TEXT NOT NULL
);
