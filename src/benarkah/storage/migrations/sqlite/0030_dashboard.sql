-- Tips grouped into clusters, notifications when a cluster gets its fact-check, staff accounts,
-- staff sessions and shared web-chat answers. Plain types and ? placeholders only, so the
-- PostgreSQL twin is a transliteration (AUTOINCREMENT ids -> identity columns).

CREATE TABLE tip_clusters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    tip_count INTEGER NOT NULL DEFAULT 0,
    last_tip_id INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'new',
    article_id TEXT,
    example TEXT NOT NULL DEFAULT '',
    profile TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tip_clusters_last_seen ON tip_clusters (last_seen);
CREATE INDEX tip_clusters_last_tip ON tip_clusters (last_tip_id);

ALTER TABLE tips ADD COLUMN reply_address TEXT;
CREATE INDEX tips_cluster ON tips (cluster_id, created_at);

CREATE TABLE tip_notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL,
    cluster_id INTEGER NOT NULL,
    tip_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (article_id, sender_hash)
);
CREATE INDEX tip_notifications_cluster ON tip_notifications (cluster_id);

CREATE TABLE staff_users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);

CREATE TABLE staff_login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX staff_login_failures_user ON staff_login_failures (username, created_at);

CREATE TABLE web_answers (
    token TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    question TEXT NOT NULL,
    reply TEXT NOT NULL,
    kind TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'id'
);
CREATE INDEX web_answers_created ON web_answers (created_at);
CREATE INDEX web_answers_sender ON web_answers (sender_hash);
