-- People known by several identifiers (WhatsApp: phone number, business-scoped user id, parent BSUID,
-- username) keep one pseudonym: identity_links maps the keyed hash of each identifier to the person's
-- sender_hash, the key every other table uses, so nothing is rewritten when an identifier is added or
-- changes. "address" is the identifier itself, sealed (AES-GCM), for the routable kinds: where a
-- follow-up goes when the person's number or BSUID changed. "current" is 0 for an identifier the
-- person no longer uses (an old BSUID after a change event, a number that moved to someone else).
-- The column is named sender_hash so `benarkah forget` (erase_sender) covers the table by itself.
CREATE TABLE identity_links (
    channel TEXT NOT NULL,
    handle_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    address TEXT,
    current INTEGER NOT NULL DEFAULT 1,
    updated_at REAL NOT NULL,
    PRIMARY KEY (channel, handle_hash)
);
CREATE INDEX identity_links_person ON identity_links (channel, sender_hash, kind);

-- What the APIs said about each message we sent: one row per API message id (a WhatsApp wamid, a
-- Telegram message), matched by that id when a WhatsApp status webhook arrives, however the message
-- was addressed (phone number or BSUID). status: sent < delivered < read, or failed (with the code).
CREATE TABLE messaging_receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    outbox_id INTEGER NOT NULL,
    part INTEGER NOT NULL DEFAULT 0,
    sender_hash TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'sent',
    error_code TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (channel, external_id)
);
CREATE INDEX messaging_receipts_outbox ON messaging_receipts (outbox_id);
CREATE INDEX messaging_receipts_status ON messaging_receipts (channel, status);

-- The weakest delivery outcome over the row's parts ('' until the API answered), and the API's code
-- when it failed: what `benarkah queue status` and /metrics show beside the queue status.
ALTER TABLE messaging_outbox ADD COLUMN delivery TEXT NOT NULL DEFAULT '';
ALTER TABLE messaging_outbox ADD COLUMN delivery_code TEXT NOT NULL DEFAULT '';

-- Moves when `forget` rebuilt clusters, so every process reloads its in-memory clustering index
-- instead of writing an erased person's words back into a cluster profile.
INSERT INTO meta (key, value) VALUES ('clusters_epoch', '0');
