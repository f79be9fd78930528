"""The dashboard's words in Indonesian (the default) and English (on request): one typed catalogue.

Fact-checkers in Indonesian newsrooms work in Indonesian; some colleagues read English. Every string
a template or a dashboard route shows goes through ``Translator`` (``_`` and ``ngettext`` in the
templates); the English text is the message id and ``CATALOGUE`` gives its Indonesian. A typed
dictionary rather than gettext ``.po``/``.mo`` files: two languages, a few hundred short strings, no
build step and no binary files in the repository, and a plain unit test
(``tests/admin/test_i18n.py``) fails on any template text outside ``_()`` and on any message id
without a translation.

The language is chosen with ``?lang=en`` or ``?lang=id`` (remembered in a cookie); nothing else
switches it, so a fact-checker's browser locale never surprises a colleague looking at the same screen.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
LANG_COOKIE = "benarkah_admin_lang"


class Lang(enum.StrEnum):
    ID = "id"
    EN = "en"

    @classmethod
    def choose(cls, requested: str | None, remembered: str | None) -> "Lang":
        for value in (requested, remembered):
            if value in (cls.ID.value, cls.EN.value):
                return cls(value)
        return cls.ID


# English message id -> Indonesian. Placeholders are %(name)s / %(num)d and must match.
CATALOGUE: dict[str, str] = {
    # frame, login
    "Dashboard": "Dasbor",
    "Tip queue": "Antrean tips",
    "Statistics": "Statistik",
    "Log out": "Keluar",
    "Signed in as %(name)s": "Masuk sebagai %(name)s",
    "Language": "Bahasa",
    "Skip to content": "Lewati ke isi",
    "Log in": "Masuk",
    "Staff login": "Masuk staf",
    "User name": "Nama pengguna",
    "Password": "Kata sandi",
    "Accounts are created by an administrator:": "Akun dibuat oleh administrator:",
    "Wrong user name or password.": "Nama pengguna atau kata sandi salah.",
    "Too many failed logins. Wait a few minutes and try again.":
        "Terlalu banyak percobaan masuk yang gagal. Tunggu beberapa menit, lalu coba lagi.",
    # statuses and views
    "new": "baru",
    "checking": "sedang dicek",
    "published": "terbit",
    "dismissed": "diabaikan",
    "open": "terbuka",
    "all": "semua",
    "Back to new": "Kembalikan ke baru",
    # follow-up notifications (tips.repository.NotificationStatus)
    "pending": "menunggu",
    "queued": "diantrekan",
    "queued_template": "diantrekan sebagai templat",
    "needs_template": "perlu templat",
    "duplicate": "duplikat",
    "unreachable": "tak bisa dihubungi",
    "failed": "gagal",
    "Being checked": "Sedang dicek",
    "Dismiss": "Abaikan",
    # the queue
    "Tip clusters": "Klaster tips",
    "Filter by status": "Saring menurut status",
    "Messages that matched no fact-check, grouped by rumour; the fastest-spreading first "
    "(last 24 hours against the daily average of the 7 days before).":
        "Pesan yang tidak cocok dengan cek fakta mana pun, dikelompokkan per isu; yang paling cepat menyebar "
        "di atas (24 jam terakhir dibandingkan rata-rata harian 7 hari sebelumnya).",
    "%(num)d tip": "%(num)d tip",
    "%(num)d tips": "%(num)d tip",
    "trend ×%(trend)s (%(count)d in 24 h)": "tren ×%(trend)s (%(count)d dalam 24 jam)",
    "first %(first)s, last %(last)s UTC": "pertama %(first)s, terakhir %(last)s UTC",
    "No clusters here yet. Tips appear as soon as someone sends a message that matches no fact-check.":
        "Belum ada klaster di sini. Tips muncul begitu ada yang mengirim pesan yang tidak cocok dengan cek "
        "fakta mana pun.",
    # a cluster
    "Cluster %(id)s": "Klaster %(id)s",
    "← Tip queue": "← Antrean tips",
    "Tips": "Tips",
    "Trend": "Tren",
    "×%(trend)s — %(day)d in the last 24 h, %(week)d in the 7 days before":
        "×%(trend)s — %(day)d dalam 24 jam terakhir, %(week)d dalam 7 hari sebelumnya",
    "First seen": "Pertama terlihat",
    "Last seen": "Terakhir terlihat",
    "Channels": "Kanal",
    "Linked fact-check": "Cek fakta yang ditautkan",
    "Tippers told:": "Pengirim yang sudah diberi tahu:",
    "none": "belum ada",
    "Mark": "Tandai",
    "Link a published fact-check": "Tautkan cek fakta yang sudah terbit",
    "Everyone who sent a tip in this cluster is told once (WhatsApp inside its 24-hour window or by "
    "template, Telegram always). You confirm on the next page before anything is sent.":
        "Setiap orang yang mengirim tip dalam klaster ini diberi tahu satu kali (WhatsApp dalam jendela 24 jam "
        "atau dengan templat, Telegram selalu). Anda mengonfirmasi di halaman berikutnya sebelum apa pun dikirim.",
    "Closest in the archive": "Paling mirip di arsip",
    "No fact-check in the archive resembles this cluster.": "Tidak ada cek fakta di arsip yang mirip klaster ini.",
    "Or a fact-check id or URL": "Atau id atau URL cek fakta",
    "Review before notifying": "Periksa sebelum memberi tahu",
    "Messages (%(shown)d)": "Pesan (%(shown)d)",
    "Messages (%(shown)d latest of %(total)d)": "Pesan (%(shown)d terbaru dari %(total)d)",
    "When (UTC)": "Waktu (UTC)",
    "Channel": "Kanal",
    "Message": "Pesan",
    "Results shown before": "Hasil yang sudah ditampilkan",
    "Said the results did not answer their question": "Mengatakan hasilnya tidak menjawab pertanyaannya",
    # the confirmation
    "Confirm: link and notify": "Konfirmasi: tautkan dan beri tahu",
    "Link this fact-check to cluster %(id)s?": "Tautkan cek fakta ini ke klaster %(id)s?",
    "Nobody has been told anything yet.": "Belum ada yang diberi tahu apa pun.",
    "%(num)d person will be told": "%(num)d orang akan diberi tahu",
    "%(num)d people will be told": "%(num)d orang akan diberi tahu",
    "%(count)d on %(channel)s": "%(count)d lewat %(channel)s",
    "%(num)d more asked on the web, the API or the command line and cannot be messaged later.":
        "%(num)d lainnya bertanya lewat web, API atau baris perintah dan tidak bisa dikirimi pesan nanti.",
    "%(num)d were told about this fact-check before and are not told again.":
        "%(num)d sudah pernah diberi tahu tentang cek fakta ini dan tidak diberi tahu lagi.",
    "The message they receive": "Pesan yang akan mereka terima",
    "Published %(date)s": "Terbit %(date)s",
    "Link and notify %(num)d person": "Tautkan dan beri tahu %(num)d orang",
    "Link and notify %(num)d people": "Tautkan dan beri tahu %(num)d orang",
    "Cancel": "Batal",
    "Pick a suggested fact-check or type its id or URL.": "Pilih cek fakta yang disarankan atau ketik id atau URL-nya.",
    "Choose one: a suggestion or a typed id or URL, not both.":
        "Pilih salah satu: saran atau id/URL yang diketik, jangan keduanya.",
    "No fact-check with the id or URL %(ref)s in the archive; ingest it first.":
        "Tidak ada cek fakta dengan id atau URL %(ref)s di arsip; masukkan dulu ke arsip.",
    "Confirm the fact-check on the review page first.": "Konfirmasi dulu cek fakta di halaman pemeriksaan.",
    "Reload the page and try again.": "Muat ulang halaman, lalu coba lagi.",
    # statistics
    "Statistics, last %(days)d days": "Statistik, %(days)d hari terakhir",
    "messages": "pesan",
    "lookups": "pencarian",
    "found a fact-check": "menemukan cek fakta",
    "helpful": "membantu",
    "not helpful": "tidak membantu",
    "Messages per day": "Pesan per hari",
    "Day": "Hari",
    "Messages": "Pesan",
    "Matched / lookups": "Cocok / pencarian",
    "Helpful / not helpful": "Membantu / tidak membantu",
    "volume": "volume",
    "No messages yet.": "Belum ada pesan.",
    "Top queries": "Pencarian teratas",
    "Query": "Kueri",
    "Times": "Kali",
    "Found": "Ditemukan",
    "No lookups yet.": "Belum ada pencarian.",
    # staff replies and digest subscriptions (docs/reach.md)
    "Write to the sender": "Tulis ke pengirim",
    "Reply (the person's number is never shown)": "Balasan (nomor orang itu tidak pernah ditampilkan)",
    "Send": "Kirim",
    "asked on %(channel)s: cannot be written to": "bertanya lewat %(channel)s: tidak bisa dibalas",
    "Reply queued: it goes out in a moment.": "Balasan diantrekan: segera terkirim.",
    "Reply queued as the approved template (the person wrote more than 24 hours ago).":
        "Balasan diantrekan sebagai templat yang disetujui (orang itu menulis lebih dari 24 jam lalu).",
    "Reply waits for a template.": "Balasan menunggu templat.",
    "That reply was already sent.": "Balasan itu sudah dikirim.",
    "refused": "ditolak",
    "Digest subscriptions": "Langganan ringkasan",
    "No subscribers yet.": "Belum ada pelanggan.",
    "stopped": "berhenti",
    "Digests in these %(days)d days:": "Ringkasan dalam %(days)d hari ini:",
    "daily": "harian",
    "weekly": "mingguan",
    "empty": "kosong",
    # pictures kept with tips (docs/media.md)
    "Picture sent with this tip": "Gambar yang dikirim bersama tip ini",
    "%(mime)s file": "berkas %(mime)s",
    "%(size)s bytes": "%(size)s bita",
    "Text read from it:": "Teks yang terbaca:",
}


@dataclass(frozen=True)
class Translator:
    """``_`` and ``ngettext`` for one request's language."""

    lang: Lang

    def gettext(self, message: str, **values: Any) -> str:
        text = message
        if self.lang is Lang.ID:
            found = CATALOGUE.get(message)
            if found is None:
                log.warning("dashboard text without an Indonesian translation: %r", message)
            else:
                text = found
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, num: int, **values: Any) -> str:
        return self.gettext(singular if num == 1 else plural, num=num, **values)

    def context(self) -> dict[str, Any]:
        """What every template gets: ``_``, ``ngettext`` and the language."""
        return {"_": self.gettext, "ngettext": self.ngettext, "lang": self.lang.value}
