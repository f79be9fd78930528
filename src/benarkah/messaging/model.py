"""What flows through the inbox and outbox, independent of any channel.

A channel's webhook turns its payload into ``Inbound`` items; the worker turns each into a list of
neutral ``parts`` (text, menu, "more" prompt, template, callback answer); the channel's client turns a
part into its own API call at send time. So the queue never holds a channel's request format, and never
a raw phone number: addresses are sealed, people are hashes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..domain.pictures import MediaProblem, MediaType
from ..errors import ChannelError
from ..privacy import Handles
from .parts import Part


class Kind(enum.StrEnum):
    """What a person sent. Everything that is not text (or a menu choice) gets the polite 'text only' reply."""

    TEXT = "text"
    COMMAND = "command"          # a menu / button choice, carried as the command word in ``text``
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    VOICE = "voice"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACTS = "contacts"
    REACTION = "reaction"        # acknowledged, never answered (a reply to an emoji would be noise)
    UNSUPPORTED = "unsupported"
    THROTTLED = "throttled"      # the one notice a flooding sender gets (set by the store, not channels)


SILENT_KINDS = frozenset({Kind.REACTION})
TEXT_KINDS = frozenset({Kind.TEXT, Kind.COMMAND})


class Lane(enum.StrEnum):
    """Who answers a message: the text worker, or the media worker (downloads and OCR take seconds, so
    they never sit in front of the text replies)."""

    TEXT = "text"
    MEDIA = "media"


@dataclass(frozen=True)
class MediaRef:
    """The file a message carries, as the channel described it: enough to download it later (the
    channel's file id) and to refuse it early (a declared size over the limit, an animated sticker).
    ``mime``, ``size`` and ``sha256`` are the sender's claims: the bytes are sniffed and checked."""

    media: MediaType
    file_id: str = ""
    mime: str = ""
    size: int = 0
    sha256: str = ""
    problem: MediaProblem | None = None  # known from the payload alone; nothing is downloaded

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"media": str(self.media), "file_id": self.file_id}
        for key in ("mime", "size", "sha256"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.problem is not None:
            data["problem"] = str(self.problem)
        return data

    @classmethod
    def from_json(cls, data: Any) -> "MediaRef | None":
        if not isinstance(data, dict) or data.get("media") not in {m.value for m in MediaType}:
            return None
        problem = data.get("problem")
        return cls(MediaType(data["media"]), str(data.get("file_id", ""))[:500], str(data.get("mime", ""))[:100],
                   int(data.get("size") or 0), str(data.get("sha256", ""))[:128],
                   MediaProblem(problem) if problem in {p.value for p in MediaProblem} else None)


class MediaFetchError(ChannelError):
    """A file could not be downloaded. ``retryable``: a later try can succeed (a timeout, a 5xx);
    ``problem`` is what the person is told once the tries are spent (or at once when not retryable)."""

    def __init__(self, message: str, *, retryable: bool, problem: MediaProblem = MediaProblem.DOWNLOAD_FAILED) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.problem = problem


class MediaSource(Protocol):
    """A channel's downloading side: the bytes of one file, at most ``max_bytes`` of them."""

    channel: str

    def fetch(self, ref: MediaRef, max_bytes: int) -> bytes: ...

    def close(self) -> None: ...


class InboxStatus(enum.StrEnum):
    PENDING = "pending"
    WORKING = "working"
    DONE = "done"
    THROTTLED = "throttled"      # beyond the per-sender rate: stored, not answered
    FAILED = "failed"            # the worker failed on it repeatedly; kept for a person to look at
    UNADDRESSABLE = "unaddressable"  # neither a phone number nor a user id: stored, cannot be answered


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"                # gave up after the retry bound, or the API refused it for good
    NEEDS_TEMPLATE = "needs_template"  # WhatsApp: outside the 24-hour window and no template configured
    CANCELLED = "cancelled"      # withdrawn before it was sent (a digest to someone who unsubscribed)
    UNDELIVERED = "undelivered"  # the API accepted it, then reported it failed for good (see the code)


class Delivery(enum.StrEnum):
    """What the API reported about a message it accepted. Statuses can arrive out of order; a later
    report only ever moves a message forward (``rank``), and ``failed`` is final."""

    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"

    @property
    def rank(self) -> int:
        return _DELIVERY_RANK[self]


_DELIVERY_RANK = {Delivery.SENT: 1, Delivery.DELIVERED: 2, Delivery.READ: 3, Delivery.FAILED: 4}


class Remedy(enum.StrEnum):
    """What to do about a message the API refused or could not deliver (the channel maps its codes)."""

    RETRY = "retry"          # a temporary condition: send it again later
    TEMPLATE = "template"    # outside the customer-service window: only an approved template may go
    GIVE_UP = "give_up"      # it will not arrive this way (blocked, not on WhatsApp, …): visible, not retried


@dataclass(frozen=True)
class DeliveryReport:
    """One status update from a channel (WhatsApp ``statuses[]``), matched to an outbox row by the
    API's message id, whichever way the message was addressed. ``recipient`` is what the status says
    about who received it (phone number, BSUID), used to learn a person's other identifiers."""

    channel: str
    external_id: str
    status: Delivery
    error_code: str = ""
    error: str = ""
    remedy: Remedy | None = None
    recipient: Handles = field(default_factory=Handles)


@dataclass(frozen=True)
class Inbound:
    """One message as a channel's webhook parsed it. ``address`` (where the reply goes) and
    ``handles`` (everything that identifies the sender) are raw here; the store keeps only keyed
    hashes and sealed addresses. Without ``handles`` the address is the one identifier."""

    channel: str
    external_id: str
    address: str
    kind: Kind
    text: str = ""
    context: dict[str, Any] = field(default_factory=dict)  # e.g. the message id to quote, a callback id
    handles: Handles | None = None
    media: MediaRef | None = None  # the file it carries (``text`` is then its caption)

    @property
    def lane(self) -> Lane:
        return Lane.MEDIA if self.media is not None else Lane.TEXT

    @property
    def sender(self) -> Handles:
        return self.handles if self.handles is not None else Handles.of(self.channel, self.address)

    def __repr__(self) -> str:  # no address, no text: an Inbound in a log line or traceback leaks nothing
        return f"Inbound({self.channel}, {self.external_id[:40]}, {self.kind}, {self.sender!r})"


@dataclass(frozen=True)
class InboxItem:
    id: int
    channel: str
    external_id: str
    sender_hash: str
    address: str  # sealed
    kind: Kind
    text: str
    context: dict[str, Any]
    claim_token: str
    attempts: int = 1  # claims of this row so far, this one included
    lane: Lane = Lane.TEXT

    @property
    def media(self) -> MediaRef | None:
        return MediaRef.from_json(self.context.get("media"))


class Purpose(enum.StrEnum):
    """Why an outbox row exists."""

    REPLY = "reply"                  # the one answer to an inbound message
    NOTIFICATION = "notification"    # a follow-up nobody just asked for (a tip's fact-check is out)
    DIGEST = "digest"                # a subscriber's digest of new fact-checks
    STAFF = "staff"                  # a fact-checker writing to the person who sent a tip


@dataclass(frozen=True)
class OutboxItem:
    id: int
    channel: str
    sender_hash: str
    address: str  # sealed
    purpose: Purpose
    parts: list[Part]
    parts_sent: int
    attempts: int
    claim_token: str
    lease_until: float = 0.0          # when this claim runs out unless renewed (epoch seconds)
    external_ids: tuple[str, ...] = ()  # the API's ids of the parts sent before this claim
    last_inbound_at: float | None = None  # when the person last wrote, as of the claim (None: never)


class SendError(ChannelError):
    """An API call failed. ``retryable`` says whether trying again later can succeed; ``code`` is the
    API's own error code when it gave one (a Graph error code, a Telegram ``error_code``)."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None, code: str = "",
                 remedy: Remedy | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.code = code
        self.remedy = remedy


class ChannelClient(Protocol):
    """A channel's sending side: one neutral part to one (unsealed) address; returns the API's message id.
    A WhatsApp address is a phone number or a BSUID; the client addresses each as the API expects."""

    channel: str

    def send(self, address: str, part: Part) -> str: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class WorkerBeat:
    """The last heartbeat of one worker (inbox) or sender (outbox) process, anywhere in the deployment."""

    role: str
    host: str
    pid: int
    beat_at: float       # the process was alive
    progress_at: float   # its loop last went round (a stuck worker stops moving this)
