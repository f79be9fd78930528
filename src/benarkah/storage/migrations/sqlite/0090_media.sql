-- People's pictures, videos and voice notes kept with their tips (docs/media.md#what-is-kept).
-- A row is written only when a message becomes a tip: the desk shows the picture and the text read
-- from it, and tips are clustered by the picture's PDQ hash and text fingerprint. The bytes live
-- behind the media storage seam: files beside the database (storage 'files', blob_key = file name)
-- or the media_blobs table below (storage 'database'). Both tables carry sender_hash, so
-- `benarkah forget` erases them with the person's other rows; rows older than
-- BENARKAH_MEDIA_RETENTION_DAYS are deleted by the worker's idle sweep.
CREATE TABLE media_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    channel TEXT NOT NULL,
    sender_hash TEXT NOT NULL,
    tip_id INTEGER,
    media TEXT NOT NULL,
    mime TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    width INTEGER NOT NULL DEFAULT 0,
    height INTEGER NOT NULL DEFAULT 0,
    pdq BLOB,
    text_print BLOB,
    read_text TEXT NOT NULL DEFAULT '',
    problem TEXT NOT NULL DEFAULT '',
    storage TEXT NOT NULL,
    blob_key TEXT NOT NULL
);
CREATE INDEX media_items_tip ON media_items (tip_id);
CREATE INDEX media_items_created ON media_items (created_at);
CREATE INDEX media_items_sender ON media_items (sender_hash);

CREATE TABLE media_blobs (
    blob_key TEXT PRIMARY KEY,
    sender_hash TEXT NOT NULL,
    created_at REAL NOT NULL,
    data BLOB NOT NULL
);

-- Messages carrying a file are answered in their own lane (downloads and OCR take seconds), so a
-- burst of pictures never delays the text replies queued behind it.
ALTER TABLE messaging_inbox ADD COLUMN lane TEXT NOT NULL DEFAULT 'text';
CREATE INDEX messaging_inbox_lane ON messaging_inbox (lane, status, id);
CREATE INDEX messaging_inbox_person ON messaging_inbox (sender_hash, id);
