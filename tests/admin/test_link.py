"""Link and notify in two steps over real HTTP: suggestions are choices, nothing is pre-filled, and a
review page shows the fact-check and how many people will be told before anything is sent."""

from __future__ import annotations

import re
from typing import Iterator

import httpx
import pytest

from benarkah.admin.accounts import Accounts
from benarkah.app import Services
from benarkah.domain.articles import Article
from benarkah.web.app import create_app
from tests.support.servers import serve_app
from tests.tips.test_service import OutboxPort

PASSWORD = "kopi-tubruk-2026"
TIPS = [("whatsapp", "62811", "Beredar kabar gajah terbang terlihat di atas Monas saat malam tahun baru"),
        ("whatsapp", "62812", "bener gk gajah terbang di atas monas malam tahun baru??"),
        ("telegram", "5501", "video gajah terbang di langit Monas saat malam tahun baru"),
        ("web", "sesi-1", "gajah terbang di atas monas malam tahun baru beneran?")]
FACT_CHECK = Article(id="fc-gajah", title="[HOAKS] Gajah terbang di atas Monas saat malam tahun baru hasil suntingan",
                     url="https://cekfakta.example/gajah-monas", summary="Video itu hasil suntingan digital.")


@pytest.fixture
def client(demo_services: Services) -> Iterator[tuple[httpx.Client, Services, OutboxPort]]:
    outbox = OutboxPort()
    demo_services.tips.notifier = outbox
    Accounts(demo_services.store).add_user("editor", PASSWORD)
    for channel, sender, text in TIPS:
        demo_services.tips.record(channel, demo_services.identity.hash(channel, sender), sender, text)
    demo_services.index.upsert([FACT_CHECK])
    with serve_app(create_app(demo_services)) as url, httpx.Client(base_url=url) as http:
        form = http.get("/admin/login?lang=en")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        http.post("/admin/login", data={"username": "editor", "password": PASSWORD, "csrf_token": token})
        yield http, demo_services, outbox


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_review_shows_the_article_and_audience_and_only_the_confirmed_form_notifies(client):
    http, services, outbox = client
    [cluster] = services.tips.queue()
    page = http.get(f"/admin/clusters/{cluster.id}")
    assert 'value="fc-gajah"' in page.text and 'type="radio"' in page.text
    assert not re.search(r'<input type="radio"[^>]*checked', page.text)  # a choice, not a default
    assert 'name="article_ref" maxlength="2000" autocomplete="off" value=""' in page.text
    empty = http.post(f"/admin/clusters/{cluster.id}/link/review", data={"csrf_token": csrf(page.text)})
    assert empty.status_code == 422 and "Pick a suggested fact-check" in empty.text
    review = http.post(f"/admin/clusters/{cluster.id}/link/review",
                       data={"csrf_token": csrf(page.text), "article_id": "fc-gajah"})
    assert review.status_code == 200
    assert "Gajah terbang di atas Monas saat malam tahun baru hasil suntingan" in review.text
    assert "3 people will be told" in review.text and "2 on whatsapp" in review.text and "1 on telegram" in review.text
    assert "1 more asked on the web" in review.text
    assert "Link and notify 3 people" in review.text and "cekfakta.example/gajah-monas" in review.text
    assert outbox.calls == [] and services.tips.cluster(cluster.id).status == "new"  # the review sent nothing

    unconfirmed = http.post(f"/admin/clusters/{cluster.id}/link", data={"csrf_token": csrf(page.text),
                                                                       "article_id": "fc-gajah"})
    assert unconfirmed.status_code == 422 and outbox.calls == []
    done = http.post(f"/admin/clusters/{cluster.id}/link", data={"csrf_token": csrf(review.text),
                                                                "article_id": "fc-gajah", "confirmed": "1"})
    assert done.status_code == 303 and len(outbox.calls) == 3
    assert services.tips.cluster(cluster.id).status == "published"


def test_review_refuses_an_unknown_or_ambiguous_choice_and_accepts_a_typed_url(client):
    http, services, outbox = client
    [cluster] = services.tips.queue()
    token = csrf(http.get(f"/admin/clusters/{cluster.id}").text)
    unknown = http.post(f"/admin/clusters/{cluster.id}/link/review", data={"csrf_token": token, "article_ref": "nope"})
    assert unknown.status_code == 422 and "No fact-check with the id or URL &#39;nope&#39;" in unknown.text
    both = http.post(f"/admin/clusters/{cluster.id}/link/review",
                     data={"csrf_token": token, "article_id": "fc-gajah", "article_ref": "demo-001"})
    assert both.status_code == 422 and "not both" in both.text
    typed = http.post(f"/admin/clusters/{cluster.id}/link/review",
                      data={"csrf_token": token, "article_ref": "https://cekfakta.example/gajah-monas/"})
    assert typed.status_code == 200 and 'name="article_id" value="fc-gajah"' in typed.text
    assert http.post(f"/admin/clusters/{cluster.id}/link/review", data={"csrf_token": "x", "article_id": "fc-gajah"}
                     ).status_code == 403
    assert outbox.calls == []
