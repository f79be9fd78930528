"""Subscribing, unsubscribing and sending the digests.

``apply`` is called by the tipline when a person's message was a subscription command (inside the
turn's transaction); ``send_due`` by ``benarkah digest send`` and by the messaging worker when idle
(every ``digest_check_seconds``). A digest leaves through a ``DigestNotifier`` (the messaging outbox,
bound by the composition root), with the idempotency key ``<frequency>:<period>:<person>``, and the
period is recorded as served in the same transaction: a crash or a second process sending at the same
time can never give one person two digests for one period. On WhatsApp outside the 24-hour window the
digest goes as the approved template ``BENARKAH_WHATSAPP_DIGEST_TEMPLATE`` with its quick-reply
"Berhenti" button (or waits, visibly, as ``needs_template``). "berhenti" stops the subscription at
once and withdraws any digest of the person's still waiting to be sent.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain.articles import Article
from ..domain.render import render_digest
from ..domain.subscriptions import PERIOD_LENGTH, Frequency, SubscriptionChange, latest_boundary, period_id
from ..errors import BenarkahError, ConfigError
from ..privacy import Identity
from ..settings import Settings
from ..storage.base import Store
from ..storage.records import iso
from .repository import Subscription, SubscriptionCounts, SubscriptionRepository

log = logging.getLogger(__name__)
SUBSCRIBABLE_CHANNELS = frozenset({"whatsapp", "telegram"})
BACKFILL_DAYS = 30  # an article dated this long before its digest's period is old news re-ingested
DUE_BATCH = 200
EMPTY = "empty"  # the outcome of a period with nothing new: recorded, nothing sent


class DigestNotifier(Protocol):
    """Queues one digest message (``messaging.notify.OutboxNotifier`` with ``purpose="digest"``);
    idempotent on ``key``. Returns the outcome: "queued", "queued_template", "needs_template" or
    "duplicate"."""

    def __call__(self, *, channel: str, sealed_address: str, sender_hash: str, text: str, key: str,
                 language: str, template: tuple[str, str], unsubscribe: bool) -> str: ...


@dataclass
class DigestRun:
    """What one ``send_due`` did, per frequency."""

    periods: dict[str, str] = field(default_factory=dict)          # frequency -> period served
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)  # frequency -> outcome -> people

    def summary(self) -> str:
        parts = []
        for frequency, period in self.periods.items():
            counts = self.outcomes.get(frequency, Counter())
            text = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "nobody due"
            parts.append(f"{frequency} {period}: {text}")
        return "; ".join(parts)


class SubscriptionService:
    channels = SUBSCRIBABLE_CHANNELS

    def __init__(self, store: Store, identity: Identity, settings: Settings,
                 notifier: DigestNotifier | None = None,
                 withdraw: Callable[[str, str], int] | None = None,
                 public_page: Callable[[Article], str] | None = None) -> None:
        """``withdraw(channel, sender_hash)`` cancels a person's unsent digests; ``public_page`` gives
        the link of an article without an original URL."""
        self.store = store
        self.identity = identity
        self.settings = settings
        self.notifier = notifier
        self.withdraw = withdraw
        self.public_page = public_page
        self.repo = SubscriptionRepository(store)

    # the conversation's side -------------------------------------------------------------------------

    def apply(self, channel: str, sender_hash: str, sender_id: str, change: SubscriptionChange,
              language: str) -> None:
        """Store what the person asked for (inside the caller's transaction, if any)."""
        if channel not in SUBSCRIBABLE_CHANNELS:
            raise BenarkahError(f"channel {channel!r} cannot send digests")
        with self.store.transaction(lock="rows") as tx:
            if change.active:
                self.repo.subscribe(tx, channel, sender_hash, self.identity.seal(sender_id), change, language)
                return
            self.repo.stop(tx, channel, sender_hash)
            if self.withdraw is not None:
                self.withdraw(channel, sender_hash)

    def topics(self) -> list[str]:
        return self.repo.topics()

    # the digests --------------------------------------------------------------------------------------

    def send_due(self, now: datetime | None = None) -> DigestRun:
        """Queue every digest that is due now (each person once per period). Safe to repeat at any time."""
        now = now or datetime.now(timezone.utc)
        run = DigestRun()
        for frequency in Frequency:
            boundary = latest_boundary(frequency, now, self.settings.digest_hour, self.settings.digest_weekday,
                                       self.zone)
            period = period_id(frequency, boundary)
            run.periods[str(frequency)] = period
            outcomes = run.outcomes.setdefault(str(frequency), Counter())
            after = 0
            while batch := self.repo.due(frequency, period, iso(boundary), after, DUE_BATCH):
                for subscription in batch:
                    after = subscription.id
                    outcome = self._serve(subscription, period, boundary, now)
                    if outcome:
                        outcomes[outcome] += 1
        return run

    def _serve(self, subscription: Subscription, period: str, boundary: datetime, now: datetime) -> str:
        """One person's digest for one period: queued and recorded together, or neither."""
        if self.notifier is None:
            return ""  # no messaging in this process: the period stays due
        length = PERIOD_LENGTH[subscription.frequency]
        since = max(subscription.last_digest_at or "", iso(boundary - length))
        published_after = (boundary - length - timedelta(days=BACKFILL_DAYS)).date().isoformat()
        articles, total = self.repo.new_articles(since, iso(now), published_after, subscription.topic,
                                                 self.settings.digest_max_items)
        try:
            with self.store.transaction(lock="rows") as tx:
                if not articles:
                    self.repo.record_digest(tx, subscription, period, 0, EMPTY, None)
                    return EMPTY
                text = render_digest(articles, subscription.language, str(subscription.frequency),
                                     subscription.topic, boundary.date(), more=total - len(articles),
                                     more_url=self._listing(), link=self.public_page)
                template = (self.settings.whatsapp_digest_template or "",
                            self.settings.whatsapp_digest_template_language)
                outcome = str(self.notifier(
                    channel=subscription.channel, sealed_address=subscription.address,
                    sender_hash=subscription.sender_hash, text=text, language=subscription.language,
                    key=f"{subscription.frequency}:{period}:{subscription.sender_hash}", template=template,
                    unsubscribe=True))
                self.repo.record_digest(tx, subscription, period, len(articles), outcome, iso(now))
                return outcome
        except BenarkahError as exc:
            log.warning("digest for subscription %d not queued: %s", subscription.id, exc)
            return "failed"

    def _listing(self) -> str:
        base = self.settings.public_url.strip().rstrip("/")
        return f"{base}/f/" if base else ""

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.settings.digest_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"BENARKAH_DIGEST_TIMEZONE={self.settings.digest_timezone!r} is not a time zone "
                              "name such as Asia/Jakarta") from None

    def counts(self, days: int = 30, now: datetime | None = None) -> SubscriptionCounts:
        return self.repo.counts(iso((now or datetime.now(timezone.utc)) - timedelta(days=days)))
