-- Durable inbox/outbox for messaging channels (WhatsApp, Telegram).
-- Plain types and no SQLite-only functions. PostgreSQL twin: BIGSERIAL ids and DOUBLE PRECISION for the
-- REAL columns (epoch seconds; PostgreSQL REAL is 4 bytes and would round them to minutes).
-- People appear only as sender_hash (keyed HMAC) and a sealed (encrypted) reply address.

CREATE TABLE messaging_inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    address TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    context TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending',
    claim_token TEXT NOT NULL DEFAULT '',
    lease_until REAL NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at REAL NOT NULL,
    processed_at REAL,
    error TEXT NOT NULL DEFAULT '',
    UNIQUE (channel, external_id)
);
CREATE INDEX messaging_inbox_claim ON messaging_inbox (status, id);
CREATE INDEX messaging_inbox_sender ON messaging_inbox (channel, sender_hash, received_at);

CREATE TABLE messaging_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    inbox_id INTEGER UNIQUE,
    channel TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    address TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT 'reply',
    parts TEXT NOT NULL,
    parts_sent INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending',
    claim_token TEXT NOT NULL DEFAULT '',
    lease_until REAL NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    sent_at REAL,
    last_error TEXT NOT NULL DEFAULT '',
    external_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX messaging_outbox_claim ON messaging_outbox (status, next_attempt_at, id);
CREATE INDEX messaging_outbox_sender ON messaging_outbox (sender_hash, status);

CREATE TABLE messaging_contacts (
    channel TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    last_inbound_at REAL NOT NULL,
    PRIMARY KEY (channel, sender_hash)
);
