-- Twin of sqlite/0045_article_changes.sql: the archive version of the write that last changed each
-- article row or its vector, for "what changed since version V".
ALTER TABLE articles ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
UPDATE articles SET change_seq = (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'articles_version');
CREATE INDEX articles_change_seq ON articles (change_seq);
