-- Twin of sqlite/0080_desk.sql (identical SQL).
-- The desk half of issue 13. Articles remember the URLs they cite (links in the body, ClaimReview's
-- itemReviewed.appearance), so a person who sends such a link finds the fact-check. A tip remembers
-- the results a person was shown when they answered "Tidak" (not helpful). A shared web-chat answer
-- remembers its articles (links shown as titles) and the one feedback it got. Link previews fetched
-- for people's messages are cached, so one viral link is fetched once, not once per sender.
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
