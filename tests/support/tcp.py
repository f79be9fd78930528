"""A TCP forwarder for fault tests: the way to a server that a test can cut, as a network or a crash would."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from typing import Iterator


class Forwarder:
    """Listens on a loopback port and pipes each connection to ``target``. ``cut()`` closes every
    connection and stops listening (connections are refused, as by a stopped server)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self._open:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    def cut(self) -> None:
        self._open = False
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept (close alone would not)
        except OSError:
            pass
        self.listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass


@contextmanager
def forwarding(host: str, port: int) -> Iterator[Forwarder]:
    forwarder = Forwarder((host, port))
    try:
        yield forwarder
    finally:
        forwarder.cut()
