"""Replies as parts within the 4,096-character limit, and their WhatsApp / Telegram request bodies."""

from benarkah.channels.telegram.client import build_request, to_html
from benarkah.channels.whatsapp.client import build_message
from benarkah.domain.conversation import Reply, ReplyKind
from dataclasses import replace

from benarkah.messaging.parts import (CallbackAnswer, TemplatePart, TextPart, Widget, part_from_json, part_to_json,
                                      reply_parts, split_text, text_units)
from tests.support.fake_apis import telegram_message_problem, whatsapp_message_problem


def test_split_keeps_paragraphs_and_respects_the_limit():
    paragraphs = [f"Paragraf {n}: " + "kata " * 150 for n in range(20)]
    text = "\n\n".join(paragraphs)
    chunks = split_text(text)
    assert len(chunks) > 1 and all(0 < text_units(c) <= 4096 for c in chunks)
    assert " ".join("\n\n".join(chunks).split()) == " ".join(text.split())  # nothing lost
    assert all(c.startswith("Paragraf") for c in chunks)


def test_split_cuts_unbroken_text_and_counts_emoji_as_two():
    assert [len(c) for c in split_text("x" * 9000)] == [4096, 4096, 808]
    emoji = split_text("😀" * 3000)
    assert [text_units(c) for c in emoji] == [4096, 1904]
    assert split_text("   ") == []


def test_a_long_menu_falls_back_to_text_and_every_body_is_valid():
    reply = Reply(ReplyKind.MENU, "id")
    [menu] = reply_parts(reply, {"message_id": "wamid.X"})
    assert isinstance(menu, TextPart) and menu.widget is Widget.MENU and menu.reply_to == "wamid.X"
    assert whatsapp_message_problem(build_message("6281", menu)) is None
    long_menu = replace(menu, text="a " * 700)
    body = build_message("6281", long_menu)
    assert body["type"] == "text" and whatsapp_message_problem(body) is None
    method, request = build_request("42", long_menu)
    assert method == "sendMessage" and telegram_message_problem(request) is None


def test_telegram_html_is_escaped_and_balanced():
    text = "*HOAKS* — <script> & _miring_ di https://x.org/a_b_c dan *belum ditutup"
    html = to_html(text)
    assert html.startswith("<b>HOAKS</b> — &lt;script&gt; &amp; <i>miring</i>")
    assert "a_b_c" in html and "*belum ditutup" in html
    assert telegram_message_problem({"chat_id": 1, "text": html, "parse_mode": "HTML"}) is None


def test_parts_keep_their_stored_json_form():
    """Outbox rows queued before the parts were typed must still decode (and round-trip unchanged)."""
    stored = [{"kind": "text", "text": "a", "language": "id", "reply_to": "wamid.1"},
              {"kind": "menu", "text": "m", "language": "en"}, {"kind": "more", "text": "x", "language": "id"},
              {"kind": "template", "name": "t", "language": "id", "text": "p"},
              {"kind": "callback_answer", "id": "c1", "optional": True}]
    parts = [part_from_json(d) for d in stored]
    assert parts == [TextPart("a", "id", Widget.NONE, "wamid.1"), TextPart("m", "en", Widget.MENU),
                     TextPart("x", "id", Widget.MORE), TemplatePart("t", "id", "p"), CallbackAnswer("c1")]
    assert [part_to_json(p) for p in parts] == stored
