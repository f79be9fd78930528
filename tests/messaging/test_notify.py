"""Notifications: idempotent by key, WhatsApp's 24-hour window respected, never a raw number stored."""

import time

import pytest

from benarkah.errors import ChannelError
from benarkah.messaging import Inbound, Kind, enqueue_notification, message_store
from benarkah.settings import Settings
from benarkah.tipline import Tipline
from tests.conftest import TEST_KEY

PHONE = "6281234567890"


def _notify(tipline, key="published:7", channel="whatsapp", text="Cek fakta yang Anda tanyakan sudah terbit."):
    return enqueue_notification(tipline, channel=channel, sealed_address=tipline.seal_address(PHONE),
                                sender_hash=tipline.hash_sender(channel, PHONE), text=text, key=key)


def test_inside_the_window_a_free_form_message_is_queued_once(tipline):
    message_store(tipline).accept([Inbound("whatsapp", "wamid.A", PHONE, Kind.TEXT, "vaksin chip")])
    assert _notify(tipline) == "queued"
    assert _notify(tipline) == "duplicate"
    depths = message_store(tipline).depths()["outbox"]
    assert depths == {"pending": 1}
    item = message_store(tipline).claim_outbox(10)[0]
    assert item.purpose == "notification" and item.parts == [
        {"kind": "text", "text": "Cek fakta yang Anda tanyakan sudah terbit."}]
    assert tipline.unseal_address(item.address) == PHONE


def test_outside_the_window_without_template_it_waits_visibly(tipline):
    assert _notify(tipline) == "needs_template"  # never wrote to us: no window
    assert message_store(tipline).depths()["outbox"] == {"needs_template": 1}
    assert message_store(tipline).claim_outbox(10) == []
    assert message_store(tipline).dead_letters()[0]["status"] == "needs_template"


def test_an_old_conversation_is_outside_the_window(tipline):
    store = message_store(tipline)
    store.accept([Inbound("whatsapp", "wamid.old", PHONE, Kind.TEXT, "halo")], now=time.time() - 25 * 3600)
    assert _notify(tipline) == "needs_template"


def test_outside_the_window_with_a_template_it_goes_as_template(tmp_path):
    settings = Settings(db=str(tmp_path / "t.db"), secret_key=TEST_KEY, semantic=False,
                        whatsapp_notify_template="cek_fakta_terbit")
    tl = Tipline(settings)
    try:
        assert _notify(tl, text="Hasil cek fakta:\n\nvideo lama   banjir") == "queued_template"
        part = message_store(tl).claim_outbox(10)[0].parts[0]
        assert part == {"kind": "template", "name": "cek_fakta_terbit", "language": "id",
                        "text": "Hasil cek fakta: video lama banjir"}
    finally:
        tl.close()


def test_telegram_is_always_queued_and_keys_are_per_call(tipline):
    assert _notify(tipline, channel="telegram", key="a") == "queued"
    assert _notify(tipline, channel="telegram", key="b") == "queued"
    assert _notify(tipline, channel="telegram", key="a") == "duplicate"
    assert message_store(tipline).depths()["outbox"] == {"pending": 2}


def test_bad_calls_are_refused_with_a_reason(tipline):
    with pytest.raises(ChannelError, match="only whatsapp, telegram"):
        _notify(tipline, channel="sms")
    with pytest.raises(ChannelError, match="non-empty"):
        _notify(tipline, text="  ")
