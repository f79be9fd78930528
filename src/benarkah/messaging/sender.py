"""The outbox sender: claims queued replies and posts them through the channel's client.

Retries 429, 5xx and timeouts with exponential backoff and jitter (honouring Retry-After), and gives up
into the visible ``dead`` state after ``messaging_max_attempts``; other 4xx are dead at once (the request
itself is wrong, or the token is: fix it, then ``benarkah queue retry``), with the API's error code kept
on the row. Progress is saved after each part, so a crash resends only what was not yet acknowledged.
WhatsApp's 24-hour customer-service window is checked before any free-form message (``window``):
outside it the message waits as ``needs_template``; if the API itself refuses one as outside the window
(re-engagement), it goes again as the notification template when one is configured.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Callable, Mapping

from ..errors import BenarkahError, ConfigError
from ..privacy import Identity
from ..settings import Settings
from .model import ChannelClient, OutboxItem, Remedy, SendError
from .parts import CallbackAnswer, TextPart
from .store import MessageStore
from .window import window_open

log = logging.getLogger(__name__)
CLAIM_BATCH = 8
RECORD_PATIENCE_LEASES = 2  # how long (in leases) a sent part's record is retried while the database is away


def backoff_delay(attempts: int, base: float, cap: float, rng: random.Random,
                  retry_after: float | None = None) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, so retries spread out but never
    come back at once; never sooner than the API's Retry-After."""
    ceiling = min(cap, base * (2 ** max(0, attempts - 1)))
    delay = ceiling / 2 + rng.uniform(0, ceiling / 2)
    return max(delay, retry_after or 0.0)


def check_lease(settings: Settings) -> float:
    """The longest one API call may take, after checking that a claim outlives it (``ConfigError`` if not).
    httpx's timeout bounds each phase of a call (connect, write, read): a call takes at most about two."""
    call_bound = 2 * settings.messaging_send_timeout_seconds
    if settings.messaging_lease_seconds <= call_bound:
        raise ConfigError(
            f"BENARKAH_MESSAGING_LEASE_SECONDS ({settings.messaging_lease_seconds:g}) must be more than twice "
            f"BENARKAH_MESSAGING_SEND_TIMEOUT_SECONDS ({settings.messaging_send_timeout_seconds:g}): a claim "
            "must outlive the API call it covers, or a slow call is sent twice")
    return call_bound


class OutboxSender:
    """Sends claimed replies. A claim (lease) must outlive every API call made under it, or another
    sender would take the row mid-call and send it too: so before each call the lease is renewed
    unless it still covers the longest call (``call_bound``), and the lease must be longer than that."""

    def __init__(self, store: MessageStore, identity: Identity, clients: Mapping[str, ChannelClient],
                 settings: Settings, rng: random.Random | None = None) -> None:
        self.store = store
        self.identity = identity
        self.clients = clients
        self.settings = settings
        self.rng = rng or random.Random()
        self.call_bound = check_lease(settings)
        self.progress: Callable[[], None] = lambda: None  # the heartbeat's "still moving" (health.Heartbeat)

    def run_once(self, limit: int = CLAIM_BATCH) -> int:
        if not self.store.outbox_ready():
            return 0
        items = self.store.claim_outbox(limit)
        for item in items:
            self.deliver(item)
        return len(items)

    def deliver(self, item: OutboxItem) -> None:
        client = self.clients.get(item.channel)
        if client is None:
            self._failed(item, SendError(f"channel {item.channel!r} is not configured in this process",
                                         retryable=True))
            return
        if self._outside_window(item):
            self.store.mark_needs_template(item, "outside the 24-hour customer-service window")
            log.warning("outbox %s waits for a template: outside the 24-hour window", item.id)
            return
        address = self.identity.unseal(item.address)
        sent_ids: list[str] = []
        lease_until = item.lease_until
        for index in range(item.parts_sent, len(item.parts)):
            self.progress()
            part = item.parts[index]
            if time.time() + self.call_bound >= lease_until:
                renewed = self.store.renew_lease(item)
                if renewed is None:
                    log.warning("outbox %s: claim ran out before part %d and another sender has it", item.id,
                                index + 1)
                    return
                lease_until = renewed
            try:
                external_id = client.send(address, part)
            except SendError as exc:
                if isinstance(part, CallbackAnswer) and part.optional and not exc.retryable:
                    log.info("outbox %s: optional callback answer refused (%s); going on", item.id, exc)
                    external_id = ""
                else:
                    self._failed(item, exc)
                    return
            sent_ids.append(external_id)
            lease_until = self._record(item, index + 1, sent_ids)  # the last one also marks the row sent
            if lease_until is None:
                return
        if item.parts_sent >= len(item.parts):
            self.store.mark_sent(item)  # nothing left to send (a crash came after the last part was recorded)

    def _record(self, item: OutboxItem, parts_sent: int, sent_ids: list[str]) -> float | None:
        """Record a part the API accepted; if the database refuses (full disk, restarted server), keep
        trying for a while: this process knows the part went out, and once it gives up the part will be
        sent again after the lease (the one window where a reply can be doubled). None: given up."""
        deadline = time.monotonic() + RECORD_PATIENCE_LEASES * self.settings.messaging_lease_seconds
        delay = 0.2
        while True:
            try:
                return self.store.record_part_sent(item, parts_sent, sent_ids)
            except (BenarkahError, OSError, self.store.db.Error) as exc:
                if time.monotonic() + delay > deadline:
                    log.error("outbox %s: part %d was sent but cannot be recorded (%s); it will be sent again",
                              item.id, parts_sent, exc)
                    return None
                log.warning("outbox %s: part %d sent, recording it failed (%s); retrying in %.1fs", item.id,
                            parts_sent, exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _outside_window(self, item: OutboxItem) -> bool:
        if not any(isinstance(p, TextPart) for p in item.parts[item.parts_sent:]):
            return False  # templates (and button answers) may go at any time
        return not window_open(item.channel, item.last_inbound_at)

    def _failed(self, item: OutboxItem, exc: SendError) -> None:
        if exc.remedy is Remedy.TEMPLATE:
            status = self.store.reengage(item, str(exc), exc.code)
            log.warning("outbox %s (%s) refused as outside the 24-hour window: now %s", item.id, item.channel, status)
            return
        if not exc.retryable or item.attempts >= self.settings.messaging_max_attempts:
            self.store.mark_dead(item, str(exc), exc.code)
            log.error("outbox %s (%s) is a dead letter after %d attempts: %s", item.id, item.channel,
                      item.attempts, exc)
            return
        delay = backoff_delay(item.attempts, self.settings.messaging_retry_base_seconds,
                              self.settings.messaging_retry_max_seconds, self.rng, exc.retry_after)
        self.store.schedule_retry(item, delay, str(exc))
        log.warning("outbox %s (%s) attempt %d failed (%s); retrying in %.1fs", item.id, item.channel,
                    item.attempts, exc, delay)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.progress()
            self.store.outbox_event.clear()
            try:
                taken = self.run_once()
            except Exception:  # noqa: BLE001 - keep sending after a transient database or network fault
                log.exception("outbox sender iteration failed")
                taken = 0
            if not taken:
                self.store.outbox_event.wait(self.settings.messaging_poll_seconds)
