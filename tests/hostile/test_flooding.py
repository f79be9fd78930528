"""Case 8: one client cannot flood /api/ask, nor the fact-checkers' queue on any channel.

500 requests from one client in 36 s used to add 500 tips and 500 clusters. Now /api/ask is limited
per client address, and every channel's tips come out of a budget per sender (per client address on
the web and the API, where a session id costs nothing to change). Replies are not withheld: a person
over the budget still gets the answer, only the queue is spared. Both backends.
"""

from __future__ import annotations

import httpx
import pytest

from benarkah.app import build
from benarkah.settings import Settings
from benarkah.web.app import create_app
from tests.conftest import TEST_KEY, load_demo
from tests.support.servers import serve_app

pytestmark = pytest.mark.case(8)
BUDGET = 5
UNMATCHED = [f"kabar burung nomor {n} tentang gajah terbang {'x' * n} di kota antah berantah" for n in range(12)]


@pytest.fixture
def flood_services(db_url):
    services = build(Settings(db=db_url, secret_key=TEST_KEY, semantic=False, tips_per_sender_per_hour=BUDGET,
                              api_ask_per_minute=8))
    load_demo(services)
    yield services
    services.close()


def tip_count(services) -> int:
    return int(services.store.connection().execute("SELECT COUNT(*) FROM tips").fetchone()[0])


def test_api_ask_is_limited_per_client(flood_services):
    with serve_app(create_app(flood_services)) as url, httpx.Client(base_url=url) as client:
        statuses = [client.post("/api/ask", json={"text": "vaksin chip", "session": f"s{n}"}).status_code
                    for n in range(12)]
    assert statuses[:8] == [200] * 8 and statuses[8:] == [429] * 4


def test_rotating_sessions_on_the_api_do_not_buy_more_tips(flood_services):
    with serve_app(create_app(flood_services)) as url, httpx.Client(base_url=url) as client:
        replies = [client.post("/api/ask", json={"text": text, "session": f"sesi-{n}"})
                   for n, text in enumerate(UNMATCHED[:8])]
    assert all(r.status_code == 200 and r.json()["kind"] == "not_found" for r in replies)
    assert tip_count(flood_services) == BUDGET


@pytest.mark.parametrize("channel", ["whatsapp", "telegram", "web"])
def test_one_sender_has_a_tip_budget_on_every_channel(flood_services, channel):
    tipline = flood_services.tipline
    handled = [tipline.handle_text(channel, "6281100000301", text, client="203.0.113.9") for text in UNMATCHED]
    assert all(h.reply.kind.value == "not_found" for h in handled)  # everyone is still answered
    assert tip_count(flood_services) == BUDGET
    other = tipline.handle_text(channel, "6281100000302", UNMATCHED[0] + " lagi", client="203.0.113.10")
    assert other.tip_id is not None and tip_count(flood_services) == BUDGET + 1
