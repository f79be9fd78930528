-- PostgreSQL twin of sqlite/0020_crawl.sql, identical (plain types).
-- Crawl state: per URL, what the server last told us (ETag / Last-Modified for conditional GET, so a
-- re-run fetches only what changed) and how far a run got (pending URLs listed by a feed or sitemap
-- are picked up again by the next run after an interruption). Plain types: PostgreSQL has a twin.
CREATE TABLE crawl_pages (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    http_status INTEGER,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    article_id TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    fetched_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX crawl_pages_source ON crawl_pages (source, status);
