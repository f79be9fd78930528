"""Tips from the terminal: ``benarkah tips list`` (the dashboard queue) and ``benarkah tips sweep``."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import DbOption, app, open_services

tips_app = typer.Typer(help="Tip clusters (what people ask that no fact-check answers yet).", no_args_is_help=True)
app.add_typer(tips_app, name="tips")


@tips_app.command("list")
def list_clusters(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many clusters, trending first", metavar="N")] = 20,
    db: DbOption = None,
) -> None:
    """The open clusters, fastest-spreading first (as on /admin)."""
    with open_services(db) as services:
        for c in services.tips.queue(limit=limit):
            typer.echo(f"#{c.id:<6} {c.tip_count:>5} tips  x{c.trend:<5.1f} {c.status:<9} {c.example[:70]}")


@tips_app.command("sweep")
def sweep(db: DbOption = None) -> None:
    """Finish interrupted work: cluster tips stored without a cluster, queue pending follow-ups."""
    with open_services(db) as services:
        clustered, notified = services.tips.sweep()
        typer.echo(f"clustered {clustered} tips, queued {notified} follow-ups")
