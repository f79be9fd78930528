"""The dashboard speaks Indonesian by default and English on request, and no string escapes the
catalogue: every template text outside ``_()`` fails here, as does every message id without an
Indonesian translation (or with different placeholders)."""

from __future__ import annotations

import ast
import html.parser
import re
from pathlib import Path

import httpx
import pytest
from jinja2 import Environment, nodes

from benarkah.admin.accounts import Accounts
from benarkah.admin.i18n import CATALOGUE, Lang, Translator
from benarkah.admin.routes import QUEUE_VIEWS
from benarkah.tips.repository import ClusterStatus, NotificationStatus
from benarkah.web.app import create_app
from tests.support.servers import serve_app

ADMIN = Path(__file__).resolve().parents[2] / "src" / "benarkah" / "admin"
TEMPLATES = sorted((ADMIN / "templates").glob("*.html"))
# Shown as they are in every language: the product's and the languages' own names, units, commands.
UNTRANSLATED = {"benarkah", "UTC", "Bahasa Indonesia", "English"}
VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


class VisibleText(html.parser.HTMLParser):
    """Text a person sees: element content (not style, script or code) and labelling attributes."""

    SKIP = {"style", "script", "code"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag in self.SKIP:
            self.skipping += 1
        self.found.extend(v for k, v in attrs if k in VISIBLE_ATTRIBUTES and v)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            self.found.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in self.SKIP:
            self.skipping -= 1

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if not self.skipping:
            self.found.append(data)


def untranslated_text(source: str) -> list[str]:
    """Template text with letters in it that is not produced by a Jinja expression (``_()`` calls)."""
    without_jinja = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", "\x00", source, flags=re.S)
    parser = VisibleText()
    parser.feed(without_jinja)
    leftovers = []
    for text in parser.found:
        for piece in text.split("\x00"):
            piece = " ".join(piece.split())
            for allowed in UNTRANSLATED:
                piece = piece.replace(allowed, "")
            if re.search(r"[^\W\d_]{2,}", piece):
                leftovers.append(piece)
    return leftovers


def template_message_ids(source: str) -> set[str]:
    """Every string literal inside a ``_()`` or ``ngettext()`` call of a template."""
    found: set[str] = set()
    for call in Environment().parse(source).find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in ("_", "ngettext"):
            for arg in call.args[:2]:
                found.update(c.value for c in arg.find_all(nodes.Const) if isinstance(c.value, str))
                if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                    found.add(arg.value)
    return found


def python_message_ids() -> set[str]:
    """String literals handed to ``gettext``/``ngettext`` in the dashboard's Python code."""
    found: set[str] = set()
    for path in ADMIN.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                    "gettext", "ngettext"):
                found.update(a.value for a in node.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return found


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_no_template_text_escapes_translation(template):
    assert untranslated_text(template.read_text("utf-8")) == []


def test_the_check_finds_untranslated_text():
    assert untranslated_text('<p>{{ _("Tips") }} Hello</p><input placeholder="ketik">') == ["Hello", "ketik"]
    assert untranslated_text('<style>p { color: red }</style><code>benarkah user add</code>{{ x }}') == []


def test_every_message_id_has_an_indonesian_translation_with_the_same_placeholders():
    ids = set().union(*(template_message_ids(t.read_text("utf-8")) for t in TEMPLATES), python_message_ids())
    ids |= {str(s) for s in (*ClusterStatus, *NotificationStatus)} | set(QUEUE_VIEWS)
    assert len(ids) > 60
    missing = sorted(i for i in ids if not CATALOGUE.get(i))
    assert missing == []
    wrong = sorted(i for i in ids if set(PLACEHOLDER.findall(i)) != set(PLACEHOLDER.findall(CATALOGUE[i])))
    assert wrong == []


def test_the_translator_formats_and_picks_plurals():
    indonesian, english = Translator(Lang.ID), Translator(Lang.EN)
    assert indonesian.ngettext("%(num)d tip", "%(num)d tips", 3) == "3 tip"
    assert english.ngettext("%(num)d tip", "%(num)d tips", 1) == "1 tip"
    assert english.ngettext("%(num)d tip", "%(num)d tips", 3) == "3 tips"
    assert indonesian.gettext("Cluster %(id)s", id=7) == "Klaster 7"
    assert Lang.choose("xx", None) is Lang.ID and Lang.choose(None, "en") is Lang.EN


def test_pages_are_indonesian_by_default_and_english_on_request(demo_services):
    Accounts(demo_services.store).add_user("editor", "kopi-tubruk-2026")
    demo_services.tipline.handle_text("whatsapp", "62811", "Beredar video gajah terbang di langit Monas")
    with serve_app(create_app(demo_services)) as url, httpx.Client(base_url=url) as client:
        login = client.get("/admin/login")
        assert '<html lang="id">' in login.text and "Nama pengguna" in login.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
        wrong = client.post("/admin/login", data={"username": "editor", "password": "salah-sekali-1",
                                                  "csrf_token": token, "next": "/admin"})
        assert "Nama pengguna atau kata sandi salah." in wrong.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', wrong.text).group(1)
        client.post("/admin/login", data={"username": "editor", "password": "kopi-tubruk-2026",
                                          "csrf_token": token, "next": "/admin"})
        queue = client.get("/admin")
        assert "Klaster tips" in queue.text and "1 tip" in queue.text and "Tip clusters" not in queue.text
        english = client.get("/admin?lang=en")
        assert '<html lang="en">' in english.text and "Tip clusters" in english.text
        assert "Statistics" in client.get("/admin/stats").text  # remembered
        assert "Statistik" in client.get("/admin/stats?lang=id").text
