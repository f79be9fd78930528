"""``benarkah forget``: erase everything stored about one person, and what was derived from it.

A person is named the way an operator knows them: a phone number in any common spelling (``+62 812-…``,
``0812…``: normalised to the digits WhatsApp delivers), a WhatsApp user id (BSUID), a ``@username``,
or a Telegram chat / web session id. Through the identity links that one identifier finds the person's
key, and every row of every table with a ``sender_hash`` column goes (tips, interactions, conversation
state, inbox and outbox rows, receipts, follow-up claims, the identity links themselves, the media
kept with their tips and its bytes in the database), in one
transaction with what was computed from their tips: each tip cluster they were in is rebuilt from the
tips left (its example text and term profile could otherwise still be theirs), and a cluster left
empty is deleted. After the commit their media files are overwritten and deleted from the media
folder (a file left by a crash in between is removed by the worker's sweep, as no row names it any
more). Then the store scrubs its files (SQLite: the write-ahead log is checkpointed and
truncated, and deleted content was already zeroed by ``secure_delete``; PostgreSQL: VACUUM).

Asking to forget someone nothing is stored about, or on a channel that does not exist, is an error
(``benarkah forget`` exits non-zero), so a typo never looks like a successful erasure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from .errors import BenarkahError
from .identities import IdentityBook
from .privacy import HandleKind, parse_handle
from .storage.base import Connection, Store

CHANNELS = ("whatsapp", "telegram", "web", "api", "cli")


class UnknownChannel(BenarkahError):
    """Not a channel benarkah has (the error names the ones it has)."""


class NothingToForget(BenarkahError):
    """No record of that person on that channel."""


class KeptFiles(Protocol):
    """People's media kept with their tips (``media.kept.KeptMediaStore``): the rows go with
    ``erase_sender`` (they carry ``sender_hash``); files outside the database go after the commit."""

    def blobs_of(self, tx: Connection, sender_hashes: Sequence[str]) -> list[tuple[str, str]]: ...
    def delete_blobs(self, blobs: Sequence[tuple[str, str]], tx: Connection | None = None) -> int: ...


class DerivedFromTips(Protocol):
    """The tips desk, whose clusters are computed from people's tips (``tips.service.TipService``)."""

    def clusters_of(self, tx: Connection, sender_hashes: Sequence[str]) -> set[int]: ...
    def rebuild_clusters(self, tx: Connection, cluster_ids: set[int]) -> tuple[int, int]: ...


@dataclass(frozen=True)
class ErasureReport:
    channel: str
    looked_up_as: HandleKind
    records: int            # rows deleted, over every table
    clusters_rebuilt: int
    clusters_deleted: int
    scrubbed: bool          # the files hold no copy any more (False: run it again once readers are done)
    media_files: int = 0    # pictures and voice notes deleted from the media folder

    def summary(self) -> str:
        scrub = "files scrubbed" if self.scrubbed else "files NOT scrubbed yet (busy readers): run forget again"
        return (f"erased {self.records} records on {self.channel} (looked up as {self.looked_up_as}); "
                f"{self.clusters_rebuilt} tip clusters rebuilt, {self.clusters_deleted} deleted; "
                f"{self.media_files} media files deleted; {scrub}")


class Eraser:
    def __init__(self, store: Store, book: IdentityBook, tips: DerivedFromTips, media: KeptFiles | None = None) -> None:
        self.store = store
        self.book = book
        self.tips = tips
        self.media = media

    def forget(self, channel: str, typed: str) -> ErasureReport:
        if channel not in CHANNELS:
            raise UnknownChannel(f"unknown channel {channel!r}: use one of {', '.join(CHANNELS)}")
        kind, value = parse_handle(channel, typed)
        people = sorted(self.book.people(channel, kind, value))
        tables = self.store.sender_tables()
        with self.store.transaction() as tx:
            clusters = self.tips.clusters_of(tx, people)
            files = [b for b in self.media.blobs_of(tx, people) if b[0] != "database"] if self.media else []
            records = sum(self.store.erase_sender(person) for person in people)
            if records == 0:
                raise NothingToForget(f"nothing is stored about that {kind.value.replace('_', ' ')} on {channel} "
                                      "(nothing was erased); check the number or id and the --channel")
            rebuilt, deleted = self.tips.rebuild_clusters(tx, clusters)
        media_files = self.media.delete_blobs(files) if self.media and files else 0
        scrubbed = self.store.scrub([*tables, "tip_clusters", "tip_notifications"])
        return ErasureReport(channel, kind, records, rebuilt, deleted, scrubbed, media_files)
