"""The ``benarkah`` command line. Each module registers its commands on ``app``."""

from __future__ import annotations

from ._app import app
from . import core as _core  # noqa: F401  (registers ingest, search, ask, eval, forget)
from . import serve as _serve  # noqa: F401  (registers serve, demo)


def main() -> None:
    app()


__all__ = ["app", "main"]
