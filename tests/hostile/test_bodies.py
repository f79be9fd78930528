"""Case 6: request bodies without a Content-Length, over the limit or trickling in.

The size guard counted chunked bodies as they were read but its refusal surfaced inside the app as a
500; and a body sent a byte at a time held a server thread and a connection for as long as the client
liked. Raw sockets, because an HTTP client library would not send these.
"""

from __future__ import annotations

import socket
import time
from typing import Iterator

import pytest

from benarkah.app import build
from benarkah.settings import Settings
from benarkah.web.app import create_app
from tests.conftest import TEST_KEY, load_demo
from tests.support.servers import serve_app

pytestmark = pytest.mark.case(6)
LIMIT = 2048
READ_TIMEOUT = 1.0


@pytest.fixture
def address(tmp_path) -> Iterator[tuple[str, int]]:
    services = build(Settings(db=str(tmp_path / "b.db"), secret_key=TEST_KEY, semantic=False,
                              max_request_bytes=LIMIT, request_read_timeout_seconds=READ_TIMEOUT))
    load_demo(services)
    try:
        with serve_app(create_app(services)) as url:
            host, port = url.removeprefix("http://").split(":")
            yield host, int(port)
    finally:
        services.close()


def status_of(sock: socket.socket) -> int:
    head = b""
    while b"\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return int(head.split(b" ", 2)[1])


def chunked_request(path: str, chunks: list[bytes], content_type: str = "application/json") -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode()
    return head + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"


@pytest.mark.parametrize("path, content_type", [("/api/ask", "application/json"),
                                                ("/chat", "application/x-www-form-urlencoded")])
def test_a_chunked_body_over_the_limit_is_413(address, path, content_type):
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(chunked_request(path, [b"x" * 1000] * 5, content_type))
        assert status_of(sock) == 413


def test_a_chunked_body_under_the_limit_is_answered(address):
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(chunked_request("/api/ask", [b'{"text": "vaksin ', b'chip"}']))
        assert status_of(sock) == 200


@pytest.mark.parametrize("chunked", [False, True])
def test_a_trickling_body_gets_a_read_timeout(address, chunked):
    framing = "Transfer-Encoding: chunked" if chunked else "Content-Length: 200"
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(f"POST /api/ask HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
                     .encode())
        started = time.monotonic()
        sock.setblocking(False)
        status = None
        while time.monotonic() - started < 8:
            try:
                sock.sendall(b"1\r\n \r\n" if chunked else b" ")
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                pass
            try:
                data = sock.recv(4096)
            except BlockingIOError:
                time.sleep(0.2)
                continue
            status = int(data.split(b" ", 2)[1]) if data else None
            break
        waited = time.monotonic() - started
    assert status == 408, f"no timeout after {waited:.1f} s"
    assert waited < READ_TIMEOUT + 3
