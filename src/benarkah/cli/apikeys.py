"""API keys for the claims:search API: ``benarkah apikey add|list|revoke NAME``."""

from __future__ import annotations

from typing import Annotated, Callable, Optional

import typer

from ..publishing.apikeys import ApiKeyError, ApiKeys
from ._app import DbOption, app, open_services

apikey_app = typer.Typer(help="API keys for the Fact Check Tools-compatible API (/api/v1/claims:search).",
                         no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")


def _run(db: str | None, action: Callable[[ApiKeys, int], None]) -> None:
    with open_services(db) as services:
        try:
            action(ApiKeys(services.store), services.settings.api_key_per_minute)
        except ApiKeyError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None


@apikey_app.command("add")
def add(name: Annotated[str, typer.Argument(help="Who the key is for, e.g. a partner's name", metavar="KEY_NAME",
                                            show_default=False)],
        per_minute: Annotated[Optional[int], typer.Option(
            "--per-minute", min=1, metavar="N",
            help="Requests per minute; default BENARKAH_API_KEY_PER_MINUTE, else 600")] = None,
        db: DbOption = None) -> None:
    """Make a key and print it once (only its hash is stored: keep it now or make another)."""
    def make(keys: ApiKeys, default: int) -> None:
        record, key = keys.add(name, per_minute or default)
        typer.echo(key)
        typer.echo(f"added key {record.name!r} ({record.per_minute}/min); it is shown only this once", err=True)
    _run(db, make)


@apikey_app.command("list")
def list_keys(db: DbOption = None) -> None:
    """Show keys (name, first characters, limit, dates), revoked ones too."""
    def show(keys: ApiKeys, _: int) -> None:
        for key in keys.list():
            state = "active" if key.active else f"revoked {key.revoked_at[:10]}"  # type: ignore[index]
            typer.echo(f"{key.name}\t{key.prefix}…\t{key.per_minute}/min\tsince {key.created_at[:10]}\t{state}")
    _run(db, show)


@apikey_app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The key's name", metavar="KEY_NAME", show_default=False)],
           db: DbOption = None) -> None:
    """Stop a key working (at once, in every process)."""
    _run(db, lambda keys, _: typer.echo(f"revoked {keys.revoke(name).name}"))
