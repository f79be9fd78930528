"""Downloading a file people sent on WhatsApp (Cloud API "Retrieve media URL" and "Download media").

A message carries a media id (``image.id``, ``video.id``, ...). ``GET {API_BASE}/{media-id}?
phone_number_id=...`` with the Bearer token answers ``{"url", "mime_type", "sha256", "file_size",
"id"}``; the URL is valid for five minutes and must itself be fetched with the token. Media ids
expire (Meta keeps received media for 30 days), so the media lane downloads soon after the webhook.

The token goes only to the API base and to hosts in ``BENARKAH_WHATSAPP_MEDIA_HOSTS`` (Meta's:
``lookaside.fbsbx.com`` and kin): a download URL pointing anywhere else is refused rather than sent
our credentials. Redirects are followed by hand, at most three, each checked the same way. The
declared ``file_size`` refuses a file over the limit before it is fetched, and the bytes must have
the ``sha256`` the API announced.
"""

from __future__ import annotations

import hashlib
import re
import time
from urllib.parse import urljoin, urlsplit

import httpx

from ...domain.pictures import MediaProblem
from ...messaging.model import MediaFetchError, MediaRef
from ..download import json_object, read_bounded, retryable_status

MEDIA_ID = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")
MAX_REDIRECTS = 3


class WhatsAppMedia:
    channel = "whatsapp"

    def __init__(self, api_base: str, phone_number_id: str, token: str, timeout: float = 20.0,
                 hosts: str = "fbsbx.com,facebook.com,whatsapp.net,fbcdn.net") -> None:
        self.api_base = api_base.rstrip("/")
        self.phone_number_id = phone_number_id
        self.timeout = timeout
        base = urlsplit(self.api_base)
        self.base_origin = (base.scheme, base.netloc)
        self.hosts = tuple(h.strip().lower().lstrip(".") for h in hosts.split(",") if h.strip())
        self.auth = {"Authorization": f"Bearer {token}"}
        self.http = httpx.Client(timeout=timeout, follow_redirects=False)

    def fetch(self, ref: MediaRef, max_bytes: int) -> bytes:
        if not MEDIA_ID.match(ref.file_id):
            raise MediaFetchError("the message names no usable media id", retryable=False)
        meta = self._retrieve(ref.file_id)
        size = meta.get("file_size")
        if str(size).isdigit() and int(size) > max_bytes:
            raise MediaFetchError(f"the file is {int(size):,} bytes; the limit is {max_bytes:,}", retryable=False,
                                  problem=MediaProblem.TOO_LARGE)
        url = meta.get("url")
        if not isinstance(url, str) or not url:
            raise MediaFetchError("the Graph API gave no download URL", retryable=True)
        data = self._download(url, max_bytes)
        announced = str(meta.get("sha256", "")).lower()
        if re.fullmatch(r"[0-9a-f]{64}", announced) and hashlib.sha256(data).hexdigest() != announced:
            raise MediaFetchError("the downloaded bytes do not have the announced sha256", retryable=True)
        return data

    def _retrieve(self, media_id: str) -> dict:
        url = f"{self.api_base}/{media_id}"
        try:
            response = self.http.get(url, params={"phone_number_id": self.phone_number_id}, headers=self.auth)
        except httpx.TimeoutException:
            raise MediaFetchError("the Graph API timed out retrieving the media URL", retryable=True) from None
        except httpx.TransportError as exc:
            raise MediaFetchError(f"the Graph API is unreachable ({type(exc).__name__})", retryable=True) from None
        payload = json_object(response, "the Graph API")
        if response.status_code != 200:
            error = payload.get("error") if isinstance(payload.get("error"), dict) else {}
            raise MediaFetchError(f"the Graph API refused the media id (HTTP {response.status_code}, code "
                                  f"{error.get('code', '?')}: {str(error.get('message', ''))[:120]})",
                                  retryable=retryable_status(response.status_code))
        return payload

    def _download(self, url: str, max_bytes: int) -> bytes:
        deadline = time.monotonic() + 3 * self.timeout
        for _ in range(MAX_REDIRECTS + 1):
            self._check_host(url)
            try:
                response = self.http.send(self.http.build_request("GET", url, headers=self.auth), stream=True)
                try:
                    if not response.is_redirect:
                        return read_bounded(response, max_bytes, deadline, "WhatsApp media")
                    location = response.headers.get("location", "")
                finally:
                    response.close()
            except httpx.TimeoutException:
                raise MediaFetchError("the media download timed out", retryable=True) from None
            except httpx.TransportError as exc:
                raise MediaFetchError(f"the media download failed ({type(exc).__name__})", retryable=True) from None
            url = urljoin(url, location)
        raise MediaFetchError("the media download redirected too many times", retryable=False)

    def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if (parts.scheme, parts.netloc) == self.base_origin:
            return
        if parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in self.hosts):
            return
        raise MediaFetchError(f"the media URL points to {parts.scheme}://{host}, which is not one of Meta's "
                              "hosts (BENARKAH_WHATSAPP_MEDIA_HOSTS); the access token is not sent there",
                              retryable=False)

    def close(self) -> None:
        self.http.close()
