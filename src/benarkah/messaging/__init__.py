"""Channel-agnostic messaging: a durable inbox/outbox, the worker that answers, the sender that delivers."""

from .model import Inbound, Kind
from .notify import enqueue_notification
from .store import MessageStore, message_store

__all__ = ["Inbound", "Kind", "MessageStore", "enqueue_notification", "message_store"]
