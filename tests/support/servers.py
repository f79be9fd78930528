"""Real servers on loopback for tests: our ASGI app under uvicorn, in a background thread."""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

import uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_app(app: Any, port: int | None = None, lifespan: str = "on") -> Iterator[str]:
    """Run an ASGI app with uvicorn on 127.0.0.1; yields its base URL and stops it afterwards."""
    port = port or free_port()
    # As ``benarkah serve`` runs it: uvicorn's own proxy headers off (the app decides whom to believe).
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan,
                            proxy_headers=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def stop_process(process: "subprocess.Popen[bytes]", timeout: float = 15.0) -> None:
    """Ask a server subprocess to stop (SIGTERM, as a process manager would), then kill it if it hangs."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
