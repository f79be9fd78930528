"""Downloading a file people sent on Telegram: ``getFile`` (file id -> ``file_path``), then
``{API_BASE}/file/bot{TOKEN}/{file_path}``.

The Bot API hands bots files of at most 20 MB (``getFile`` refuses bigger ones with "file is too
big"), so that is the limit here whatever the media limits allow; a size the update declared is
checked before anything is requested. The download link stays valid for an hour. ``file_path`` comes
from Telegram, but it is still checked to be a plain relative path before it becomes part of a URL.
"""

from __future__ import annotations

import re
import time

import httpx

from ...domain.pictures import MediaProblem
from ...messaging.model import MediaFetchError, MediaRef
from ..download import bounded_get, json_object, retryable_status

BOT_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024
FILE_ID = re.compile(r"^[A-Za-z0-9_-]{1,300}$")
FILE_PATH = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")


class TelegramMedia:
    channel = "telegram"

    def __init__(self, api_base: str, token: str, timeout: float = 20.0) -> None:
        base = api_base.rstrip("/")
        self.methods = f"{base}/bot{token}"
        self.files = f"{base}/file/bot{token}"
        self.timeout = timeout
        self.http = httpx.Client(timeout=timeout, follow_redirects=False)

    def fetch(self, ref: MediaRef, max_bytes: int) -> bytes:
        limit = min(max_bytes, BOT_API_DOWNLOAD_LIMIT) if max_bytes else BOT_API_DOWNLOAD_LIMIT
        if ref.size > limit:
            raise _too_large(ref.size, limit)
        if not FILE_ID.match(ref.file_id):
            raise MediaFetchError("the update names no usable file id", retryable=False)
        started = time.monotonic()
        result = self._get_file(ref.file_id)
        size = result.get("file_size")
        if isinstance(size, int) and size > limit:
            raise _too_large(size, limit)
        path = result.get("file_path")
        if not isinstance(path, str) or not FILE_PATH.match(path) or ".." in path.split("/"):
            raise MediaFetchError("getFile gave no usable file_path", retryable=False)
        left = max(1.0, 3 * self.timeout - (time.monotonic() - started))
        return bounded_get(self.http, f"{self.files}/{path}", limit, deadline=left, what="Telegram file")

    def _get_file(self, file_id: str) -> dict:
        try:
            response = self.http.post(f"{self.methods}/getFile", json={"file_id": file_id})
        except httpx.TimeoutException:
            raise MediaFetchError("getFile timed out", retryable=True) from None
        except httpx.TransportError as exc:
            raise MediaFetchError(f"the Bot API is unreachable ({type(exc).__name__})", retryable=True) from None
        payload = json_object(response, "getFile")
        if response.status_code == 200 and payload.get("ok") and isinstance(payload.get("result"), dict):
            return payload["result"]
        description = str(payload.get("description", ""))[:200]
        if "too big" in description.lower():
            raise MediaFetchError(f"getFile: {description}", retryable=False, problem=MediaProblem.TOO_LARGE)
        raise MediaFetchError(f"getFile answered HTTP {response.status_code}: {description}",
                              retryable=retryable_status(response.status_code))

    def close(self) -> None:
        self.http.close()


def _too_large(size: int, limit: int) -> MediaFetchError:
    return MediaFetchError(f"the file is {size:,} bytes; bots download at most {limit:,}", retryable=False,
                           problem=MediaProblem.TOO_LARGE)
