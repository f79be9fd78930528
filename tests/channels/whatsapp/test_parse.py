"""Parsing what Meta sends since business-scoped user ids: senders by number and/or BSUID, change events,
statuses with their recipient and error code (payload shapes from Meta's BSUID documentation, see
docs/messaging.md#identities-phone-numbers-bsuids-usernames)."""

from __future__ import annotations

from benarkah.channels.whatsapp.parse import parse_delivery
from benarkah.messaging import Kind
from benarkah.messaging.model import Delivery, Remedy
from benarkah.privacy import Handles
from tests.support.payloads import wa_contact, wa_delivery, wa_status, wa_system, wa_user_message

PHONE, BSUID, PARENT = "6281200001111", "ID.1502576394655843", "ID.ENT.11815799212886844830"


def test_a_sender_is_read_from_the_message_and_its_matching_contact():
    message = wa_user_message(PHONE, BSUID, "text", {"body": "halo"})
    other = wa_contact(phone="6281299999999", bsuid="ID.99")
    delivery = parse_delivery(wa_delivery(message, contacts=[other, wa_contact(PHONE, BSUID, "Budi", PARENT)]))
    [inbound] = delivery.messages
    assert inbound.handles == Handles(bsuid=BSUID, phone=PHONE, parent_bsuid=PARENT, username="budi")
    assert inbound.address == PHONE  # replies go to the number when it is known


def test_without_a_number_the_bsuid_is_the_address_and_without_either_the_message_is_still_delivered():
    only_bsuid = wa_user_message(None, BSUID, "text", {"body": "halo"})
    nobody = wa_user_message(None, None, "image")
    delivery = parse_delivery(wa_delivery(only_bsuid, nobody, contacts=[]))
    assert [m.address for m in delivery.messages] == [BSUID, ""]
    assert delivery.messages[1].kind is Kind.IMAGE and not delivery.messages[1].sender
    assert delivery.skipped == 0
    assert BSUID not in repr(delivery.messages[0]) and "halo" not in repr(delivery.messages[0])


def test_the_only_contact_names_a_sender_the_message_does_not():
    message = wa_user_message(None, None, "text", {"body": "halo"})
    [inbound] = parse_delivery(wa_delivery(message, contacts=[wa_contact(bsuid=BSUID)])).messages
    assert inbound.handles == Handles(bsuid=BSUID)


def test_change_events_become_identity_changes_not_messages():
    number = wa_system("user_changed_number", PHONE, BSUID, "ID.2", new_phone="6281200002222")
    user_id = wa_system("user_changed_user_id", None, BSUID, "ID.3")
    update = {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "user_id_update", "value": {
        "user_id_update": [{"previous_user_id": "ID.3", "user_id": "ID.4"}]}}]}]}
    delivery = parse_delivery(wa_delivery(number, user_id, contacts=[]))
    assert delivery.messages == [] and [c.reason for c in delivery.changes] == ["user_changed_number",
                                                                              "user_changed_user_id"]
    moved = delivery.changes[0]
    assert moved.old == Handles(bsuid=BSUID, phone=PHONE) and moved.new == Handles(bsuid="ID.2", phone="6281200002222")
    assert delivery.changes[1].new == Handles(bsuid="ID.3")
    [legacy] = parse_delivery(update).changes
    assert (legacy.old, legacy.new) == (Handles(bsuid="ID.3"), Handles(bsuid="ID.4"))
    broken = wa_system("user_changed_user_id", None, None, "ID.5")  # no old identifier: nothing to move
    assert parse_delivery(wa_delivery(broken, contacts=[])).changes == []


def test_statuses_carry_their_recipient_error_code_and_remedy():
    statuses = [wa_status("wamid.1", "read", PHONE, BSUID),
                wa_status("wamid.2", "failed", None, BSUID, error=(131047, "Re-engagement message")),
                wa_status("wamid.3", "failed", PHONE, error=(131000, "Something went wrong")),
                wa_status("wamid.4", "failed", PHONE, error=(131026, "Message undeliverable")),
                {"id": "wamid.5", "status": "played"}]  # a status we do not track
    read, reengage, temporary, undeliverable = parse_delivery(wa_delivery(statuses=statuses)).statuses
    assert read.status is Delivery.READ and read.recipient == Handles(bsuid=BSUID, phone=PHONE)
    assert (reengage.error_code, reengage.remedy) == ("131047", Remedy.TEMPLATE)
    assert temporary.remedy is Remedy.RETRY and undeliverable.remedy is Remedy.GIVE_UP
    assert read.remedy is None


def test_identifiers_that_are_not_what_they_claim_are_left_out():
    message = wa_user_message("+62812", "not a bsuid", "text", {"body": "x"})
    message["from"] = "٦٢٨١٢٣"  # Arabic-Indic digits are not a WhatsApp number
    [inbound] = parse_delivery(wa_delivery(message, contacts=[{"wa_id": ["list"], "user_id": 5}])).messages
    assert not inbound.sender
