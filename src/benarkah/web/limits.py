"""Request limits: a pure-ASGI guard that refuses request bodies over a size limit before they are read
into memory, and per-client request rates."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class BodySizeLimit:
    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _too_large(send, self.max_bytes)
            return
        received = 0
        started = False

        async def limited_receive() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge()
            return message

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _too_large(send, self.max_bytes)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"request body too large (limit {limit:,} bytes)"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


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
