-- The desk half of issue 13. Articles remember the URLs they cite (links in the body, ClaimReview's
-- itemReviewed.appearance), so a person who sends such a link finds the fact-check. A tip remembers
-- the results a person was shown when they answered "Tidak" (not helpful). A shared web-chat answer
-- remembers its articles (links shown as titles) and the one feedback it got. Link previews fetched
-- for people's messages are cached, so one viral link is fetched once, not once per sender.
-- article_urls: every page an article is about or cites, by the digest of its url_key (kind 0 its own
-- address, 1 where the claim circulated, 2 a page it cites), so a link in a message is one indexed
-- lookup. Written with each article; the archive that was there before this migration is indexed
-- once by the first process that opens it (meta 'article_urls' goes from 'pending' to 'done').
ALTER TABLE articles ADD COLUMN cited_urls TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tips ADD COLUMN shown_articles TEXT NOT NULL DEFAULT '[]';
ALTER TABLE web_answers ADD COLUMN article_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE web_answers ADD COLUMN feedback TEXT NOT NULL DEFAULT '';
CREATE INDEX interactions_intent ON interactions (intent, created_at);

CREATE TABLE link_previews (
    url_key TEXT PRIMARY KEY,
    final_url TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    fetched_at TEXT NOT NULL
);
CREATE INDEX link_previews_fetched ON link_previews (fetched_at);

CREATE TABLE article_urls (
    key_hash TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind INTEGER NOT NULL,
    PRIMARY KEY (key_hash, article_id)
);
CREATE INDEX article_urls_article ON article_urls (article_id);
INSERT INTO meta (key, value) VALUES ('article_urls', 'pending');
