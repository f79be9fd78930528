"""Channel-agnostic messaging: a durable inbox/outbox, the worker that answers, the sender that delivers."""

from .model import Inbound, Kind
from .store import MessageStore

__all__ = ["Inbound", "Kind", "MessageStore"]
