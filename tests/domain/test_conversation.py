"""The conversation core against a tiny in-memory library (a real implementation of the port)."""

from datetime import date

import pytest

from benarkah.domain.articles import Article
from benarkah.domain.conversation import (
    Conversation, ConversationState, Intent, Lookup, ReplyKind, classify,
)
from benarkah.domain.render import render_text, summarize
from benarkah.domain.verdicts import Verdict


def make(i: int, title: str, **kw) -> Article:
    return Article(id=f"a{i}", title=title, url=f"https://example.org/{i}", published=date(2024, 1, i), **kw)


ARTICLES = [make(i, f"[HOAKS] Vaksin chip versi {i}", verdict=Verdict.FALSE,
                 summary=f"Vaksin tidak berisi chip. Penjelasan {i}. Kalimat ketiga tidak ikut.") for i in range(1, 8)]


class ListLibrary:
    """Matches when the first word of the message appears in a title."""

    def lookup(self, text: str, limit: int) -> Lookup:
        word = text.split()[0].casefold()
        found = [a for a in ARTICLES if word in a.title.casefold()]
        return Lookup(matched=bool(found), confidence=0.9 if found else 0.1, articles=found[:limit])

    def latest(self, limit: int):
        return sorted(ARTICLES, key=lambda a: a.published, reverse=True)[:limit]

    def topics(self):
        return ["kesehatan"]


@pytest.fixture
def conversation() -> Conversation:
    return Conversation(ListLibrary())


@pytest.mark.parametrize("text, intent", [
    ("halo", Intent.MENU), ("Halo min", Intent.MENU), ("MENU", Intent.MENU), ("/start", Intent.MENU),
    ("selamat pagi", Intent.MENU), ("bantuan", Intent.HELP), ("terbaru", Intent.LATEST),
    ("tips", Intent.TIPS), ("lagi", Intent.MORE), ("english", Intent.ENGLISH),
    ("bahasa indonesia", Intent.INDONESIAN), ("makasih kak", Intent.THANKS), ("", Intent.EMPTY),
    ("😱😱", Intent.EMPTY), ("vaksin chip", Intent.CHECK), ("halo min bener gk vaksin ada chip", Intent.CHECK),
    ("tips menghindari penipuan lowongan kerja bumn", Intent.CHECK),
])
def test_classify(text, intent):
    assert classify(text) is intent


def test_results_show_verdict_title_date_summary_and_link(conversation):
    turn = conversation.respond("vaksin chip")
    assert turn.reply.kind is ReplyKind.RESULTS
    assert len(turn.reply.articles) == 3 and turn.reply.more_available
    text = render_text(turn.reply)
    assert "❌ *SALAH* — Vaksin chip versi 1" in text
    assert "📅 1 Januari 2024" in text
    assert "🔗 https://example.org/1" in text
    assert "Vaksin tidak berisi chip. Penjelasan 1." in text and "ketiga" not in text
    assert "[HOAKS]" not in text  # the label is shown once, as the verdict marker
    assert "Ketik *lagi*" in text


def test_more_pages_through_results_then_says_no_more(conversation):
    turn = conversation.respond("vaksin")
    seen = [a.id for a in turn.reply.articles]
    turn = conversation.respond("lagi", turn.state)
    assert turn.reply.kind is ReplyKind.RESULTS
    seen += [a.id for a in turn.reply.articles]
    turn = conversation.respond("lagi", turn.state)
    seen += [a.id for a in turn.reply.articles]
    assert seen == [f"a{i}" for i in range(1, 8)]
    assert not turn.reply.more_available
    assert conversation.respond("lagi", turn.state).reply.kind is ReplyKind.NO_MORE


def test_not_found_records_a_tip_and_says_so_in_indonesian(conversation):
    turn = conversation.respond("kabar gajah terbang di monas")
    assert turn.reply.kind is ReplyKind.NOT_FOUND and turn.reply.record_tip
    assert "belum menemukan" in render_text(turn.reply)


def test_commands_do_not_record_tips(conversation):
    for text in ("halo", "tips", "terbaru", "bantuan", "lagi", "makasih"):
        assert not conversation.respond(text).reply.record_tip


def test_latest_lists_newest_first(conversation):
    reply = conversation.respond("terbaru").reply
    assert [a.id for a in reply.articles][:2] == ["a7", "a6"]
    assert "Cek fakta terbaru" in render_text(reply)


def test_english_on_request_and_back(conversation):
    turn = conversation.respond("english")
    assert turn.state.language == "en"
    assert "not found" in render_text(conversation.respond("gajah terbang", turn.state).reply)
    results = conversation.respond("vaksin", turn.state).reply
    assert "*FALSE*" in render_text(results)
    back = conversation.respond("indonesia", turn.state)
    assert back.state.language == "id"


def test_state_survives_a_round_trip_and_rejects_garbage():
    state = ConversationState(language="en", last_query="vaksin", offset=3)
    assert ConversationState.from_dict(state.to_dict()) == state
    assert ConversationState.from_dict({"language": "xx", "offset": -5}) == ConversationState()


def test_menu_tips_help_texts(conversation):
    assert "terbaru" in render_text(conversation.respond("halo").reply)
    assert "OTP" in render_text(conversation.respond("tips").reply)
    assert "lagi" in render_text(conversation.respond("bantuan").reply)


def test_summary_falls_back_to_body_and_trims_cleanly():
    article = Article(id="x", title="t", text="Kalimat pertama yang panjang. " * 30)
    summary = summarize(article, limit=120)
    assert len(summary) <= 120 and summary.endswith(("…", "."))
    assert summarize(Article(id="y", title="t")) == ""
