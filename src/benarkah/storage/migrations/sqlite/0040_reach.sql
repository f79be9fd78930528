-- Publishing the archive (docs/reach.md): what ClaimReview says about the claim itself, and API keys
-- for the Fact Check Tools-compatible read API. Plain types and ? placeholders only, so the PostgreSQL
-- twin is a transliteration.

ALTER TABLE articles ADD COLUMN claimant TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN claim_date TEXT;
ALTER TABLE articles ADD COLUMN claim_appearances TEXT NOT NULL DEFAULT '[]';
-- pages of the archive newest first (public listing, API browsing) without sorting it each time
CREATE INDEX articles_latest ON articles (published DESC, id);

-- Keys are stored as SHA-256 digests only (the key is shown once, when it is made); a revoked key
-- keeps its row for the record, and its name can be given to a new key.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    per_minute INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
