"""The ``benarkah`` command line.

Every module in this package registers its commands on ``app`` when imported; they are discovered,
so adding a command group means adding a module, not editing this file.
"""

from __future__ import annotations

import importlib
import pkgutil

from ._app import app


def _register_commands() -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


_register_commands()


def main() -> None:
    app()


__all__ = ["app", "main"]
