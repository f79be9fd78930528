"""Reply texts, Indonesian first (English on request), in WhatsApp-style formatting.

WhatsApp, Telegram (via conversion) and the web chat all read ``*bold*`` and ``_italic_``, so this
is the shared text form; a channel with richer widgets (interactive lists, inline keyboards) adds them
around it. Every string a person reads lives here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Callable, Sequence
from urllib.parse import urlsplit

from .articles import Article
from .conversation import Reply, ReplyKind
from .dates import format_date
from .pictures import MediaProblem, MediaType
from .verdicts import LABELS_EN, LABELS_ID, MARKERS, Verdict

SUMMARY_CHARS = 260
READ_TEXT_CHARS = 300  # of the text read from a picture, told back to the person
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“])")

TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "menu": (
            "Halo! 👋 Ini layanan *cek fakta*. Kirimkan kata kunci (mis. _vaksin chip_) atau teruskan "
            "pesan berantai yang ingin dicek, kami carikan hasil cek faktanya.\n\n"
            "Ketik:\n• *terbaru* — cek fakta terbaru\n• *tips* — tips menghadapi hoaks\n"
            "• *langganan* — ringkasan cek fakta baru setiap hari (*langganan mingguan*: sepekan sekali)\n"
            "• *bantuan* — cara memakai layanan ini\n• *english* — replies in English"
        ),
        "help": (
            "*Cara memakai layanan ini*\n"
            "1. Ketik kata kunci singkat, mis. _bansos lewat link_ atau _lowongan KAI_.\n"
            "2. Atau teruskan (forward) pesan berantai yang Anda terima, apa adanya.\n"
            "3. Kami kirim hasil cek fakta yang paling cocok: status, ringkasan, tanggal dan tautannya.\n"
            "Ketik *lagi* untuk hasil lainnya, *terbaru* untuk cek fakta terbaru, *tips* untuk tips anti-hoaks.\n"
            "Belum ada hasilnya? Pesan Anda kami teruskan ke tim pemeriksa fakta."
        ),
        "results_head": "🔎 Hasil cek fakta untuk pesan Anda:",
        "more_head": "🔎 Hasil lainnya:",
        "more_hint": "Ketik *lagi* untuk hasil lainnya.",
        "footer": "Ketik *menu* untuk pilihan lain.",
        "not_found": (
            "Maaf, kami *belum menemukan* cek fakta tentang hal itu. 🙏\n"
            "Pesan Anda sudah kami teruskan ke tim pemeriksa fakta. Sementara itu, jangan sebarkan dulu "
            "informasi yang belum jelas kebenarannya.\n\n"
            "Coba juga kata kunci lain yang lebih singkat, atau ketik *terbaru* untuk cek fakta terbaru."
        ),
        "latest_head": "🆕 *Cek fakta terbaru:*",
        "latest_empty": "Belum ada cek fakta yang diterbitkan.",
        "no_more": "Tidak ada hasil lain. Kirim kata kunci baru untuk mencari lagi.",
        "language": "Baik, balasan selanjutnya dalam Bahasa Indonesia. 🇮🇩",
        "thanks": "Sama-sama! 🙏 Kirim kata kunci atau pesan lain kapan saja untuk dicek.",
        "greeting_salam": "Wa'alaikumsalam! 🙏",
        "greeting_pagi": "Selamat pagi! 🙏",
        "greeting_siang": "Selamat siang! 🙏",
        "greeting_sore": "Selamat sore! 🙏",
        "greeting_malam": "Selamat malam! 🙏",
        "greeting_": "Halo! 🙏",
        "greeting_tail": ("Silakan kirim kata kunci (mis. _vaksin chip_) atau teruskan pesan yang ingin dicek. "
                          "Ketik *menu* untuk pilihan lain."),
        "ack": "👍 Siap. Kalau ada kabar lain yang meragukan, kirim saja ke sini untuk dicek.",
        "laugh": "😄 Ada kabar lain yang ingin dicek? Kirim kata kunci atau teruskan pesannya.",
        "emoji": "🙂 Kirim kata kunci atau teruskan pesan yang ingin dicek, atau ketik *menu*.",
        "related_head": (
            "Kami *belum menemukan* cek fakta yang membahas persis pesan Anda. 🙏 Pesan Anda sudah kami teruskan "
            "ke tim pemeriksa fakta. Sementara itu, ini cek fakta yang *terkait*:"
        ),
        "related_label": "Terkait",
        "unknown_verdict": "Cek fakta {publisher}",
        "about_claim": "tentang klaim",
        "fact_checkers": "tim cek fakta",
        "empty": "Pesan Anda kosong. Ketik kata kunci atau teruskan pesan yang ingin dicek, atau ketik *menu*.",
        "unsupported": (
            "Maaf, pesan jenis ini *belum bisa kami periksa*. 🙏\n"
            "Kirim teks, gambar, tangkapan layar atau video yang ingin dicek, atau ketikkan isi klaimnya dengan "
            "kata-kata singkat (mis. _video banjir bandang Sukabumi_)."
        ),
        "noun_image": "gambar", "noun_video": "video", "noun_sticker": "stiker", "noun_document": "file",
        "noun_audio": "pesan suara",
        "read_text": "📷 *Teks yang kami baca:* “{text}”",
        "same_picture": "🖼️ {Noun} yang sama dimuat dalam cek fakta di bawah ini.",
        "caption_checked": "Kami periksa keterangan yang Anda tulis.",
        "picture_not_found": (
            "Maaf, kami *belum menemukan* cek fakta tentang isi {noun} itu. 🙏\n"
            "{Noun} Anda sudah kami teruskan ke tim pemeriksa fakta. Sementara itu, jangan sebarkan dulu "
            "informasi yang belum jelas kebenarannya.\n\n"
            "*Tip:* ketik juga isi klaimnya dengan kata-kata singkat, atau ketik *terbaru* untuk cek fakta terbaru."
        ),
        "no_text": (
            "Kami *tidak menemukan tulisan* di {noun} ini, dan belum ada cek fakta yang memuat {noun} yang sama. 🙏\n"
            "{Noun} Anda sudah kami teruskan ke tim pemeriksa fakta.\n\n"
            "*Tip:* ketikkan isi klaimnya dengan kata-kata singkat (mis. _video banjir bandang Sukabumi_), "
            "lalu kirim ke sini."
        ),
        "ocr_unavailable": (
            "Maaf, tulisan di {noun} *belum bisa kami baca* di layanan ini, dan belum ada cek fakta yang memuat "
            "{noun} yang sama. 🙏\n{Noun} Anda sudah kami teruskan ke tim pemeriksa fakta.\n\n"
            "*Tip:* ketikkan isi klaimnya dengan kata-kata singkat, lalu kirim ke sini."
        ),
        "voice": (
            "Maaf, kami *belum bisa mendengarkan* pesan suara. 🙏\n"
            "Pesan suara Anda sudah kami simpan untuk tim pemeriksa fakta.\n\n"
            "*Tip:* ketikkan isi klaimnya dengan kata-kata singkat, lalu kirim ke sini."
        ),
        "problem_empty": "Maaf, {noun} Anda *kosong* (0 byte).",
        "problem_corrupt": "Maaf, {noun} Anda *tidak bisa kami buka*: sepertinya rusak atau terpotong.",
        "problem_unsupported": "Maaf, jenis file ini *belum bisa kami periksa*.",
        "problem_too_large": "Maaf, {noun} Anda *terlalu besar* untuk kami periksa.",
        "problem_too_many_pixels": "Maaf, {noun} Anda *terlalu besar* untuk kami periksa.",
        "problem_too_long": "Maaf, video Anda *terlalu panjang* untuk kami periksa.",
        "problem_animated_sticker": "Stiker bergerak tidak berisi tulisan yang bisa kami baca. 🙂",
        "problem_download_failed": "Maaf, {noun} Anda *gagal kami unduh*.",
        "problem_read_failed": "Maaf, {noun} Anda *tidak berhasil kami baca*.",
        "problem_tip": ("Coba kirim ulang, kirim tangkapan layarnya (screenshot), atau ketikkan isi klaimnya dengan "
                        "kata-kata singkat."),
        "tips": (
            "🛡️ *Tips menghadapi hoaks*\n"
            "1. *Cek judulnya.* Judul yang heboh dan memancing emosi patut dicurigai.\n"
            "2. *Cek sumbernya.* Cari di situs resmi lembaga atau media tepercaya.\n"
            "3. *Cek tanggalnya.* Foto dan video lama sering diedarkan ulang seolah baru.\n"
            "4. *Jangan klik tautan atau unduh file APK* dari pesan yang tidak jelas asalnya.\n"
            "5. *Jangan pernah berikan kode OTP*, PIN atau kata sandi kepada siapa pun.\n"
            "6. *Bantuan pemerintah dan lowongan resmi tidak dipungut biaya* dan tidak lewat WhatsApp pribadi.\n"
            "7. *Ragu? Jangan sebarkan.* Kirim ke sini dulu untuk dicek."
        ),
        "date": "Tanggal",
        "subscribed": (
            "✅ Anda berlangganan ringkasan cek fakta {frequency}{topic}. Kami kirim cek fakta yang baru terbit "
            "{when}.\nKetik *berhenti* kapan saja untuk berhenti berlangganan."
        ),
        "unsubscribed": "Langganan Anda sudah dihentikan; tidak ada ringkasan lagi. Ketik *langganan* untuk "
                        "berlangganan kembali.",
        "subscribe_unavailable": "Langganan ringkasan cek fakta hanya tersedia lewat WhatsApp dan Telegram.",
        "daily": "harian", "weekly": "mingguan", "daily_when": "setiap hari", "weekly_when": "sepekan sekali",
        "topic": " topik *{topic}*",
        "digest_head": "🗞️ *Ringkasan cek fakta {frequency}*{topic} — {date}",
        "digest_more": "…dan {count} cek fakta lain: {url}",
        "digest_foot": "Ketik *berhenti* untuk berhenti berlangganan.",
    },
    "en": {
        "menu": (
            "Hello! 👋 This is a *fact-check* service. Send a few keywords (e.g. _vaccine chip_) or forward "
            "a chain message you want checked, and we will find the fact-checks about it.\n\n"
            "Type:\n• *latest* — latest fact-checks\n• *tips* — tips against hoaxes\n"
            "• *subscribe* — a daily digest of new fact-checks (*subscribe weekly*: once a week)\n"
            "• *help* — how to use this service\n• *indonesia* — balasan dalam Bahasa Indonesia"
        ),
        "help": (
            "*How to use this service*\n"
            "1. Type short keywords, e.g. _bansos link_.\n"
            "2. Or forward the chain message you received, as it is.\n"
            "3. We send the best-matching fact-checks: verdict, summary, date and link.\n"
            "Type *more* for more results, *latest* for the latest fact-checks, *tips* for tips.\n"
            "Nothing found? Your message goes to our fact-checkers."
        ),
        "results_head": "🔎 Fact-checks for your message:",
        "more_head": "🔎 More results:",
        "more_hint": "Type *more* for more results.",
        "footer": "Type *menu* for other options.",
        "not_found": (
            "Sorry, we have *not found* a fact-check about this yet. 🙏\n"
            "We have passed your message to our fact-checkers. Until then, please do not share "
            "information you cannot verify.\n\n"
            "Try shorter keywords, or type *latest* for the latest fact-checks."
        ),
        "latest_head": "🆕 *Latest fact-checks:*",
        "latest_empty": "No fact-checks have been published yet.",
        "no_more": "No more results. Send new keywords to search again.",
        "language": "OK, I will reply in English from now on. 🇬🇧",
        "thanks": "You're welcome! 🙏 Send keywords or a message any time to check it.",
        "greeting_salam": "Wa'alaikumsalam! 🙏",
        "greeting_pagi": "Good morning! 🙏",
        "greeting_siang": "Good afternoon! 🙏",
        "greeting_sore": "Good afternoon! 🙏",
        "greeting_malam": "Good evening! 🙏",
        "greeting_": "Hello! 🙏",
        "greeting_tail": ("Send a few keywords (e.g. _vaccine chip_) or forward the message you want checked. "
                          "Type *menu* for other options."),
        "ack": "👍 OK. If you see another doubtful story, send it here to check.",
        "laugh": "😄 Anything else you want checked? Send keywords or forward the message.",
        "emoji": "🙂 Send keywords or forward a message you want checked, or type *menu*.",
        "related_head": (
            "We have *not found* a fact-check about exactly this yet. 🙏 We have passed your message to our "
            "fact-checkers. Meanwhile, these fact-checks are *related*:"
        ),
        "related_label": "Related",
        "unknown_verdict": "{publisher} fact-check",
        "about_claim": "of the claim",
        "fact_checkers": "our fact-checkers",
        "empty": "Your message is empty. Type keywords or forward a message to check, or type *menu*.",
        "unsupported": (
            "Sorry, we *cannot check* this kind of message yet. 🙏\n"
            "Send the text, picture, screenshot or video you want checked, or type its claim in a few words."
        ),
        "noun_image": "picture", "noun_video": "video", "noun_sticker": "sticker", "noun_document": "file",
        "noun_audio": "voice note",
        "read_text": "📷 *Text we read:* “{text}”",
        "same_picture": "🖼️ The fact-check below shows the same {noun}.",
        "caption_checked": "We checked the caption you wrote.",
        "picture_not_found": (
            "Sorry, we have *not found* a fact-check about what this {noun} says yet. 🙏\n"
            "We have passed your {noun} to our fact-checkers. Until then, please do not share "
            "information you cannot verify.\n\n"
            "*Tip:* also type its claim in a few words, or type *latest* for the latest fact-checks."
        ),
        "no_text": (
            "We *found no writing* in this {noun}, and no fact-check shows the same {noun} yet. 🙏\n"
            "We have passed your {noun} to our fact-checkers.\n\n"
            "*Tip:* type its claim in a few words and send it here."
        ),
        "ocr_unavailable": (
            "Sorry, this service *cannot read* the writing in pictures yet, and no fact-check shows the same "
            "{noun}. 🙏\nWe have passed your {noun} to our fact-checkers.\n\n"
            "*Tip:* type its claim in a few words and send it here."
        ),
        "voice": (
            "Sorry, we *cannot listen to* voice notes yet. 🙏\n"
            "We have kept your voice note for our fact-checkers.\n\n"
            "*Tip:* type its claim in a few words and send it here."
        ),
        "problem_empty": "Sorry, your {noun} is *empty* (0 bytes).",
        "problem_corrupt": "Sorry, we *could not open* your {noun}: it seems damaged or cut off.",
        "problem_unsupported": "Sorry, we *cannot check* this kind of file yet.",
        "problem_too_large": "Sorry, your {noun} is *too large* for us to check.",
        "problem_too_many_pixels": "Sorry, your {noun} is *too large* for us to check.",
        "problem_too_long": "Sorry, your video is *too long* for us to check.",
        "problem_animated_sticker": "Animated stickers have no writing we can read. 🙂",
        "problem_download_failed": "Sorry, we *could not download* your {noun}.",
        "problem_read_failed": "Sorry, we *could not read* your {noun}.",
        "problem_tip": "Try sending it again, send a screenshot of it, or type its claim in a few words.",
        "tips": (
            "🛡️ *Tips against hoaxes*\n"
            "1. *Read past the headline.* Sensational, emotional headlines are a warning sign.\n"
            "2. *Check the source* on official or trusted media websites.\n"
            "3. *Check the date.* Old photos and videos are often re-shared as new.\n"
            "4. *Do not click links or install APK files* from unknown senders.\n"
            "5. *Never share OTP codes*, PINs or passwords.\n"
            "6. *Real aid and job programmes never charge fees* or run through private WhatsApp numbers.\n"
            "7. *In doubt? Don't share.* Send it here first."
        ),
        "date": "Date",
        "subscribed": (
            "✅ You are subscribed to the {frequency} fact-check digest{topic}. We send newly published "
            "fact-checks {when}.\nType *stop* at any time to unsubscribe."
        ),
        "unsubscribed": "Your subscription is stopped; no more digests. Type *subscribe* to subscribe again.",
        "subscribe_unavailable": "The fact-check digest is available on WhatsApp and Telegram only.",
        "daily": "daily", "weekly": "weekly", "daily_when": "every day", "weekly_when": "once a week",
        "topic": " on *{topic}*",
        "digest_head": "🗞️ *{frequency} fact-check digest*{topic} — {date}",
        "digest_more": "…and {count} more: {url}",
        "digest_foot": "Type *stop* to unsubscribe.",
    },
}


def texts(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["id"])


def summarize(article: Article, limit: int = SUMMARY_CHARS) -> str:
    """One or two sentences: the published summary, else the lead of the body."""
    source = (article.summary or article.text or "").strip()
    if not source:
        return ""
    source = " ".join(source.split())
    sentences = _SENTENCE_END.split(source)
    summary = sentences[0]
    if len(sentences) > 1 and len(summary) + len(sentences[1]) + 1 <= limit:
        summary += " " + sentences[1]
    if len(summary) > limit:
        cut = summary[: limit - 1].rsplit(" ", 1)[0]
        summary = cut.rstrip(",;:") + "…"
    return summary


def verdict_label(verdict: Verdict, language: str) -> str:
    return (LABELS_EN if language == "en" else LABELS_ID)[verdict]


def publisher_name(article: Article, language: str = "id") -> str:
    """Who published a fact-check: its publisher, else its site's host, else "the fact-checkers"."""
    if article.publisher:
        return article.publisher
    host = urlsplit(article.url).hostname if article.url else None
    return host.removeprefix("www.") if host else texts(language)["fact_checkers"]


def headline(article: Article, language: str = "id") -> str:
    """The first line of a fact-check in a reply.

    With a verdict: "❌ *SALAH* — title". Without one, the title is the claim that was checked, and a bare
    "Presiden Jokowi Ternyata Berijazah Palsu" would read as the service confirming it; so it is quoted
    and named as a fact-check by its publisher: "ℹ️ *Cek fakta turnbackhoax.id* tentang klaim: “…”", or
    with the label as published when benarkah cannot map it ("KOMEDI")."""
    marker = MARKERS[article.verdict]
    if article.verdict is not Verdict.OTHER:
        return f"{marker} *{verdict_label(article.verdict, language)}* — {article.display_title}"
    t = texts(language)
    who = t["unknown_verdict"].format(publisher=publisher_name(article, language))
    label = f" (*{article.verdict_label.upper()}*)" if article.verdict_label else ""
    return f"{marker} *{who}*{label} {t['about_claim']}: “{article.display_title}”"


def render_article(article: Article, language: str = "id", number: int | None = None, label: str = "") -> str:
    prefix = f"{number}. " if number is not None else ""
    tag = f"_{label}:_ " if label else ""
    lines = [f"{prefix}{tag}{headline(article, language)}"]
    if article.published:
        lines.append(f"📅 {format_date(article.published, language)}")
    summary = summarize(article)
    if summary:
        lines.append(summary)
    if article.url:
        lines.append(f"🔗 {article.url}")
    return "\n".join(lines)


def render_text(reply: Reply) -> str:
    """The whole reply as one message text."""
    t = texts(reply.language)
    if reply.media is not None:
        picture = _render_picture(reply, t)
        if picture is not None:
            return picture
    return _render_plain(reply, t)


def _render_plain(reply: Reply, t: dict[str, str], head: str = "") -> str:
    kind = reply.kind
    lead = f"{head}\n\n" if head else ""
    if kind is ReplyKind.SUBSCRIBED and reply.subscription is not None:
        change = reply.subscription
        return t["subscribed"].format(frequency=t[str(change.frequency)], when=t[f"{change.frequency}_when"],
                                      topic=t["topic"].format(topic=change.topic) if change.topic else "")
    if kind is ReplyKind.RESULTS:
        heading = t["more_head"] if reply.intent == "more" else t["results_head"]
        # The first result is the answer; the others matched less well and say so.
        answer_first = reply.intent != "more"
        body = "\n\n".join(
            render_article(a, reply.language, i + 1, label="" if i == 0 and answer_first else t["related_label"])
            for i, a in enumerate(reply.articles))
        tail = t["more_hint"] if reply.more_available else t["footer"]
        return f"{lead}{heading}\n\n{body}\n\n{tail}"
    if kind is ReplyKind.RELATED:
        body = "\n\n".join(render_article(a, reply.language, i + 1) for i, a in enumerate(reply.articles))
        return f"{lead}{t['related_head']}\n\n{body}\n\n{t['footer']}"
    if kind is ReplyKind.GREETING:
        return f"{t['greeting_' + reply.greeting] if 'greeting_' + reply.greeting in t else t['greeting_']} " \
               f"{t['greeting_tail']}"
    if kind is ReplyKind.LATEST:
        if not reply.articles:
            return t["latest_empty"]
        body = "\n\n".join(render_article(a, reply.language, i + 1) for i, a in enumerate(reply.articles))
        return f"{t['latest_head']}\n\n{body}\n\n{t['footer']}"
    key = {
        ReplyKind.MENU: "menu", ReplyKind.HELP: "help", ReplyKind.NOT_FOUND: "not_found",
        ReplyKind.TIPS: "tips", ReplyKind.NO_MORE: "no_more", ReplyKind.LANGUAGE: "language",
        ReplyKind.THANKS: "thanks", ReplyKind.EMPTY: "empty", ReplyKind.UNSUPPORTED: "unsupported",
        ReplyKind.ACK: "ack", ReplyKind.LAUGH: "laugh", ReplyKind.EMOJI: "emoji", ReplyKind.VOICE: "voice",
        ReplyKind.UNSUBSCRIBED: "unsubscribed", ReplyKind.SUBSCRIBE_UNAVAILABLE: "subscribe_unavailable",
    }[kind]
    return f"{lead}{t[key]}"


def _nouns(reply: Reply, t: dict[str, str]) -> dict[str, str]:
    noun = t[f"noun_{(reply.media or MediaType.IMAGE).value}"]
    return {"noun": noun, "Noun": noun[:1].upper() + noun[1:]}


def quote_read_text(text: str, limit: int = READ_TEXT_CHARS) -> str:
    """The text read from a picture on one line, cut at a word near ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _render_picture(reply: Reply, t: dict[str, str]) -> str | None:
    """A reply to a picture, video, sticker, document or voice note; None: render it as a plain reply."""
    nouns = _nouns(reply, t)
    problem = reply.media_problem
    if reply.kind is ReplyKind.MEDIA_PROBLEM:
        return f"{t['problem_' + (problem or MediaProblem.CORRUPT).value].format(**nouns)}\n{t['problem_tip']}"
    if reply.kind is ReplyKind.VOICE:
        return t["voice"]
    head: list[str] = []
    if problem is not None and problem.unreadable:  # the caption was checked instead
        head.append(f"{t['problem_' + problem.value].format(**nouns)} {t['caption_checked']}")
    elif problem is MediaProblem.AUDIO_UNSUPPORTED:
        head.append(t["voice"].split("\n")[0] + " " + t["caption_checked"])
    if reply.read_text.strip():
        head.append(t["read_text"].format(text=quote_read_text(reply.read_text)))
    if reply.by_picture and reply.kind is ReplyKind.RESULTS:
        head.append(t["same_picture"].format(**nouns))
    if reply.kind is ReplyKind.NOT_FOUND:
        if reply.read_text.strip():
            body = t["picture_not_found"]
        elif reply.query.strip():
            body = t["not_found"]  # only the caption was searched
        else:
            body = t["ocr_unavailable" if problem is MediaProblem.OCR_UNAVAILABLE else "no_text"]
        return "\n\n".join([*head, body.format(**nouns)])
    if reply.kind in (ReplyKind.RESULTS, ReplyKind.RELATED):
        return _render_plain(reply, t, head="\n".join(head))
    return None


def render_digest(articles: Sequence[Article], language: str, frequency: str, topic: str, day: date,
                  more: int = 0, more_url: str = "", link: Callable[[Article], str] | None = None) -> str:
    """One digest message: the new fact-checks (verdict, title, date, summary, link), then how to stop.
    ``link`` gives the address of an article without an original URL (its public page)."""
    t = texts(language)
    head = t["digest_head"].format(frequency=t[frequency] if language != "en" else t[frequency].capitalize(),
                                   topic=t["topic"].format(topic=topic) if topic else "",
                                   date=format_date(day, language))
    items = []
    for number, article in enumerate(articles, start=1):
        if not article.url and link is not None:
            article = article.with_changes(url=link(article))
        items.append(render_article(article, language, number))
    tail = [t["digest_more"].format(count=more, url=more_url)] if more and more_url else []
    return "\n\n".join([head, *items, *tail, t["digest_foot"]])


# Labels of channel widgets (WhatsApp interactive lists/buttons, Telegram inline keyboards) and the
# messaging queue's own notices. Menu choices carry a command word the conversation understands.
WIDGET_TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "menu_button": "Pilih menu",
        "menu_section": "Layanan cek fakta",
        "check_title": "Cek fakta",
        "check_desc": "Cara mengirim pesan untuk dicek",
        "latest_title": "Terbaru",
        "latest_desc": "Cek fakta yang baru terbit",
        "tips_title": "Tips",
        "tips_desc": "Tips menghadapi hoaks",
        "help_title": "Bantuan",
        "help_desc": "Cara memakai layanan ini",
        "more_prompt": "Ingin melihat hasil lainnya?",
        "more_button": "Hasil lainnya",
        "subscribe_title": "Langganan",
        "subscribe_desc": "Ringkasan cek fakta baru tiap hari",
        "unsubscribe_button": "Berhenti langganan",
        "throttled": (
            "Pesan Anda banyak sekali dalam satu menit. 🙏 Kami jeda dulu sebentar; kirim lagi pesan "
            "yang ingin dicek satu per satu setelah satu menit."
        ),
    },
    "en": {
        "menu_button": "Menu",
        "menu_section": "Fact-check service",
        "check_title": "Check a claim",
        "check_desc": "How to send a message to check",
        "latest_title": "Latest",
        "latest_desc": "Newly published fact-checks",
        "tips_title": "Tips",
        "tips_desc": "Tips against hoaxes",
        "help_title": "Help",
        "help_desc": "How to use this service",
        "more_prompt": "Want to see more results?",
        "more_button": "More results",
        "subscribe_title": "Subscribe",
        "subscribe_desc": "A daily digest of new fact-checks",
        "unsubscribe_button": "Unsubscribe",
        "throttled": (
            "You sent a lot of messages within a minute. 🙏 We are pausing briefly; please send what you "
            "want checked one at a time after a minute."
        ),
    },
}


def widget_texts(language: str) -> dict[str, str]:
    return WIDGET_TEXTS.get(language, WIDGET_TEXTS["id"])
