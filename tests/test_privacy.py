"""How people's identifiers are named, normalised and kept out of logs (``privacy``)."""

from __future__ import annotations

import pytest

from benarkah.privacy import HandleError, HandleKind, Handles, Identity, parse_handle

KEY = b"k" * 32


@pytest.mark.parametrize("typed", ["+62 812-3456-7890", "0812 3456 7890", "62812.3456.7890", "0062 812 3456 7890",
                                   "(0812) 3456-7890", "6281234567890"])
def test_phone_numbers_are_normalised_to_what_whatsapp_delivers(typed):
    assert parse_handle("whatsapp", typed) == (HandleKind.PHONE, "6281234567890")


def test_bsuids_parent_bsuids_usernames_and_other_channels():
    assert parse_handle("whatsapp", "ID.1502576394655843") == (HandleKind.BSUID, "ID.1502576394655843")
    assert parse_handle("whatsapp", "US.ENT.11815799212886844830")[0] is HandleKind.PARENT_BSUID
    assert parse_handle("whatsapp", " @Budi.CekFakta ") == (HandleKind.USERNAME, "budi.cekfakta")
    assert parse_handle("telegram", "-100123") == (HandleKind.CHAT, "-100123")


@pytest.mark.parametrize("typed", ["", "   ", "not a number", "12", "+62 812 ☎", "@", "x" * 200])
def test_what_is_not_an_identifier_is_refused_with_a_reason(typed):
    with pytest.raises(HandleError):
        parse_handle("whatsapp", typed)


def test_hashes_keep_the_old_pseudonyms_and_usernames_never_collide():
    identity = Identity(KEY)
    assert identity.hash_handle("whatsapp", HandleKind.PHONE, "628") == identity.hash("whatsapp", "628")
    assert identity.hash_handle("whatsapp", HandleKind.USERNAME, "id.1") != \
        identity.hash_handle("whatsapp", HandleKind.BSUID, "id.1")


def test_handles_print_without_their_values_and_reply_to_the_number_first():
    handles = Handles(bsuid="ID.1502", phone="6281", username="budi")
    assert repr(handles) == "Handles(bsuid, phone, username)" and handles.reply_address == "6281"
    assert Handles(bsuid="ID.1502").reply_address == "ID.1502"
    assert Handles.of("whatsapp", "6281") == Handles(phone="6281")
    assert Handles.of("whatsapp", "ID.15") == Handles(bsuid="ID.15")
    assert Handles.of("telegram", "6281") == Handles(chat="6281")
