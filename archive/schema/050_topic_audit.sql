-- Topic audit and labels from editors (indexer/topicaudit.py, indexer/topicmodel.py).
-- Never derived: kept by backups, untouched by rebuilds (except topic_prob and topic_model,
-- which `bantin analyze` rewrites).

-- An audit sample: a stratified random draw of articles, seeded so it can be drawn again.
CREATE TABLE IF NOT EXISTS audit_sample (
    id INTEGER PRIMARY KEY,
    n INTEGER NOT NULL,                        -- articles asked for
    by TEXT NOT NULL,                          -- strata: period | series
    seed INTEGER NOT NULL,
    drawn_by TEXT NOT NULL,
    drawn_at TEXT NOT NULL,
    strata TEXT NOT NULL DEFAULT '{}',         -- JSON {stratum: [population, drawn]}
    note TEXT NOT NULL DEFAULT ''
);

-- The articles of a sample, in the order the desk shows them.
CREATE TABLE IF NOT EXISTS audit_item (
    sample_id INTEGER NOT NULL REFERENCES audit_sample(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,                 -- 1-based
    article_id TEXT NOT NULL,                  -- no FK: survives re-segmentation (labels stay)
    stratum TEXT NOT NULL,
    PRIMARY KEY (sample_id, position),
    UNIQUE (sample_id, article_id)
);

-- Every set of topic labels an editor gave or confirmed: the training data of the topic
-- model and the editors' side of the agreement figures. The latest row per (article, editor,
-- sample) is in force; older rows are history.
CREATE TABLE IF NOT EXISTS topic_label (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL,
    editor TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('audit', 'article', 'desk', 'import')),
    sample_id INTEGER,                         -- set for source = 'audit'
    labels TEXT NOT NULL,                      -- JSON sorted list of topic slugs
    machine TEXT NOT NULL DEFAULT '[]',        -- the machine's labels when this was saved (JSON)
    model_version TEXT NOT NULL DEFAULT '',    -- model in force then ('' = keyword tagger alone)
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS topic_label_article ON topic_label(article_id, editor);
CREATE INDEX IF NOT EXISTS topic_label_sample ON topic_label(sample_id, editor);

-- Derived: each article's probability of each topic under the model in force.
CREATE TABLE IF NOT EXISTS topic_prob (
    article_id TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    prob REAL NOT NULL,
    model_version TEXT NOT NULL,
    PRIMARY KEY (article_id, topic)
);

-- Derived: the model in force (one row) with its cross-validated figures.
CREATE TABLE IF NOT EXISTS topic_model (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL,
    trained_at TEXT NOT NULL,
    labelled INTEGER NOT NULL,                 -- articles with editors' labels it learnt from
    cv TEXT NOT NULL DEFAULT '{}'              -- JSON: folds, per-topic Brier score and bias
);
