-- Pictures of fact-check articles: where each came from, its PDQ hash (32 bytes) for re-shared
-- pictures, and the text OCR read from it with that text's 3-gram fingerprint (uint32 little-endian)
-- for re-shared screenshots. The bytes themselves are not kept: the article page shows the picture.
-- One row per picture per article (sha256 of the bytes); "images_version" moves on every change so
-- each process rebuilds its picture index, as "articles_version" does for the search index.
CREATE TABLE article_images (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    mime TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    pdq BLOB,
    pdq_quality INTEGER NOT NULL DEFAULT 0,
    ocr_engine TEXT NOT NULL DEFAULT '',
    ocr_text TEXT NOT NULL DEFAULT '',
    text_print BLOB,
    created_at TEXT NOT NULL,
    UNIQUE (article_id, sha256)
);
CREATE INDEX article_images_article ON article_images (article_id);
INSERT INTO meta (key, value) VALUES ('images_version', '0');
