"""Per-client request rates (``RateLimit``), and a pure-ASGI guard on request bodies (``BodySizeLimit``):
bounded in size and in the time they take to arrive.

A declared ``Content-Length`` over the limit is refused before anything is read. A body without one
(``Transfer-Encoding: chunked``) is read here, before the app sees it, up to the limit: past it the
answer is 413 and the app never runs (a refusal raised inside the app's own reading would surface as
its 500). The whole body must arrive within ``read_timeout`` seconds, or the answer is 408: a client
that sends a byte a second would otherwise hold a connection and a server thread for as long as it
liked. Bodies are at most ``max_bytes`` (256 KB by default), so holding one in memory is cheap.
``uploads`` names the paths where a ``multipart/form-data`` body (a picture people upload on the web
chat or ``POST /api/ask``) may be larger, up to its own limit (16 MB by default), with
``upload_timeout`` seconds to arrive.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Mapping

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class RateLimit:
    """Fixed one-minute windows per client, in memory and bounded (oldest clients forgotten).

    Per process: with ``serve --processes N`` a client can get up to N times the limit, which is
    what a guard against one script hammering one endpoint needs; nothing relies on it being exact.
    """

    def __init__(self, per_minute: int = 30, tracked: int = 10_000) -> None:
        self.per_minute, self.tracked = per_minute, tracked
        self._windows: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None, per_minute: int | None = None) -> bool:
        """Count one request of ``client``; False once it is over its limit this minute
        (``per_minute`` overrides the default, e.g. an API key's own limit)."""
        minute = int((now if now is not None else time.time()) // 60)
        with self._lock:
            window, count = self._windows.pop(client, (minute, 0))
            count = count + 1 if window == minute else 1
            self._windows[client] = (minute, count)
            while len(self._windows) > self.tracked:
                self._windows.popitem(last=False)
            return count <= (self.per_minute if per_minute is None else per_minute)

    def retry_after(self, now: float | None = None) -> int:
        """Seconds until the current window ends."""
        return 60 - int(now if now is not None else time.time()) % 60


class BodySizeLimit:
    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], max_bytes: int,
                 read_timeout: float = 10.0, uploads: Mapping[str, int] | None = None,
                 upload_timeout: float = 60.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout
        self.uploads = dict(uploads or {})
        self.upload_timeout = upload_timeout

    def limits(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[int, float]:
        """(bytes, seconds) allowed for this request's body."""
        upload = self.uploads.get(scope.get("path", ""))
        if upload is not None and headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data"):
            return upload, max(self.read_timeout, self.upload_timeout)
        return self.max_bytes, self.read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        limit, timeout = self.limits(scope, headers)
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, 413, f"request body too large (limit {limit:,} bytes)")
            return
        has_body = (declared is not None and declared != b"0") or b"transfer-encoding" in headers
        if not has_body:
            await self.app(scope, receive, send)
            return
        try:
            async with asyncio.timeout(timeout):
                body = await self._read(receive, limit)
        except TimeoutError:
            await _refuse(send, 408, f"request body not received within {timeout:g} s")
            return
        if body is None:
            await _refuse(send, 413, f"request body too large (limit {limit:,} bytes)")
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive, limit: int) -> bytes | None:
        """The whole body, or None once it exceeds the limit (the rest is never read)."""
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see nothing
                return b"".join(parts)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect, as the server would

    return replayed


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
