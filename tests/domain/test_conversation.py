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
    ("selamat pagi", Intent.GREETING), ("bantuan", Intent.HELP), ("terbaru", Intent.LATEST),
    ("tips", Intent.TIPS), ("lagi", Intent.MORE), ("english", Intent.ENGLISH),
    ("bahasa indonesia", Intent.INDONESIAN), ("makasih kak", Intent.THANKS), ("", Intent.EMPTY),
    ("😱😱", Intent.EMOJI), ("...", Intent.EMPTY), ("vaksin chip", Intent.CHECK), ("halo min bener gk vaksin ada chip", Intent.CHECK),
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


SOCIAL = [
    ("terima kasih min", Intent.THANKS, "Sama-sama"), ("makasih", Intent.THANKS, "Sama-sama"),
    ("makasih infonya kak 🙏", Intent.THANKS, "Sama-sama"), ("🙏", Intent.THANKS, "Sama-sama"),
    ("Assalamualaikum", Intent.GREETING, "Wa'alaikumsalam"),
    ("Assalamualaikum min, mau tanya…", Intent.GREETING, "Wa'alaikumsalam"),
    ("assalamu'alaikum wr wb", Intent.GREETING, "Wa'alaikumsalam"),
    ("selamat pagi", Intent.GREETING, "Selamat pagi!"), ("Selamat siang kak", Intent.GREETING, "Selamat siang!"),
    ("selamat malam min", Intent.GREETING, "Selamat malam!"), ("permisi", Intent.GREETING, "Halo!"),
    ("ok", Intent.ACK, "👍"), ("oke siap min", Intent.ACK, "👍"), ("👍", Intent.ACK, "👍"),
    ("wkwkwk", Intent.LAUGH, "😄"), ("haha", Intent.LAUGH, "😄"), ("😂😂", Intent.LAUGH, "😄"),
    ("😱🔥", Intent.EMOJI, "🙂"), ("❤️", Intent.THANKS, "Sama-sama"),
]


@pytest.mark.parametrize("text, intent, reply_start", SOCIAL)
def test_chat_gets_a_short_fitting_reply_and_never_a_tip(conversation, text, intent, reply_start):
    assert classify(text) is intent
    reply = conversation.respond(text).reply
    assert not reply.record_tip and reply.matched is None
    rendered = render_text(reply)
    assert rendered.startswith(reply_start) and len(rendered) < 200


def test_chat_replies_follow_the_language(conversation):
    english = conversation.respond("english").state
    assert render_text(conversation.respond("terima kasih", english).reply).startswith("You're welcome")
    assert render_text(conversation.respond("selamat pagi", english).reply).startswith("Good morning")
    assert render_text(conversation.respond("wkwk", english).reply).startswith("😄 Anything else")


@pytest.mark.parametrize("text", [
    "Assalamualaikum min, mau tanya vaksin chip itu beneran?",
    "selamat pagi, vaksin chip katanya bisa dilacak",
    "makasih kak, tapi vaksin chip gimana?",
])
def test_a_greeting_followed_by_a_claim_is_still_checked(conversation, text):
    assert classify(text) is Intent.CHECK
    assert conversation.respond(text).reply.kind in (ReplyKind.RESULTS, ReplyKind.NOT_FOUND)


class FixedLibrary:
    """Answers every lookup with the same articles and evidence."""

    def __init__(self, articles, matched=True, strong=False):  # type: ignore[no-untyped-def]
        self.found = Lookup(matched=matched, confidence=0.6, articles=articles, strong=strong)

    def lookup(self, text: str, limit: int) -> Lookup:
        return self.found

    def latest(self, limit: int):
        return []


GARLIC = make(1, "[SEBAGIAN BENAR] Bawang Putih Disebut Turunkan Tekanan Darah", verdict=Verdict.PARTLY_TRUE)
TRUE_ONE = make(2, "[BENAR] Kemenkes Buka Vaksinasi Campak Gratis", verdict=Verdict.TRUE)


def test_a_confirming_verdict_needs_strong_evidence_to_be_the_answer():
    weak = Conversation(FixedLibrary([GARLIC, ARTICLES[0]], strong=False)).respond("makan bawang putih cegah covid")
    assert weak.reply.kind is ReplyKind.RELATED and weak.reply.record_tip and weak.reply.matched is False
    text = render_text(weak.reply)
    assert "belum menemukan" in text and "terkait" in text
    assert not text.startswith("🔎 Hasil cek fakta")
    strong = Conversation(FixedLibrary([TRUE_ONE], strong=True)).respond("vaksinasi campak gratis kemenkes")
    assert strong.reply.kind is ReplyKind.RESULTS and not strong.reply.record_tip
    assert "✅ *BENAR* — Kemenkes Buka Vaksinasi Campak Gratis" in render_text(strong.reply)


def test_a_false_verdict_is_the_answer_on_ordinary_evidence_and_the_rest_is_labelled_related():
    reply = Conversation(FixedLibrary(ARTICLES[:3], strong=False)).respond("vaksin chip").reply
    assert reply.kind is ReplyKind.RESULTS
    text = render_text(reply)
    assert "1. ❌ *SALAH* — Vaksin chip versi 1" in text
    assert "2. _Terkait:_ ❌ *SALAH* — Vaksin chip versi 2" in text


def test_an_unknown_verdict_is_named_as_a_fact_check_never_a_bare_headline():
    claim = Article(id="t1", title="Presiden Jokowi Ternyata Berijazah Palsu", published=date(2024, 8, 9),
                    publisher="turnbackhoax.id")
    text = render_text(Conversation(FixedLibrary([claim])).respond("jokowi ijazah palsu").reply)
    assert "ℹ️ *Cek fakta turnbackhoax.id* tentang klaim: “Presiden Jokowi Ternyata Berijazah Palsu”" in text
    assert "📅 9 Agustus 2024" in text
    assert "— Presiden Jokowi" not in text
    unlabelled = Article(id="t2", title="Banjir Bak Tsunami", url="https://www.cekfakta.example/t2")
    text = render_text(Conversation(FixedLibrary([unlabelled])).respond("banjir tsunami").reply)
    assert "*Cek fakta cekfakta.example* tentang klaim: “Banjir Bak Tsunami”" in text and "🔗 https://" in text
