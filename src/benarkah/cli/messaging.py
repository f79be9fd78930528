"""Messaging commands: run the inbox worker / outbox sender apart from the web server, inspect and
retry the queue.

``benarkah serve`` runs webhook, worker and sender together; for separate deployment run
``benarkah serve --no-workers`` (webhooks only) and ``benarkah worker --role inbox|outbox|all``
elsewhere, against the same database.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from dataclasses import asdict
from typing import Annotated, Optional

import typer

from ._app import DbOption, app, open_services

queue_app = typer.Typer(help="Inspect the messaging inbox/outbox and retry dead letters.", no_args_is_help=True)
app.add_typer(queue_app, name="queue")


@app.command()
def worker(
    role: Annotated[str, typer.Option(help="inbox (answer messages), outbox (send replies) or all", metavar="ROLE")] = "all",
    db: DbOption = None,
) -> None:
    """Run the messaging worker (and/or sender) until Ctrl+C or SIGTERM."""
    if role not in ("inbox", "outbox", "all"):
        typer.echo("error: --role must be inbox, outbox or all", err=True)
        raise typer.Exit(2)
    with open_services(db) as services:
        logging.getLogger("benarkah").setLevel(services.settings.log_level.upper())
        services.identity.check()
        if role != "inbox" and not services.clients():
            typer.echo("error: no channel configured to send with: set BENARKAH_WHATSAPP_TOKEN and "
                       "BENARKAH_WHATSAPP_PHONE_NUMBER_ID, or BENARKAH_TELEGRAM_TOKEN", err=True)
            raise typer.Exit(1)
        services.prepare_serving()
        services.index.engine()
        runtime = services.runtime(role).start()  # type: ignore[arg-type]
        stopped = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopped.set())
        typer.echo(f"messaging worker running (role {role}); Ctrl+C to stop", err=True)
        stopped.wait()
        runtime.stop()


@queue_app.command("status")
def queue_status(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output", metavar="")] = False,
) -> None:
    """Queue depths by status (unaddressable messages included), what the APIs reported about sent
    messages (sent, delivered, read, failed by error code), and the latest dead letters."""
    with open_services(db) as services:
        queue = services.queue
        depths, deliveries, dead_letters = queue.depths(), queue.delivery_counts(), queue.dead_letters()
        if as_json:
            typer.echo(json.dumps({"depths": depths, "deliveries": deliveries,
                                   "dead_letters": [asdict(d) for d in dead_letters]}, indent=2))
            return
        for table, counts in depths.items():
            summary = ", ".join(f"{status} {count}" for status, count in counts.items()) or "empty"
            typer.echo(f"{table}: {summary}")
        for channel, counts in deliveries.items():
            typer.echo(f"deliveries {channel}: " + ", ".join(f"{status} {count}" for status, count in counts.items()))
        for dead in dead_letters:
            code = f" (code {dead.code})" if dead.code else ""
            typer.echo(f"  #{dead.id} {dead.status} {dead.channel} {dead.purpose} "
                       f"after {dead.attempts} attempts{code}: {dead.error}")


@queue_app.command("retry")
def queue_retry(
    ids: Annotated[Optional[list[int]], typer.Argument(help="Outbox ids (default: every dead letter)", metavar="[ID]...", show_default=False)] = None,
    db: DbOption = None,
) -> None:
    """Send dead letters again (after fixing their cause: the token, the API base, a template)."""
    with open_services(db) as services:
        count = services.queue.retry_dead(ids or None)
        typer.echo(f"{count} dead letters queued again")
