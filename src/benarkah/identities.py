"""One person, one pseudonym, however many identifiers a channel knows them by.

WhatsApp identifies a sender by a phone number, a business-scoped user id (BSUID), a parent BSUID
and a username, and since 2026 any of them but the BSUID may be missing from a webhook; a changed
phone number brings a new BSUID, announced by a system message. Every table keys people on one
``sender_hash``. This module keeps that key stable: ``identity_links`` maps the keyed hash of each
identifier ever seen to the person's key, so a person first seen by phone and later only by BSUID, or
after changing their number, keeps one conversation state, one tip history and one follow-up, and no
other table is ever rewritten.

Which key a person gets is decided once, at first sight: the keyed hash of the BSUID when the message
has one (phone number as a fallback, then parent BSUID, then chat id). The exception is a person
benarkah already knew before BSUIDs existed (a contact stored under the hash of their phone number):
they keep that key, so their earlier conversation, tips and 24-hour window stay theirs. Lookups go
BSUID first, then phone number, then parent BSUID. A username is recorded (``forget @name`` finds the
person) but never used to recognise a sender: usernames change and can pass to someone else.

A phone number can be given to someone else by the carrier. When a message brings a phone number we
know together with a BSUID we do not, and the number's person already has another current BSUID, the
number has changed hands: the message starts a new person and the number moves to them. So does a
message from a number its person left (a ``user_changed_number`` event retired it).

Single-id channels (Telegram chats, web sessions, CLI) need no links: their key is the hash of the id.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from .privacy import ROUTABLE, HandleKind, Handles, Identity
from .storage.base import Connection, Store

log = logging.getLogger(__name__)
_LOOKUP_ORDER = (HandleKind.BSUID, HandleKind.PHONE, HandleKind.PARENT_BSUID)

KnownKey = Callable[[Connection, str, str], bool]
"""Whether (channel, sender_hash) already has history (the messaging contacts), for adopting the keys
of people stored before BSUIDs."""


@dataclass(frozen=True)
class Link:
    kind: HandleKind
    person: str
    current: bool


@dataclass(frozen=True)
class IdentityChange:
    """A person's identifiers changed (WhatsApp ``user_changed_number`` / ``user_changed_user_id``):
    ``old`` names them as we knew them, ``new`` as they are now. Raw values, never stored as such."""

    channel: str
    old: Handles
    new: Handles
    reason: str = ""

    def __repr__(self) -> str:
        return f"IdentityChange({self.channel}, {self.reason}, {self.old!r} -> {self.new!r})"


class IdentityBook:
    """The identity links of one database (the only module that reads or writes ``identity_links``)."""

    def __init__(self, store: Store, identity: Identity) -> None:
        self.store = store
        self.identity = identity

    # resolving senders ---------------------------------------------------------------------------

    def resolve(self, tx: Connection, channel: str, handles: Handles, known: KnownKey | None = None,
                now: float | None = None) -> str | None:
        """The person key of a sender, recording any identifier not seen before (inside the caller's
        transaction, so the message and its links commit together). None: nothing identifies them.
        ``known`` tells whether a key already has history, to adopt the keys of people stored before
        BSUIDs."""
        kinds = dict(handles.items())
        if not kinds:
            return None
        if set(kinds) <= {HandleKind.CHAT}:
            return self.identity.hash(channel, kinds[HandleKind.CHAT])
        hashes = {kind: self.identity.hash_handle(channel, kind, value) for kind, value in kinds.items()}
        links = self._links(tx, channel, hashes.values())
        person = self._recognise(tx, channel, hashes, links)
        if person is None:
            person = self._new_key(tx, channel, hashes, known)
        self._record(tx, channel, person, handles, hashes, links, time.time() if now is None else now)
        return person

    def _recognise(self, tx: Connection, channel: str, hashes: dict[HandleKind, str],
                   links: dict[str, Link]) -> str | None:
        bsuid_link = links.get(hashes.get(HandleKind.BSUID, ""))
        if bsuid_link is not None:
            return bsuid_link.person
        phone_link = links.get(hashes.get(HandleKind.PHONE, ""))
        if phone_link is not None:
            if not phone_link.current:
                log.info("a number its person left (they changed numbers) wrote again: a new person starts")
                return None
            if HandleKind.BSUID in hashes and self._current_handle(tx, channel, phone_link.person, HandleKind.BSUID):
                log.info("a known phone number came with a new WhatsApp user id: the number changed hands; "
                         "a new person starts")
                return None
            return phone_link.person
        parent_link = links.get(hashes.get(HandleKind.PARENT_BSUID, ""))
        return parent_link.person if parent_link is not None else None

    def _new_key(self, tx: Connection, channel: str, hashes: dict[HandleKind, str], known: KnownKey | None) -> str:
        legacy = hashes.get(HandleKind.PHONE)
        if legacy and HandleKind.BSUID in hashes and known is not None and known(tx, channel, legacy):
            return legacy  # known by this number before BSUIDs: keep their history
        for kind in (*_LOOKUP_ORDER, HandleKind.USERNAME):
            if kind in hashes:
                return hashes[kind]
        raise AssertionError("resolve() checked that a handle is present")

    def _record(self, tx: Connection, channel: str, person: str, handles: Handles, hashes: dict[HandleKind, str],
                links: dict[str, Link], now: float) -> None:
        """Link every identifier of this message to ``person`` (writing only what is new or moved), and
        retire the person's other phone number / BSUID: a message shows the ones in use now."""
        for kind, digest in hashes.items():
            link = links.get(digest)
            if link is not None and link.person == person and link.current:
                continue
            if link is not None and link.person != person:
                log.info("a WhatsApp %s moved from one person to another", kind.value)
            self._link(tx, channel, digest, kind, person, getattr(handles, kind.value), now)
            if kind in (HandleKind.BSUID, HandleKind.PHONE, HandleKind.USERNAME):
                self._retire_others(tx, channel, person, kind, digest)

    # change events -------------------------------------------------------------------------------

    def apply_change(self, tx: Connection, change: IdentityChange, now: float | None = None) -> str | None:
        """Move a person's identity to their new identifiers; returns their key (None: unknown person,
        nothing to move: their next message starts them afresh under the new identifiers)."""
        now = time.time() if now is None else now
        old = {kind: self.identity.hash_handle(change.channel, kind, value) for kind, value in change.old.items()}
        links = self._links(tx, change.channel, old.values())
        person = next((links[old[k]].person for k in _LOOKUP_ORDER if k in old and old[k] in links), None)
        if person is None:
            return None
        new = {kind: self.identity.hash_handle(change.channel, kind, value) for kind, value in change.new.items()}
        self._record(tx, change.channel, person, change.new, new, self._links(tx, change.channel, new.values()), now)
        if HandleKind.BSUID in new and HandleKind.PHONE not in new:
            # A new BSUID means a new number even when Meta may not tell us which: the old number
            # no longer reaches this person, so follow-ups go to the new BSUID.
            self._retire_others(tx, change.channel, person, HandleKind.PHONE, keep="")
        return person

    def learn(self, tx: Connection, channel: str, person: str, handles: Handles, now: float | None = None) -> None:
        """Identifiers an API reported for a person we wrote to (a status update's recipient): linked
        when not known at all. Never moves or retires a link: a late status of a message sent before a
        number change must not bring the old number back."""
        hashes = {kind: self.identity.hash_handle(channel, kind, value) for kind, value in handles.items()
                  if kind is not HandleKind.CHAT}
        links = self._links(tx, channel, hashes.values())
        for kind, digest in hashes.items():
            if digest not in links:
                self._link(tx, channel, digest, kind, person, getattr(handles, kind.value),
                           time.time() if now is None else now, on_conflict="NOTHING")

    # reading -------------------------------------------------------------------------------------

    def address(self, channel: str, person: str, tx: Connection | None = None) -> str | None:
        """The person's current reply address, sealed: a current phone number, else BSUID, else parent
        BSUID (None: not a linked person; use the address stored with the message or tip)."""
        rows = (tx or self.store.connection()).execute(
            "SELECT kind, address FROM identity_links WHERE channel = ? AND sender_hash = ? AND current = 1 "
            "AND address IS NOT NULL ORDER BY updated_at DESC", (channel, person)).fetchall()
        by_kind: dict[str, str] = {}
        for kind, sealed in rows:
            by_kind.setdefault(kind, sealed)
        return next((by_kind[k.value] for k in ROUTABLE if k.value in by_kind), None)

    def people(self, channel: str, kind: HandleKind, value: str) -> set[str]:
        """Every person key one identifier can stand for: the person it is linked to, and the key it
        would have had unlinked (people stored before links existed)."""
        digest = self.identity.hash_handle(channel, kind, value)
        found = {digest}
        row = self.store.connection().execute(
            "SELECT sender_hash FROM identity_links WHERE channel = ? AND handle_hash = ?", (channel, digest)).fetchone()
        if row:
            found.add(row[0])
        return found

    # SQL -----------------------------------------------------------------------------------------

    def _links(self, tx: Connection, channel: str, digests: Iterable[str]) -> dict[str, Link]:
        wanted = list(dict.fromkeys(digests))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = tx.execute(f"SELECT handle_hash, kind, sender_hash, current FROM identity_links WHERE channel = ? "
                          f"AND handle_hash IN ({marks})", (channel, *wanted)).fetchall()
        return {r[0]: Link(HandleKind(r[1]), r[2], bool(r[3])) for r in rows}

    def _current_handle(self, tx: Connection, channel: str, person: str, kind: HandleKind) -> bool:
        return tx.execute("SELECT 1 FROM identity_links WHERE channel = ? AND sender_hash = ? AND kind = ? "
                          "AND current = 1 LIMIT 1", (channel, person, kind.value)).fetchone() is not None

    def _link(self, tx: Connection, channel: str, digest: str, kind: HandleKind, person: str, value: str,
              now: float, on_conflict: str = "UPDATE") -> None:
        sealed = self.identity.seal(value) if kind in ROUTABLE else None
        action = ("DO NOTHING" if on_conflict == "NOTHING" else
                  "DO UPDATE SET sender_hash = excluded.sender_hash, address = excluded.address, current = 1, "
                  "updated_at = excluded.updated_at")
        tx.execute(
            "INSERT INTO identity_links (channel, handle_hash, kind, sender_hash, address, current, updated_at) "
            f"VALUES (?,?,?,?,?,1,?) ON CONFLICT (channel, handle_hash) {action}",
            (channel, digest, kind.value, person, sealed, now))

    def _retire_others(self, tx: Connection, channel: str, person: str, kind: HandleKind, keep: str) -> None:
        tx.execute("UPDATE identity_links SET current = 0 WHERE channel = ? AND sender_hash = ? AND kind = ? "
                   "AND handle_hash <> ? AND current = 1", (channel, person, kind.value, keep))
