"""The message a tipper gets when the rumour they sent has been fact-checked (Indonesian first)."""

from __future__ import annotations

from ..domain.articles import Article
from ..domain.render import render_article

_INTRO = {
    "id": "Halo! Beberapa waktu lalu Anda mengirim pesan yang belum ada cek faktanya. "
          "Sekarang sudah ada hasil cek fakta untuk kabar itu:",
    "en": "Hello! A while ago you sent us a message we had no fact-check for yet. "
          "There is one now:",
}
_OUTRO = {
    "id": "Terima kasih sudah ikut melawan hoaks. Ketik *menu* untuk cek kabar lainnya.",
    "en": "Thank you for helping to fight hoaxes. Type *menu* to check something else.",
}


def followup_text(article: Article, language: str = "id") -> str:
    lang = language if language in _INTRO else "id"
    return f"{_INTRO[lang]}\n\n{render_article(article, lang)}\n\n{_OUTRO[lang]}"
