"""Local fakes of the WhatsApp Cloud API and the Telegram Bot API: real HTTP servers on loopback.

They check what they receive the way the real APIs would refuse it (path, token, JSON shape, length
limits), record every accepted message, and can be told to fail (429 with Retry-After, 500) or to be
slow, so tests and benchmarks exercise the sender's retries for real. Shared by the channel tests, the
dashboard's browser tests and ``benchmarks/whatsapp_load.py``.
"""

from __future__ import annotations

import hashlib
import html
import html.parser
import itertools
import json
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

WA_VERSION = "v21.0"
WA_PHONE_NUMBER_ID = "109876543210"
WA_TOKEN = "EAAfake-whatsapp-access-token"
TG_TOKEN = "123456:fake-telegram-bot-token"


DROPPED = 0  # handle()'s status for a request answered with nothing (the connection is closed)


@dataclass
class Recorded:
    path: str
    body: dict[str, Any]
    at: float
    number: int = 0  # the message id this API gave it (``wamid.fake{number:06d}`` on the Graph API)


@dataclass
class FakeAPI:
    """Shared machinery: failure modes, recording, the HTTP server."""

    deliveries: list[Recorded] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)   # (path, reason) of 4xx answers
    attempts: int = 0
    failures: list[tuple[int, float | None]] = field(default_factory=list)  # queued (status, retry_after)
    fail_status: int | None = None      # fail every request with this status until ``recover()``
    delay: float = 0.0                  # seconds to wait before answering
    hang_until: float = 0.0             # until then (epoch s) requests hang, then are dropped unanswered
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    # media served for download (``FakeGraphAPI.add_media``, ``FakeBotAPI.add_file``)
    media_requests: list[tuple[str, bool]] = field(default_factory=list)  # (path without secrets, authorized)
    media_failures: dict[str, list[str]] = field(default_factory=dict)  # file id -> modes to apply, in turn
    media_delay: float = 0.0

    # control ------------------------------------------------------------------------------------

    def fail_next(self, count: int, status: int = 500, retry_after: float | None = None) -> None:
        with self.lock:
            self.failures.extend([(status, retry_after)] * count)

    def fail_always(self, status: int = 500) -> None:
        self.fail_status = status

    def recover(self) -> None:
        with self.lock:
            self.fail_status = None
            self.failures.clear()
        self.delay = 0.0

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Recorded]:
        """Wait until at least ``count`` messages were accepted; returns them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.deliveries) >= count:
                    return list(self.deliveries)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} deliveries, got {len(self.deliveries)}: {self.rejected}")

    # the HTTP side ------------------------------------------------------------------------------

    def hang_for(self, seconds: float) -> None:
        """An outage where the API accepts connections but never answers: each request waits until the
        outage ends, then the connection is closed with nothing delivered (``DROPPED``)."""
        self.hang_until = time.time() + seconds

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        hanging = self.hang_until - time.time()
        if hanging > 0:
            time.sleep(hanging)
            return DROPPED, {}, {}
        with self.lock:
            self.attempts += 1
            failure = self.failures.pop(0) if self.failures else None
            if failure is None and self.fail_status:
                failure = (self.fail_status, None)
        if self.delay:
            time.sleep(self.delay)
        if failure:
            return self.failure_body(*failure)
        try:
            body = json.loads(raw)
        except ValueError:
            return self.reject(path, "body is not JSON")
        if headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return self.reject(path, "content-type must be application/json")
        problem = self.check(path, headers, body)
        if problem:
            return self.reject(path, problem)
        with self.lock:
            number = next(self._ids)
            self.deliveries.append(Recorded(path, body, time.time(), number))
        return 200, self.success_body(path, body, number), {}

    def reject(self, path: str, reason: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self.lock:
            self.rejected.append((path, reason))
        status = 401 if "token" in reason.lower() else 400
        return status, self.error_body(status, reason), {}

    def handle_get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
        """A GET (media downloads): (status, body, content type)."""
        return 404, b'{"error": "not found"}', "application/json"

    def fail_media(self, file_id: str, *modes: str) -> None:
        """The next requests for this file fail, one mode each: "expired" (the id is unknown), "error"
        (HTTP 500), "hang" (no answer for 30 s), "huge" (announces 100 MB), "wrong_sha" (announces
        another hash), "elsewhere" (a download URL on another host)."""
        with self.lock:
            self.media_failures.setdefault(file_id, []).extend(modes)

    def _media_mode(self, file_id: str) -> str:
        with self.lock:
            modes = self.media_failures.get(file_id)
            return modes.pop(0) if modes else ""

    # per API ------------------------------------------------------------------------------------

    def check(self, path: str, headers: dict[str, str], body: Any) -> str | None:
        raise NotImplementedError

    def success_body(self, path: str, body: dict[str, Any], number: int) -> dict[str, Any]:
        raise NotImplementedError

    def error_body(self, status: int, reason: str) -> dict[str, Any]:
        raise NotImplementedError

    def failure_body(self, status: int, retry_after: float | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
        return status, self.error_body(status, "simulated failure"), headers


class FakeGraphAPI(FakeAPI):
    """``POST /{version}/{phone_number_id}/messages`` with ``Authorization: Bearer {token}``."""

    def __init__(self, token: str = WA_TOKEN, phone_number_id: str = WA_PHONE_NUMBER_ID) -> None:
        super().__init__()
        self.token = token
        self.path = f"/{WA_VERSION}/{phone_number_id}/messages"
        self.files: dict[str, tuple[bytes, str]] = {}

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/{WA_VERSION}"

    def check(self, path: str, headers: dict[str, str], body: Any) -> str | None:
        if path != self.path:
            return f"unknown path {path}"
        if headers.get("authorization") != f"Bearer {self.token}":
            return "invalid OAuth access token"
        return whatsapp_message_problem(body)

    def success_body(self, path: str, body: dict[str, Any], number: int) -> dict[str, Any]:
        # Meta's "Business-scoped user IDs": contacts[].input echoes what was sent; wa_id is returned for
        # a phone-number send, user_id for a BSUID send ("to" takes precedence when both are present).
        contact = {"input": body["to"], "wa_id": body["to"]} if "to" in body else \
            {"input": body["recipient"], "user_id": body["recipient"]}
        return {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": f"wamid.fake{number:06d}"}]}

    def error_body(self, status: int, reason: str) -> dict[str, Any]:
        code = {429: 130429, 401: 190}.get(status, 131000 if status >= 500 else 100)
        return {"error": {"message": reason, "type": "OAuthException", "code": code, "fbtrace_id": "fake"}}

    # media: ``GET /{version}/{media-id}`` (Retrieve media URL) and the download URL it names -------

    def add_media(self, data: bytes, mime: str = "image/jpeg", media_id: str | None = None) -> str:
        """Serve ``data`` as a received media file; returns its media id (for a webhook payload)."""
        media_id = media_id or f"{9_000_000_000 + next(self._ids)}"
        self.files[media_id] = (data, mime)
        return media_id

    def handle_get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
        authorized = headers.get("authorization") == f"Bearer {self.token}"
        route, _, query = path.partition("?")
        with self.lock:
            self.media_requests.append((route, authorized))
        if self.media_delay:
            time.sleep(self.media_delay)
        if not authorized:
            return 401, json.dumps(self.error_body(401, "invalid OAuth access token")).encode(), "application/json"
        if route.startswith("/media-download/"):
            return self._download(route.rsplit("/", 1)[1])
        prefix = f"/{WA_VERSION}/"
        media_id = route[len(prefix):] if route.startswith(prefix) else ""
        if f"phone_number_id={WA_PHONE_NUMBER_ID}" not in query.split("&"):
            return 400, json.dumps(self.error_body(400, "phone_number_id does not own this media")).encode(), \
                "application/json"
        mode = self._media_mode(media_id)
        if media_id not in self.files or mode == "expired":
            return 404, json.dumps(self.error_body(404, "(#100) media id not found or expired")).encode(), \
                "application/json"
        if mode == "error":
            return 500, json.dumps(self.error_body(500, "simulated failure")).encode(), "application/json"
        data, mime = self.files[media_id]
        host = "https://lookaside.example.net" if mode == "elsewhere" else self.base_url
        digest = hashlib.sha256(b"other" if mode == "wrong_sha" else data).hexdigest()
        body = {"messaging_product": "whatsapp", "url": f"{host}/media-download/{media_id}?ext=1&hash=x",
                "mime_type": mime, "sha256": digest, "file_size": 100 * 1024 * 1024 if mode == "huge" else len(data),
                "id": media_id}
        return 200, json.dumps(body).encode(), "application/json"

    def _download(self, media_id: str) -> tuple[int, bytes, str]:
        mode = self._media_mode(media_id)
        if mode == "hang":
            time.sleep(30)
        if media_id not in self.files:
            return 404, b"", "text/plain"
        data, _ = self.files[media_id]
        return 200, data, "application/octet-stream"  # as lookaside serves it: the type is in the bytes

    def texts_to(self, address: str) -> list[dict[str, Any]]:
        """Messages sent to a phone number (``to``) or a BSUID (``recipient``)."""
        return [d.body for d in self.deliveries if recipient_of(d.body) == address]

    def ids_to(self, address: str) -> list[str]:
        """The message ids the API answered for messages to ``address`` (for status webhooks)."""
        return [f"wamid.fake{n:06d}" for n, d in enumerate(self.deliveries, 1) if recipient_of(d.body) == address]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


BSUID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}")


def recipient_of(body: dict[str, Any]) -> str:
    """Who a message goes to: ``to`` when present (it takes precedence), else ``recipient``."""
    return str(body["to"]) if "to" in body else str(body.get("recipient", ""))


def whatsapp_message_problem(body: Any) -> str | None:
    """Why the Cloud API would refuse this message body, or None."""
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        return "messaging_product must be 'whatsapp'"
    problem = _recipient_problem(body)
    if problem:
        return problem
    kind = body.get("type", "text")
    if not isinstance(body.get(kind), dict):
        return f"missing the '{kind}' object"
    if "context" in body and not str(body["context"].get("message_id", "")).startswith("wamid."):
        return "context.message_id must be a message id"
    if kind == "text":
        text = body["text"].get("body")
        if not isinstance(text, str) or not text.strip() or _units(text) > 4096:
            return "text.body must be 1..4096 characters"
        return None
    if kind == "interactive":
        return _interactive_problem(body["interactive"])
    if kind == "template":
        template = body["template"]
        if not template.get("name") or not template.get("language", {}).get("code"):
            return "template needs name and language.code"
        for component in template.get("components", []):
            if component.get("type") == "button":  # a quick-reply button's payload comes back when tapped
                parameters = component.get("parameters", [])
                if component.get("sub_type") != "quick_reply" or not str(component.get("index", "")).isdigit() \
                        or len(parameters) != 1 or parameters[0].get("type") != "payload" \
                        or not parameters[0].get("payload"):
                    return "button component needs sub_type quick_reply, an index and one payload parameter"
                continue
            for parameter in component.get("parameters", []):
                if "\n" in parameter.get("text", "") or "    " in parameter.get("text", ""):
                    return "template parameter text cannot contain new lines or 4 spaces"
        return None
    return f"unsupported type {kind!r}"


def _recipient_problem(body: dict[str, Any]) -> str | None:
    """Meta's "Business-scoped user IDs": a phone number goes in ``to`` (digits), a BSUID or parent
    BSUID (``CC.xxxx``, ``CC.ENT.xxxx``) in ``recipient``; one of them is required."""
    if "to" not in body and "recipient" not in body:
        return "(#100) one of 'to' (phone number) or 'recipient' (business-scoped user id) is required"
    if "to" in body and not (isinstance(body["to"], str) and body["to"].isascii() and body["to"].isdigit()):
        return "'to' must be a phone number in digits (a business-scoped user id goes in 'recipient')"
    if "recipient" in body and not (isinstance(body["recipient"], str) and BSUID.fullmatch(body["recipient"])):
        return "'recipient' must be a business-scoped user id: country code, a period, up to 128 alphanumerics"
    return None


def _interactive_problem(interactive: dict[str, Any]) -> str | None:
    text = interactive.get("body", {}).get("text", "")
    if not text or _units(text) > 1024:
        return "interactive body.text must be 1..1024 characters"
    action = interactive.get("action", {})
    if interactive.get("type") == "list":
        if not 1 <= len(action.get("button", "")) <= 20:
            return "list action.button must be 1..20 characters"
        rows = [r for s in action.get("sections", []) for r in s.get("rows", [])]
        if not 1 <= len(rows) <= 10:
            return "a list needs 1..10 rows"
        for row in rows:
            if not row.get("id") or not 1 <= len(row.get("title", "")) <= 24 or len(row.get("description", "")) > 72:
                return "list row id required, title 1..24, description <= 72"
        return None
    if interactive.get("type") == "button":
        buttons = action.get("buttons", [])
        if not 1 <= len(buttons) <= 3:
            return "1..3 reply buttons"
        for button in buttons:
            reply = button.get("reply", {})
            if button.get("type") != "reply" or not reply.get("id") or not 1 <= len(reply.get("title", "")) <= 20:
                return "reply button needs type 'reply', an id and a 1..20 character title"
        return None
    return f"unsupported interactive type {interactive.get('type')!r}"


class FakeBotAPI(FakeAPI):
    """``POST /bot{token}/sendMessage`` and ``/bot{token}/answerCallbackQuery``."""

    def __init__(self, token: str = TG_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.files: dict[str, tuple[bytes, str]] = {}  # file id -> (bytes, file_path)

    @property
    def api_base(self) -> str:
        return self.base_url

    # media: ``getFile`` and ``GET /file/bot{token}/{file_path}`` ------------------------------------

    def add_file(self, data: bytes, folder: str = "photos", suffix: str = "jpg") -> str:
        """Serve ``data`` as a file people sent; returns its file_id (for an update payload)."""
        number = next(self._ids)
        file_id = f"AgACAgUAAxkBAAIB{number:08d}"
        self.files[file_id] = (data, f"{folder}/file_{number}.{suffix}")
        return file_id

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not path.endswith("/getFile"):
            return super().handle(path, headers, raw)
        authorized = path == f"/bot{self.token}/getFile"
        with self.lock:
            self.media_requests.append(("getFile", authorized))
        if not authorized:
            return 401, self.error_body(401, "Unauthorized"), {}
        try:
            file_id = json.loads(raw).get("file_id", "")
        except (ValueError, AttributeError):
            return 400, self.error_body(400, "Bad Request: file_id is required"), {}
        mode = self._media_mode(file_id)
        if file_id not in self.files or mode == "expired":
            return 400, self.error_body(400, "Bad Request: invalid file_id"), {}
        if mode == "error":
            return 500, self.error_body(500, "Internal Server Error"), {}
        if mode == "huge":
            return 400, self.error_body(400, "Bad Request: file is too big"), {}
        data, file_path = self.files[file_id]
        return 200, {"ok": True, "result": {"file_id": file_id, "file_unique_id": f"u{file_id[-8:]}",
                                            "file_size": len(data), "file_path": file_path}}, {}

    def handle_get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
        prefix = "/file/bot"
        authorized = path.startswith(f"{prefix}{self.token}/")
        with self.lock:
            self.media_requests.append(("file", authorized))
        if self.media_delay:
            time.sleep(self.media_delay)
        if not authorized:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}', "application/json"
        file_path = path[len(f"{prefix}{self.token}/"):]
        for file_id, (data, stored) in self.files.items():
            if stored == file_path:
                if self._media_mode(file_id) == "hang":
                    time.sleep(30)
                return 200, data, "application/octet-stream"
        return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}', "application/json"

    def check(self, path: str, headers: dict[str, str], body: Any) -> str | None:
        prefix = f"/bot{self.token}/"
        if not path.startswith("/bot"):
            return f"unknown path {path}"
        if not path.startswith(prefix):
            return "Unauthorized: wrong bot token"
        method = path[len(prefix):]
        if not isinstance(body, dict):
            return "body must be a JSON object"
        if method == "answerCallbackQuery":
            return None if body.get("callback_query_id") else "callback_query_id is required"
        if method != "sendMessage":
            return f"method {method} not found"
        return telegram_message_problem(body)

    def success_body(self, path: str, body: dict[str, Any], number: int) -> dict[str, Any]:
        if path.endswith("answerCallbackQuery"):
            return {"ok": True, "result": True}
        return {"ok": True, "result": {"message_id": number, "chat": {"id": body["chat_id"]}, "date": int(time.time()),
                                       "text": body["text"]}}

    def error_body(self, status: int, reason: str) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": reason}
        if status == 429:
            body["parameters"] = {"retry_after": 1}
        return body

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        return [d.body for d in self.deliveries if d.path.endswith("sendMessage") and d.body.get("chat_id") == chat_id]


class _TagChecker(html.parser.HTMLParser):
    ALLOWED = {"b", "strong", "i", "em", "u", "s", "a", "code", "pre", "blockquote", "tg-spoiler"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problem: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.ALLOWED:
            self.problem = f"can't parse entities: unsupported start tag {tag!r}"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problem = f"can't parse entities: unexpected end tag {tag!r}"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def telegram_message_problem(body: dict[str, Any]) -> str | None:
    if not isinstance(body.get("chat_id"), (int, str)) or body.get("chat_id") in ("", None):
        return "chat_id is required"
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return "message text is empty"
    visible = text
    if body.get("parse_mode") == "HTML":
        checker = _TagChecker()
        checker.feed(text)
        checker.close()
        if checker.problem or checker.stack:
            return checker.problem or "can't parse entities: unclosed tag"
        visible = "".join(checker.text)
    elif body.get("parse_mode") is not None:
        return f"unsupported parse_mode {body['parse_mode']!r}"
    if _units(visible) > 4096:
        return "message is too long"
    markup = body.get("reply_markup")
    if markup is not None:
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            return "reply_markup.inline_keyboard must be an array of button rows"
        for button in (b for r in rows for b in r):
            data = button.get("callback_data", "")
            if not button.get("text") or not 1 <= len(data.encode()) <= 64:
                return "inline keyboard button needs text and 1..64 bytes of callback_data"
    return None


class _Handler(BaseHTTPRequestHandler):
    api: FakeAPI

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, body, extra = self.api.handle(self.path, headers, raw)
        if status == DROPPED:
            self.close_connection = True
            return
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test, or a killed process)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, data, content_type = self.api.handle_get(self.path, headers)
        try:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


@contextmanager
def run_fake(api: FakeAPI) -> Iterator[FakeAPI]:
    """Serve ``api`` on 127.0.0.1 (a free port); sets ``api.base_url``."""
    handler: Callable[..., _Handler] = type("Handler", (_Handler,), {"api": api})
    server = _Server(("127.0.0.1", 0), handler)
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


def unescape_html(text: str) -> str:
    return html.unescape(text)
