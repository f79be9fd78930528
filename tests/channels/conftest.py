"""Live services for channel tests: demo corpus, the HTTP app under uvicorn, workers, fake APIs."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import pytest

from benarkah.app import Services, build
from benarkah.messaging.store import MessageStore
from benarkah.settings import Settings
from benarkah.web.app import create_app
from tests.conftest import TEST_KEY, load_demo
from tests.support.fake_apis import TG_TOKEN, WA_PHONE_NUMBER_ID, WA_TOKEN, FakeBotAPI, FakeGraphAPI, run_fake
from tests.support.payloads import APP_SECRET, TG_SECRET, VERIFY_TOKEN
from tests.support.servers import serve_app


@pytest.fixture
def graph() -> Iterator[FakeGraphAPI]:
    with run_fake(FakeGraphAPI()) as api:
        yield api  # type: ignore[misc]


@pytest.fixture
def bot() -> Iterator[FakeBotAPI]:
    with run_fake(FakeBotAPI()) as api:
        yield api  # type: ignore[misc]


def channel_settings(db: str, graph_base: str, bot_base: str, **extra: object) -> Settings:
    values: dict[str, object] = dict(
        db=db, secret_key=TEST_KEY, semantic=False,
        whatsapp_verify_token=VERIFY_TOKEN, whatsapp_app_secret=APP_SECRET, whatsapp_token=WA_TOKEN,
        whatsapp_phone_number_id=WA_PHONE_NUMBER_ID, whatsapp_api_base=graph_base,
        telegram_token=TG_TOKEN, telegram_secret=TG_SECRET, telegram_api_base=bot_base,
        messaging_poll_seconds=0.05, messaging_retry_base_seconds=0.05, messaging_retry_max_seconds=0.2,
        messaging_lease_seconds=5, messaging_max_attempts=4, messaging_send_timeout_seconds=2)
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


@dataclass
class Live:
    url: str
    services: Services
    store: MessageStore


@pytest.fixture
def live_settings(tmp_path, graph, bot) -> Settings:
    return channel_settings(str(tmp_path / "live.db"), graph.api_base, bot.api_base)


@contextmanager
def deployment(settings: Settings) -> Iterator[Live]:
    """The demo archive served over loopback with its worker and sender threads running."""
    services = build(settings)
    load_demo(services)
    runtime = services.runtime().start()
    try:
        with serve_app(create_app(services)) as url:
            yield Live(url, services, services.queue)
    finally:
        runtime.stop()
        services.close()


@pytest.fixture
def live(live_settings) -> Iterator[Live]:
    with deployment(live_settings) as running:
        yield running
