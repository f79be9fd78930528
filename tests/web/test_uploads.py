"""Pictures uploaded on the web chat and ``POST /api/ask`` (multipart), over a real uvicorn server on
loopback, read by the real reader process; and the desk showing a tip's picture only to staff."""

from __future__ import annotations

import gzip
import re

import httpx
import pytest

from benarkah.admin.accounts import Accounts
from benarkah.web.app import create_app
from tests.media.make import bomb_png, encode, noise_picture, text_picture
from tests.support.screenshots import load_screenshot_articles, screenshot
from tests.support.servers import serve_app

PASSWORD = "kopi-tubruk-2026"
TIMEOUT = 120  # the first picture starts a reader process (imports, the OCR model) on a loaded machine


@pytest.fixture
def base_url(demo_services):
    with serve_app(create_app(demo_services)) as url:
        yield url


def test_a_screenshot_uploaded_on_the_web_chat_gets_its_fact_check(base_url, demo_services, ocr):
    shot = screenshot("wa")
    load_screenshot_articles(demo_services)
    with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
        data = client.post("/chat", data={"text": ""}, files={"image": ("layar.jpg", shot.data, "image/jpeg")},
                           headers={"accept": "application/json"}).json()
        assert data["kind"] == "results" and shot.title in data["reply"]
        assert "Teks yang kami baca" in data["reply"] and data["read_text"]
        page = client.get(data["url"].removeprefix(base_url))  # the shared answer page (no picture in it)
        assert page.status_code == 200 and "[gambar]" in page.text and shot.title in page.text
        # without JavaScript: the form posts multipart and is redirected to the answer's page
        form = client.post("/chat", files={"image": ("layar.jpg", shot.data, "image/jpeg")}, data={"text": ""})
        assert form.status_code == 303 and shot.title in client.get(form.headers["location"]).text
    assert demo_services.media.count() == 0


def test_post_api_ask_takes_a_picture_as_multipart(base_url, demo_services, ocr):
    shot = screenshot("x")
    load_screenshot_articles(demo_services)
    response = httpx.post(f"{base_url}/api/ask", files={"image": ("x.jpg", shot.data, "image/jpeg")},
                          data={"session": "s1"}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "results" and body["matched"] is True and shot.title in body["reply"]
    words = set(re.findall(r"\w+", shot.text.lower()))
    assert len(words & set(re.findall(r"\w+", body["read_text"].lower()))) >= 0.6 * len(words)
    assert httpx.post(f"{base_url}/api/ask", json={"text": "vaksin chip"}).json()["read_text"] is None
    spec = httpx.get(f"{base_url}/openapi.json").json()["paths"]["/api/ask"]["post"]["requestBody"]["content"]
    assert set(spec) == {"application/json", "multipart/form-data"}


def test_bad_uploads_each_get_a_clear_answer(base_url, demo_services, ocr):
    def ask(name: str, data: bytes, mime: str = "image/jpeg", caption: str = "") -> httpx.Response:
        return httpx.post(f"{base_url}/api/ask", files={"image": (name, data, mime)}, data={"text": caption},
                          timeout=TIMEOUT)

    truncated = encode(text_picture(["Vaksin mengandung chip"]))[:900]
    assert "*tidak bisa kami buka*" in ask("a.jpg", truncated).json()["reply"]
    assert "*terlalu besar*" in ask("bomb.png", bomb_png(), "image/png").json()["reply"]
    assert "*belum bisa kami periksa*" in ask("a.jpg", b"%PDF-1.7\n" + bytes(500)).json()["reply"]
    assert "Stiker bergerak" in ask("s.tgs", gzip.compress(b'{"v":"5.5.2","fr":60}'), "application/x-tgsticker") \
        .json()["reply"]
    captioned = ask("a.jpg", truncated, caption="vaksin covid mengandung chip").json()
    assert "*tidak bisa kami buka*" in captioned["reply"] and "Chip Pelacak" in captioned["reply"]  # caption kept
    huge = httpx.post(f"{base_url}/api/ask", files={"image": ("big.jpg", b"\xff\xd8\xff" + bytes(17 * 2**20))},
                      timeout=TIMEOUT)
    assert huge.status_code == 413 and "too large" in huge.json()["detail"]
    assert httpx.post(f"{base_url}/api/ask", files={"other": ("a.txt", b"x")}).status_code == 422
    assert httpx.post(f"{base_url}/chat", data={"text": ""}, files={"image": ("", b"")}).status_code == 422
    assert demo_services.media.count() == 0 and demo_services.tips.repo.list_tips() == []
    assert "Chip Pelacak" in httpx.post(f"{base_url}/api/ask", json={"text": "vaksin chip"}).json()["reply"]


def test_the_desk_shows_a_pictures_tip_only_to_staff_and_forget_erases_it(base_url, demo_services, ocr):
    picture = encode(text_picture(["Gajah terbang di atas", "Monas malam tahun baru"]))
    answer = httpx.post(f"{base_url}/api/ask", files={"image": ("p.jpg", picture, "image/jpeg")},
                        data={"session": "orang-1"}, timeout=TIMEOUT).json()
    assert answer["kind"] == "not_found"
    photo = encode(noise_picture(3, (400, 300)))
    httpx.post(f"{base_url}/api/ask", files={"image": ("q.jpg", photo, "image/jpeg")}, data={"session": "orang-2"},
               timeout=TIMEOUT)
    tips = {t.text: t for t in demo_services.tips.repo.list_tips()}
    [tip] = [t for t in tips.values() if "Gajah" in t.text]
    [item] = demo_services.media.for_tips([tip.id])[tip.id]
    with httpx.Client(base_url=base_url) as anonymous:
        refused = anonymous.get(f"/admin/media/{item.id}")
        assert refused.status_code == 303 and refused.headers["location"].startswith("/admin/login")
    Accounts(demo_services.store).add_user("editor", PASSWORD)
    with httpx.Client(base_url=base_url) as client:
        form = client.get("/admin/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        client.post("/admin/login", data={"username": "editor", "password": PASSWORD, "csrf_token": token,
                                          "next": "/admin"})
        cluster = client.get(f"/admin/clusters/{tip.cluster_id}").text
        assert f'src="/admin/media/{item.id}"' in cluster and "Teks yang terbaca" in cluster and "Monas" in cluster
        served = client.get(f"/admin/media/{item.id}")
        assert served.status_code == 200 and served.content == picture
        assert served.headers["content-type"] == "image/jpeg" and "no-store" in served.headers["cache-control"]
        assert served.headers["x-content-type-options"] == "nosniff"
        assert client.get("/admin/media/999999").status_code == 404
        report = demo_services.forget("api", "orang-1")
        assert report.records >= 2 and demo_services.media.get(item.id) is None
        assert client.get(f"/admin/media/{item.id}").status_code == 404
    assert demo_services.media.count() == 1  # the other person's photo stays
