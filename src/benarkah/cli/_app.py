"""The Typer application and the option every command shares (``--db``)."""

from __future__ import annotations

import logging
import sys
import time
from contextlib import contextmanager
from typing import Annotated, Iterator, Optional

import typer

from ..app import Services, build
from ..errors import BenarkahError
from ..settings import Settings

app = typer.Typer(
    help="benarkah — a fact-check tipline engine. Ingest fact-checks, then answer what people ask.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[
    Optional[str],
    typer.Option("--db", help="Database: a SQLite file or a postgresql:// URL; default benarkah.db in the current "
                              "folder, or BENARKAH_DB when set", show_default=False, metavar="PATH_OR_URL"),
]


def settings_for(db: str | None, **overrides: object) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if db:
        values["db"] = db
    return Settings(**values)  # type: ignore[arg-type]


@contextmanager
def open_services(db: str | None, **overrides: object) -> Iterator[Services]:
    """The services for one command; benarkah errors become a one-line message and exit code 1."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    services = None
    try:
        services = build(settings_for(db, **overrides))
        yield services
    except BenarkahError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        if services is not None:
            services.close()


class Progress:
    """Progress on stderr for long jobs: a line every few seconds, never on short runs."""

    def __init__(self, label: str, every_seconds: float = 2.0) -> None:
        self.label = label
        self.every = every_seconds
        self.started = time.monotonic()
        self.last = self.started

    def __call__(self, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        of = f"/{total:,}" if total else ""
        sys.stderr.write(f"{self.label}: {done:,}{of} ({rate:,.0f}/s)\n")
        sys.stderr.flush()
