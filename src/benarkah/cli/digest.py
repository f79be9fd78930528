"""Digest subscriptions from the terminal: ``benarkah digest send`` and ``benarkah digest status``.

The messaging worker sends due digests by itself (every ``BENARKAH_DIGEST_CHECK_SECONDS`` when idle);
``digest send`` is for cron-minded deployments and for running one right now. Both queue into the
outbox; the sender (``serve`` or ``worker --role outbox``) delivers.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import DbOption, app, open_services

digest_app = typer.Typer(help="Digests of new fact-checks for subscribers (\"langganan\").", no_args_is_help=True)
app.add_typer(digest_app, name="digest")


@digest_app.command("send")
def send(db: DbOption = None) -> None:
    """Queue every digest due now, each subscriber once per period (safe to run again)."""
    with open_services(db) as services:
        typer.echo(services.subscriptions.send_due().summary())


@digest_app.command("status")
def status(days: Annotated[int, typer.Option(min=1, max=365, metavar="DAYS",
                                             help="Count the digests of the last DAYS days (1-365)")] = 30,
           db: DbOption = None) -> None:
    """Subscribers by channel and frequency, and the digests of the last DAYS days by outcome."""
    with open_services(db) as services:
        counts = services.subscriptions.counts(days=days)
        for channel, frequency, people in counts.active:
            typer.echo(f"{channel}\t{frequency}\t{people} subscribed")
        typer.echo(f"{counts.stopped} stopped")
        typer.echo(", ".join(f"{n} {outcome}" for outcome, n in counts.digests) or "no digests yet")
