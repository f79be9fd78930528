CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('articles_version', '0');

CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    claim TEXT NOT NULL DEFAULT '',
    verdict TEXT NOT NULL DEFAULT 'other',
    verdict_label TEXT NOT NULL DEFAULT '',
    published TEXT,
    publisher TEXT NOT NULL DEFAULT '',
    topic TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'id',
    extra_urls TEXT NOT NULL DEFAULT '[]',
    content_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX articles_published ON articles (published DESC);
CREATE INDEX articles_url ON articles (url);

CREATE TABLE article_vectors (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (article_id, model)
);

CREATE TABLE tips (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    cluster_id INTEGER
);
CREATE INDEX tips_created ON tips (created_at);
CREATE INDEX tips_sender ON tips (sender_hash);

CREATE TABLE interactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    intent TEXT NOT NULL,
    matched INTEGER,
    top_article_id TEXT,
    confidence REAL
);
CREATE INDEX interactions_created ON interactions (created_at);
CREATE INDEX interactions_sender ON interactions (sender_hash);

CREATE TABLE sessions (
    channel TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, sender_hash)
);
