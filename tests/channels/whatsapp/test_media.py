"""Pictures, videos and voice notes on WhatsApp, end to end over loopback: a signed webhook names a
media id, the media lane fetches its URL and bytes from the fake Graph API (which checks the bearer
token and the phone number id), reads and searches it, and exactly one reply goes back."""

from __future__ import annotations

import time

import httpx

from benarkah.messaging import mediaworker
from tests.media.make import VOICE_NOTE, bomb_png, encode, noise_picture, text_picture, tiny_video
from tests.support.fake_apis import WA_TOKEN, WA_VERSION
from tests.support.payloads import signed, wa_delivery, wa_message
from tests.support.screenshots import load_screenshot_articles, screenshot

URL = "/webhooks/whatsapp"
WAIT = 90  # the first picture starts a reader process (imports, the OCR model) on a loaded machine


def post(live, *messages):
    body, headers = signed(wa_delivery(*messages))
    response = httpx.post(live.url + URL, content=body, headers=headers)
    assert response.status_code == 200
    return response


def body_text(message: dict) -> str:
    return message["text"]["body"] if message["type"] == "text" else message["interactive"]["body"]["text"]


def reply_to(graph, sender: str, timeout: float = WAIT) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = graph.texts_to(sender)
        if sent:
            return body_text(sent[0])
        time.sleep(0.05)
    raise AssertionError(f"no reply to {sender}: rejected {graph.rejected}")


def image(media_id: str, caption: str | None = None) -> dict:
    content = {"mime_type": "image/jpeg", "sha256": "c2hhMjU2LWluLXRoZS13ZWJob29r", "id": media_id}
    if caption:
        content["caption"] = caption
    return content


def test_a_screenshot_is_read_and_answered_with_its_fact_check(live, graph, ocr):
    shot = screenshot("wa")
    load_screenshot_articles(live.services)
    media_id = graph.add_media(shot.data)
    message = wa_message("6281355500001", "image", image(media_id))
    post(live, message)
    text = reply_to(graph, "6281355500001")
    assert "Teks yang kami baca" in text and "Tutup Botol" in text.split("\n")[0]  # what was read, first
    assert shot.title in text  # ... then its fact-check
    [sent] = graph.texts_to("6281355500001")
    assert sent["context"] == {"message_id": message["id"]}
    assert graph.media_requests == [(f"/{WA_VERSION}/{media_id}", True), (f"/media-download/{media_id}", True)]
    assert live.services.media.count() == 0, "a picture that found its fact-check is not kept"


def test_the_fake_graph_api_wants_the_token_for_both_the_url_and_the_bytes(graph):
    media_id = graph.add_media(b"\xff\xd8\xff" + bytes(100))
    meta = httpx.get(f"{graph.api_base}/{media_id}", params={"phone_number_id": "109876543210"})
    assert meta.status_code == 401
    auth = {"Authorization": f"Bearer {WA_TOKEN}"}
    url = httpx.get(f"{graph.api_base}/{media_id}", params={"phone_number_id": "109876543210"},
                    headers=auth).json()["url"]
    assert httpx.get(url).status_code == 401 and httpx.get(url, headers=auth).status_code == 200


def test_a_caption_and_its_picture_are_searched_together(live, graph, ocr):
    picture = encode(text_picture(["Vaksin Covid-19 mengandung", "chip pelacak 5G"]))
    media_id = graph.add_media(picture)
    post(live, wa_message("6281355500002", "image", image(media_id, caption="benar gak ini??")))
    text = reply_to(graph, "6281355500002")
    assert "Teks yang kami baca" in text and "Chip Pelacak" in text


def test_a_photo_without_writing_becomes_a_tip_with_the_picture_kept(live, graph, ocr):
    media_id = graph.add_media(encode(noise_picture(7, (480, 360))))
    post(live, wa_message("6281355500003", "image", image(media_id)))
    text = reply_to(graph, "6281355500003")
    assert "*tidak menemukan tulisan*" in text and "*Tip:*" in text
    [tip] = live.services.tips.repo.list_tips()
    kept = live.services.media.for_tips([tip.id])[tip.id]
    assert [k.mime for k in kept] == ["image/jpeg"] and live.services.media.data(kept[0]) == graph.files[media_id][0]


def test_a_voice_note_gets_the_polite_reply_and_is_kept_for_the_fact_checkers(live, graph):
    media_id = graph.add_media(VOICE_NOTE, "audio/ogg; codecs=opus")
    post(live, wa_message("6281355500004", "audio", {"mime_type": "audio/ogg; codecs=opus", "id": media_id,
                                                     "voice": True}))
    text = reply_to(graph, "6281355500004")
    assert "*belum bisa mendengarkan* pesan suara" in text and "kami simpan" in text
    [tip] = live.services.tips.repo.list_tips()
    [kept] = live.services.media.for_tips([tip.id])[tip.id]
    assert kept.mime == "audio/ogg" and live.services.media.data(kept) == VOICE_NOTE


def test_a_video_is_read_from_its_keyframes(live, graph, ocr):
    clip = tiny_video([text_picture(["Vaksin Covid-19 mengandung", "chip pelacak 5G"], size=(640, 360))],
                      seconds_each=2.0)
    media_id = graph.add_media(clip, "video/mp4")
    post(live, wa_message("6281355500005", "video", {"mime_type": "video/mp4", "id": media_id}))
    text = reply_to(graph, "6281355500005")
    assert "Teks yang kami baca" in text and "Chip Pelacak" in text


def test_bad_files_each_get_a_clear_reply_and_lose_nothing_else_in_the_delivery(live, graph, ocr):
    truncated = encode(text_picture(["Vaksin mengandung chip"]))[:900]
    pdf_as_jpeg = b"%PDF-1.7\n" + bytes(500)
    ids = {
        "truncated": graph.add_media(truncated),
        "bomb": graph.add_media(bomb_png(), "image/png"),
        "pdf": graph.add_media(pdf_as_jpeg),  # declared image/jpeg: the bytes say otherwise
        "huge": graph.add_media(b"\xff\xd8\xff" + bytes(1000)),
        "expired": graph.add_media(b"\xff\xd8\xff" + bytes(1000)),
        "elsewhere": graph.add_media(b"\xff\xd8\xff" + bytes(1000)),
    }
    graph.fail_media(ids["huge"], "huge")  # the Graph API announces 100 MB: not downloaded
    graph.fail_media(ids["expired"], "expired")
    graph.fail_media(ids["elsewhere"], "elsewhere")  # a download URL off Meta's hosts: the token stays home
    senders = {name: f"62813555001{n:02d}" for n, name in enumerate(ids)}
    messages = [wa_message(senders[name], "image", image(media_id)) for name, media_id in ids.items()]
    text = wa_message("6281355500199", "text", {"body": "vaksin covid mengandung chip?"})
    post(live, *messages, text)
    expected = {"truncated": "*tidak bisa kami buka*", "bomb": "*terlalu besar*", "pdf": "*belum bisa kami periksa*",
                "huge": "*terlalu besar*", "expired": "*gagal kami unduh*", "elsewhere": "*gagal kami unduh*"}
    for name, sender in senders.items():
        assert expected[name] in reply_to(graph, sender), name
    assert "Chip Pelacak" in reply_to(graph, "6281355500199")
    downloads = [path for path, _ in graph.media_requests if path.startswith("/media-download/")]
    assert f"/media-download/{ids['huge']}" not in downloads and f"/media-download/{ids['elsewhere']}" not in downloads
    time.sleep(0.3)
    assert len(graph.deliveries) == len(messages) + 1  # one reply each, nothing twice
    assert live.services.media.count() == 0 and live.services.tips.repo.list_tips() == []


def test_a_download_that_keeps_timing_out_is_tried_again_then_answered(live, graph, monkeypatch):
    monkeypatch.setattr(mediaworker, "FETCH_RETRY_SECONDS", 0.2)
    media_id = graph.add_media(encode(text_picture(["Vaksin mengandung chip"])))
    graph.fail_media(media_id, "error", "error", "error")  # HTTP 500 three times: retried, then given up
    post(live, wa_message("6281355500006", "image", image(media_id)))
    assert "*gagal kami unduh*" in reply_to(graph, "6281355500006", timeout=30)
    retrievals = [p for p, _ in graph.media_requests if p == f"/{WA_VERSION}/{media_id}"]
    assert len(retrievals) == mediaworker.MEDIA_FETCH_ATTEMPTS
    assert len(graph.texts_to("6281355500006")) == 1


def test_a_burst_of_pictures_does_not_hold_up_text_replies(live, graph, ocr):
    """The media lane is apart: texts sent after a burst of pictures are answered before the pictures."""
    pictures = [wa_message(f"62813555002{n:02d}", "image",
                           image(graph.add_media(encode(text_picture([f"Pesan berantai nomor {n}", "hoaks"])))))
                for n in range(6)]
    post(live, *pictures)
    started = time.monotonic()
    post(live, wa_message("6281355500299", "text", {"body": "tips"}))
    assert "Tips menghadapi hoaks" in reply_to(graph, "6281355500299", timeout=20)
    text_seconds = time.monotonic() - started
    last_picture = reply_to(graph, "6281355500205")
    assert last_picture and len([d for d in graph.deliveries if d.body.get("to", "").startswith("62813555002")]) == 7
    picture_replies = [d.at for d in graph.deliveries if d.body.get("to") != "6281355500299"]
    text_reply = [d.at for d in graph.deliveries if d.body.get("to") == "6281355500299"][0]
    assert text_reply < max(picture_replies), f"the text waited for every picture ({text_seconds:.1f} s)"
