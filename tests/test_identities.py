"""The identity book's rules on real SQLite and PostgreSQL: which key a person gets, how links move, and
what a status may teach (``identities``)."""

from __future__ import annotations

import pytest

from benarkah.identities import IdentityChange
from benarkah.messaging import Inbound, Kind
from benarkah.privacy import Handles

PHONE, BSUID = "6281200001111", "ID.1502576394655843"


@pytest.fixture
def services(any_services):
    return any_services


def accept(services, n: int, **handles: str) -> str:
    sender = Handles(**handles)
    services.queue.accept([Inbound("whatsapp", f"wamid.I{n}", sender.reply_address, Kind.TEXT, "tips", {}, sender)])
    row = services.store.connection().execute(
        "SELECT sender_hash FROM messaging_inbox WHERE external_id = ?", (f"wamid.I{n}",)).fetchone()
    return row[0]


def test_a_new_person_is_keyed_by_the_bsuid_and_found_by_either_identifier(services):
    key = accept(services, 1, phone=PHONE, bsuid=BSUID)
    assert key == services.identity.hash("whatsapp", BSUID)
    assert accept(services, 2, bsuid=BSUID) == key == accept(services, 3, phone=PHONE)


def test_a_person_stored_before_bsuids_keeps_the_key_of_their_number(services):
    legacy = services.identity.hash("whatsapp", PHONE)
    services.store.connection().execute(  # what an older benarkah left: a contact under the number's hash
        "INSERT INTO messaging_contacts (channel, sender_hash, last_inbound_at) VALUES ('whatsapp', ?, 1)", (legacy,))
    services.store.put_session("whatsapp", legacy, {"language": "en"})
    assert accept(services, 1, phone=PHONE, bsuid=BSUID) == legacy
    assert accept(services, 2, bsuid=BSUID) == legacy
    assert services.tipline.language("whatsapp", legacy) == "en"


def test_a_status_links_what_it_did_not_know_and_never_moves_a_link(services):
    key = accept(services, 1, phone=PHONE)
    other = accept(services, 2, bsuid="ID.2")
    with services.store.transaction() as tx:
        services.book.learn(tx, "whatsapp", key, Handles(phone=PHONE, bsuid=BSUID))
        services.book.learn(tx, "whatsapp", key, Handles(bsuid="ID.2"))  # someone else's: left alone
    assert accept(services, 3, bsuid=BSUID) == key
    assert accept(services, 4, bsuid="ID.2") == other


def test_a_number_its_person_left_is_someone_new(services):
    key = accept(services, 1, phone=PHONE, bsuid=BSUID)
    change = IdentityChange("whatsapp", old=Handles(phone=PHONE, bsuid=BSUID),
                            new=Handles(phone="6281200002222", bsuid="ID.2"), reason="user_changed_number")
    assert services.queue.apply_identity_change(change) == key
    assert accept(services, 2, phone="6281200002222") == key
    newcomer = accept(services, 3, phone=PHONE)  # an old-style payload from the number they left
    assert newcomer != key and accept(services, 4, phone=PHONE) == newcomer
    assert accept(services, 5, bsuid="ID.2") == key


def test_a_change_for_someone_never_seen_moves_nothing(services):
    change = IdentityChange("whatsapp", old=Handles(bsuid="ID.7"), new=Handles(bsuid="ID.8"), reason="user_changed_user_id")
    assert services.queue.apply_identity_change(change) is None
    assert services.store.connection().execute("SELECT COUNT(*) FROM identity_links").fetchone()[0] == 0


def test_single_id_channels_need_no_links(services):
    services.queue.accept([Inbound("telegram", "1", "5001", Kind.TEXT, "tips")])
    assert services.store.connection().execute("SELECT COUNT(*) FROM identity_links").fetchone()[0] == 0
