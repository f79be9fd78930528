-- Digest subscriptions, the digests sent to each subscriber (one per person, frequency and period),
-- and fact-checkers' replies to tippers. Every table has a sender_hash column, so `benarkah forget`
-- erases a person's rows here too. Plain types and ? placeholders only (PostgreSQL twin: identity ids).

CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    address TEXT NOT NULL,
    frequency TEXT NOT NULL,
    topic TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'id',
    active INTEGER NOT NULL DEFAULT 1,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    stopped_at TEXT,
    last_period TEXT NOT NULL DEFAULT '',
    last_digest_at TEXT,
    UNIQUE (channel, sender_hash)
);
CREATE INDEX subscriptions_due ON subscriptions (active, frequency, last_period);

CREATE TABLE subscription_digests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    frequency TEXT NOT NULL,
    period TEXT NOT NULL,
    articles INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (channel, sender_hash, frequency, period)
);
CREATE INDEX subscription_digests_created ON subscription_digests (created_at);

CREATE TABLE staff_replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    staff_user TEXT NOT NULL,
    tip_id INTEGER NOT NULL,
    cluster_id INTEGER,
    channel TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX staff_replies_tip ON staff_replies (tip_id);
