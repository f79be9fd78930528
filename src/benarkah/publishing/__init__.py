"""Publishing the archive beyond the chat: public fact-check pages with schema.org ClaimReview, a
sitemap and a feed, and a read API shaped like Google's Fact Check Tools ``claims:search``.

The pieces here know articles, links and the API's rules, never HTTP; the routers in ``web/``
(``factchecks.py``, ``claims_api.py``) are thin adapters over them. See docs/reach.md.
"""
