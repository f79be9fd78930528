-- "What changed since version V": every article row carries the archive version (meta
-- 'articles_version') of the write that last changed it or its vector, so a search process applies
-- only the rows with change_seq > V to its index instead of rebuilding it. The version is bumped
-- under the write lock in the same transaction as the rows, so versions commit in order.
ALTER TABLE articles ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET change_seq = (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'articles_version');
CREATE INDEX articles_change_seq ON articles (change_seq);
