"""Notifications: idempotent by key, WhatsApp's 24-hour window respected, never a raw number stored."""

import time

import pytest

from benarkah.app import build
from benarkah.errors import ChannelError
from benarkah.messaging import Inbound, Kind
from benarkah.messaging.parts import TemplatePart, TextPart
from benarkah.settings import Settings
from tests.conftest import TEST_KEY

PHONE = "6281234567890"


def _notify(services, key="published:7", channel="whatsapp", text="Cek fakta yang Anda tanyakan sudah terbit."):
    return services.notifier(channel=channel, sealed_address=services.identity.seal(PHONE),
                             sender_hash=services.identity.hash(channel, PHONE), text=text, key=key)


def test_inside_the_window_a_free_form_message_is_queued_once(services):
    services.queue.accept([Inbound("whatsapp", "wamid.A", PHONE, Kind.TEXT, "vaksin chip")])
    assert _notify(services) == "queued"
    assert _notify(services) == "duplicate"
    depths = services.queue.depths()["outbox"]
    assert depths == {"pending": 1}
    item = services.queue.claim_outbox(10)[0]
    assert item.purpose == "notification" and item.parts == [TextPart("Cek fakta yang Anda tanyakan sudah terbit.")]
    assert services.identity.unseal(item.address) == PHONE


def test_outside_the_window_without_template_it_waits_visibly(services):
    assert _notify(services) == "needs_template"  # never wrote to us: no window
    assert services.queue.depths()["outbox"] == {"needs_template": 1}
    assert services.queue.claim_outbox(10) == []
    assert services.queue.dead_letters()[0].status == "needs_template"


def test_an_old_conversation_is_outside_the_window(services):
    store = services.queue
    store.accept([Inbound("whatsapp", "wamid.old", PHONE, Kind.TEXT, "halo")], now=time.time() - 25 * 3600)
    assert _notify(services) == "needs_template"


def test_outside_the_window_with_a_template_it_goes_as_template(tmp_path):
    settings = Settings(db=str(tmp_path / "t.db"), secret_key=TEST_KEY, semantic=False,
                        whatsapp_notify_template="cek_fakta_terbit")
    tl = build(settings)
    try:
        assert _notify(tl, text="Hasil cek fakta:\n\nvideo lama   banjir") == "queued_template"
        part = tl.queue.claim_outbox(10)[0].parts[0]
        assert part == TemplatePart("cek_fakta_terbit", "id", "Hasil cek fakta: video lama banjir")
    finally:
        tl.close()


def test_telegram_is_always_queued_and_keys_are_per_call(services):
    assert _notify(services, channel="telegram", key="a") == "queued"
    assert _notify(services, channel="telegram", key="b") == "queued"
    assert _notify(services, channel="telegram", key="a") == "duplicate"
    assert services.queue.depths()["outbox"] == {"pending": 2}


def test_bad_calls_are_refused_with_a_reason(services):
    with pytest.raises(ChannelError, match="only whatsapp, telegram"):
        _notify(services, channel="sms")
    with pytest.raises(ChannelError, match="non-empty"):
        _notify(services, text="  ")
