"""Reading people's files in child processes: bounded in concurrency, memory and time.

Decoding and OCR run on bytes a stranger chose. ``IsolatedReader`` hands each file to one of at most
``slots`` long-lived child processes (``spawn``ed, so nothing of the parent's threads or connections
is inherited), each limited to ``memory_mb`` of address space (``RLIMIT_AS``), and kills a child
that takes longer than ``timeout`` seconds. A decoder that crashes, runs out of memory or loops
takes down only its child: the caller gets ``MediaError(READ_FAILED)``, answers the person, and the
next file gets a fresh child. The work also leaves the parent's interpreter lock alone, so the
messaging worker answering text in the same process is not slowed by a burst of pictures.

``InProcessReader`` is the same interface without the isolation (the CLI, tests, debugging).
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from ..domain.pictures import MediaProblem
from ..errors import BenarkahError, MediaError, OcrUnavailable
from .limits import MediaLimits
from .reader import MediaReader, ReadMedia

log = logging.getLogger(__name__)
STARTUP_SECONDS = 120.0  # a child imports Pillow, numpy, PyAV and loads the OCR model once
READS_PER_CHILD = 200  # then it is replaced, so fragmentation or a slow leak cannot grow without bound


class Reader(Protocol):
    def read(self, data: bytes, wait: float | None = None) -> ReadMedia: ...
    def close(self) -> None: ...


class ReaderBusy(BenarkahError):
    """Every reader is busy and none came free within the wait: try again shortly."""


@dataclass(frozen=True)
class ReaderConfig:
    """What a child needs to build its ``MediaReader`` (plain data: it crosses a process boundary)."""

    limits: MediaLimits
    ocr_engine: str = "auto"
    tessdata: str = ""


def build_reader(config: ReaderConfig) -> MediaReader:
    from .ocr import load_ocr_engine

    try:
        engine = load_ocr_engine(config.ocr_engine, config.tessdata)
    except OcrUnavailable as exc:
        log.warning("pictures will be matched by their hash only: %s", exc)
        engine = None
    return MediaReader(config.limits, ocr=engine)


class InProcessReader:
    """Reads in the calling thread (Tesseract keeps one model per thread); the reader is built at the
    first file, so a process that never sees one never loads the OCR model."""

    def __init__(self, make: Callable[[], MediaReader]) -> None:
        self._make = make
        self._reader: MediaReader | None = None
        self._lock = threading.Lock()

    def read(self, data: bytes, wait: float | None = None) -> ReadMedia:  # noqa: ARG002
        if self._reader is None:
            with self._lock:
                if self._reader is None:
                    self._reader = self._make()
        return self._reader.read(data)

    def close(self) -> None:
        return None


def _serve(conn: Any, config: ReaderConfig, memory_bytes: int) -> None:
    """The child's loop: bytes in, ``("ok", ReadMedia)`` or ``("error", problem, message)`` out."""
    if memory_bytes:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    reader = build_reader(config)
    conn.send(("ready",))
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            result: tuple[Any, ...] = ("ok", reader.read(data))
        except MediaError as exc:
            result = ("error", exc.problem, str(exc))
        except MemoryError:
            result = ("error", MediaProblem.READ_FAILED.value, "the file needed more memory than a reader may use")
        except Exception as exc:  # noqa: BLE001 - any decoder failure is this file's problem, not the child's
            result = ("error", MediaProblem.READ_FAILED.value, f"{type(exc).__name__}: {exc}"[:300])
        del data
        conn.send(result)


class _Dead(Exception):
    """The child died or was killed."""


class _Child:
    def __init__(self, config: ReaderConfig, memory_bytes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, config, memory_bytes), daemon=True,
                                       name="benarkah-media-reader")
        self.process.start()
        theirs.close()
        self.reads = 0
        if not self.conn.poll(STARTUP_SECONDS):
            self.kill()
            raise _Dead(f"the media reader did not start within {STARTUP_SECONDS:.0f} s")
        try:
            self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise _Dead(f"the media reader exited while starting (exit code {self.process.exitcode})") from None

    def read(self, data: bytes, timeout: float) -> ReadMedia:
        self.reads += 1
        try:
            self.conn.send_bytes(data)
            if not self.conn.poll(timeout):
                self.kill()
                raise MediaError(MediaProblem.READ_FAILED, f"reading the file took longer than {timeout:.0f} s")
            answer = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.kill()
            raise _Dead(f"the media reader died (exit code {self.process.exitcode})") from None
        if answer[0] == "ok":
            return answer[1]
        raise MediaError(MediaProblem(answer[1]), answer[2])

    @property
    def alive(self) -> bool:
        return self.process.is_alive() and self.reads < READS_PER_CHILD

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class IsolatedReader:
    """At most ``slots`` files read at once, each in a child process; callers beyond that wait."""

    def __init__(self, config: ReaderConfig, slots: int = 1, memory_mb: int = 2048, timeout: float = 60.0) -> None:
        self.config = config
        self.memory_bytes = memory_mb * 1024 * 1024
        self.timeout = timeout
        self.slots = max(1, slots)
        self._idle: queue.LifoQueue[_Child | None] = queue.LifoQueue()
        for _ in range(self.slots):
            self._idle.put(None)  # a slot whose child is started on first use
        self._closed = threading.Event()

    def read(self, data: bytes, wait: float | None = None) -> ReadMedia:
        """``ReadMedia``, or ``MediaError`` (the file's problem, or READ_FAILED when its reader crashed,
        ran out of memory or time); ``ReaderBusy`` when no reader came free within ``wait`` seconds."""
        if self._closed.is_set():
            raise ReaderBusy("the media readers are shut down")
        try:
            child = self._idle.get(timeout=wait) if wait is not None else self._idle.get()
        except queue.Empty:
            raise ReaderBusy(f"all {self.slots} media readers are busy; try again in a moment") from None
        try:
            if child is not None and not child.alive:
                child.kill()
                child = None
            if child is None:
                child = _Child(self.config, self.memory_bytes)
            return child.read(data, self.timeout)
        except _Dead as exc:
            child = None
            log.warning("media reader crashed on a %d-byte file: %s", len(data), exc)
            raise MediaError(MediaProblem.READ_FAILED, f"the file could not be read: {exc}") from None
        except MediaError as exc:
            if exc.problem == MediaProblem.READ_FAILED and child is not None and not child.process.is_alive():
                child = None  # killed on timeout
            raise
        finally:
            if self._closed.is_set() and child is not None:
                child.kill()
                child = None
            self._idle.put(child)

    def close(self) -> None:
        self._closed.set()
        while True:
            try:
                child = self._idle.get_nowait()
            except queue.Empty:
                return
            if child is not None:
                child.kill()
