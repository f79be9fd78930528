"""The archive by link on both backends: keys written with each article, replaced when it changes,
removed with it, and the archive stored before the link table existed indexed once."""

from __future__ import annotations

from benarkah.domain.articles import Article
from benarkah.domain.urls import LinkKind
from benarkah.search.urls import ArchiveLinks

ARTICLE = Article(id="fc-1", title="[HOAKS] Contoh", url="https://cekfakta.co.id/2024/contoh",
                  extra_urls=("https://amp.cekfakta.co.id/2024/contoh/amp",),
                  claim_appearances=("https://www.facebook.com/groups/1/posts/2",),
                  cited_urls=("https://kemkes.go.id/rilis/1", "https://kemkes.go.id/"),
                  text="Sumber: https://covid19.go.id/artikel/a dan https://cekfakta.co.id/2024/contoh?utm_source=x")


def test_links_follow_the_article_on_both_backends(any_services):
    store = any_services.store
    any_services.index.upsert([ARTICLE])
    links = ArchiveLinks(store)
    assert [m.article.id for m in links.match(["http://m.kemkes.go.id/rilis/1?fbclid=z"])] == ["fc-1"]
    other = Article(id="fc-2", title="Lain", url="https://cekfakta.co.id/2024/lain",
                    cited_urls=("https://cekfakta.co.id/2024/contoh",))
    any_services.index.upsert([other, ARTICLE.with_changes(cited_urls=())])
    found = links.match(["https://www.cekfakta.co.id/2024/contoh/"])
    assert [(m.article.id, m.kind) for m in found] == [("fc-1", LinkKind.OWN), ("fc-2", LinkKind.CITED)]
    assert links.match(["https://kemkes.go.id/rilis/1"]) == []  # the edit removed the citation
    assert links.match(["https://contoh.id/"]) == [] and links.match([]) == []
    with store.transaction() as tx:  # an article removed takes its links with it (ON DELETE CASCADE)
        tx.execute("DELETE FROM articles WHERE id = ?", ("fc-1",))
    assert [m.article.id for m in links.match(["https://cekfakta.co.id/2024/contoh"])] == ["fc-2"]


def test_an_archive_stored_before_the_link_table_is_indexed_once(any_services):
    store = any_services.store
    any_services.index.upsert([ARTICLE])
    with store.transaction() as tx:  # as a database migrated from before issue 13 looks
        tx.execute("DELETE FROM article_urls")
        tx.execute("UPDATE meta SET value = 'pending' WHERE key = 'article_urls'")
    assert ArchiveLinks(store).match([ARTICLE.url]) == []
    assert store.index_article_links() == 1
    assert [m.article.id for m in ArchiveLinks(store).match([ARTICLE.url])] == ["fc-1"]
    assert store.index_article_links() == 0
