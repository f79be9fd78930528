"""The ``benarkah`` command line.

Each module of this package registers its commands on ``app`` when imported; they are imported here,
one line per command group.
"""

from __future__ import annotations

from . import apikeys, core, digest, extract, images, messaging, serve, tips, users  # noqa: F401 - registers the commands
from ._app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
