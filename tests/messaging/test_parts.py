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


# "Apakah ini menjawab pertanyaan Anda?" -------------------------------------------------------------

from benarkah.domain.articles import Article  # noqa: E402


def results(count: int, more: bool, summary_words: int = 8) -> Reply:
    articles = tuple(Article(id=f"a{i}", title=f"[HOAKS] Judul cek fakta nomor {i}", url=f"https://contoh.id/{i}",
                             summary="kata " * summary_words) for i in range(count))
    return Reply(ReplyKind.RESULTS, "id", query="vaksin", articles=articles, more_available=more)


def test_a_short_results_page_carries_its_question_and_three_buttons_on_whatsapp():
    [page] = reply_parts(results(2, more=True), {"message_id": "wamid.Q"}, "whatsapp")
    assert page.widget is Widget.MORE_FEEDBACK and page.prompt == "Apakah ini menjawab pertanyaan Anda?"
    body = build_message("6281", page)
    assert whatsapp_message_problem(body) is None
    interactive = body["interactive"]
    assert interactive["footer"]["text"] == "Apakah ini menjawab pertanyaan Anda?"
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in interactive["action"]["buttons"]] == [
        ("cmd:ya", "Ya"), ("cmd:tidak", "Tidak"), ("cmd:lagi", "Hasil lainnya")]
    assert part_from_json(part_to_json(page)) == page


def test_a_long_results_page_goes_as_text_and_the_buttons_follow_on_whatsapp_only():
    reply = results(3, more=False, summary_words=60)
    text, question = reply_parts(reply, {}, "whatsapp")
    assert text.widget is Widget.NONE and text_units(text.text) > 1024 and not text.prompt
    assert question.text == "Apakah ini menjawab pertanyaan Anda?" and question.widget is Widget.FEEDBACK
    for part in (text, question):
        assert whatsapp_message_problem(build_message("6281", part)) is None
    assert [b["reply"]["title"] for b in build_message("6281", question)["interactive"]["action"]["buttons"]] == [
        "Ya", "Tidak"]
    [telegram] = reply_parts(reply, {}, "telegram")  # any length takes an inline keyboard
    method, request = build_request("42", telegram)
    assert telegram_message_problem(request) is None
    assert [[b["callback_data"] for b in row] for row in request["reply_markup"]["inline_keyboard"]] == [
        ["cmd:ya", "cmd:tidak"]]
    assert request["text"].endswith("Apakah ini menjawab pertanyaan Anda?")


def test_english_buttons_and_a_part_that_cannot_take_buttons_says_how_to_answer():
    [page] = reply_parts(replace(results(1, more=False), language="en"), {}, "whatsapp")
    assert [b["reply"]["title"] for b in build_message("6281", page)["interactive"]["action"]["buttons"]] == [
        "Yes", "No"]
    too_long = replace(page, text="a " * 700)
    body = build_message("6281", too_long)
    assert body["type"] == "text" and body["text"]["body"].endswith("Reply *yes* or *no*.")
    assert whatsapp_message_problem(body) is None
    assert reply_parts(Reply(ReplyKind.NOT_FOUND, "id", query="x"), {}, "whatsapp")[0].widget is Widget.NONE
