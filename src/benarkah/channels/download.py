"""Downloading a person's file from a channel's API: bounded in bytes and in time, whatever the server
says or does.

A declared ``Content-Length`` over the limit is refused before the body is read; a body without one
is read in chunks and dropped as soon as it passes the limit; each read waits at most the client's
timeout and the whole download at most ``deadline`` seconds (a server dripping one byte at a time
cannot hold a worker). Failures become ``MediaFetchError``s that say whether trying again can help.
"""

from __future__ import annotations

import time
from typing import Mapping

import httpx

from ..domain.pictures import MediaProblem
from ..messaging.model import MediaFetchError


def retryable_status(status: int) -> bool:
    return status in (408, 429) or status >= 500


def bounded_get(http: httpx.Client, url: str, max_bytes: int, deadline: float,
                headers: Mapping[str, str] | None = None, what: str = "file") -> bytes:
    """The body of ``GET url`` (no redirects followed), at most ``max_bytes`` long."""
    started = time.monotonic()
    try:
        with http.stream("GET", url, headers=headers) as response:
            return read_bounded(response, max_bytes, started + deadline, what)
    except httpx.TimeoutException as exc:
        raise MediaFetchError(f"{what} download timed out ({type(exc).__name__})", retryable=True) from None
    except httpx.TransportError as exc:
        raise MediaFetchError(f"{what} download failed ({type(exc).__name__})", retryable=True) from None


def read_bounded(response: httpx.Response, max_bytes: int, deadline: float, what: str = "file") -> bytes:
    """The body of a streamed 200 response, at most ``max_bytes``, done by ``deadline`` (monotonic)."""
    if response.status_code != 200:
        raise MediaFetchError(f"{what} download answered HTTP {response.status_code}",
                              retryable=retryable_status(response.status_code))
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(what, int(declared), max_bytes)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(what, size, max_bytes)
        if time.monotonic() > deadline:
            raise MediaFetchError(f"{what} download took too long", retryable=True)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(what: str, size: int, limit: int) -> MediaFetchError:
    return MediaFetchError(f"the {what} is over {limit:,} bytes ({size:,} seen)", retryable=False,
                           problem=MediaProblem.TOO_LARGE)


def json_object(response: httpx.Response, what: str) -> dict:
    try:
        payload = response.json()
    except ValueError:
        raise MediaFetchError(f"{what} answered something that is not JSON (HTTP {response.status_code})",
                              retryable=retryable_status(response.status_code)) from None
    if not isinstance(payload, dict):
        raise MediaFetchError(f"{what} answered JSON that is not an object", retryable=False)
    return payload
