-- Who a tip is counted against for the tips budget (tips.service): the sender on WhatsApp and Telegram,
-- the client's address (keyed hash) on the web and the API, where a session id costs nothing to change.
ALTER TABLE tips ADD COLUMN quota_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX tips_quota ON tips (quota_hash, created_at);
