"""``benarkah backup PATH`` and ``benarkah restore BACKUP``: the database and the key it needs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ..errors import BenarkahError
from ..storage.backup import pg_dump, pg_restore, sqlite_backup, sqlite_restore
from ._app import DbOption, Progress, app, settings_for


def _sqlite_path(db: str) -> Path | None:
    if db.startswith(("postgresql://", "postgres://")):
        return None
    return Path(db.removeprefix("sqlite:///"))


def _copy_key(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(source.read_bytes())


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(metavar="DESTINATION", help="Where to write the backup (a new file)",
                                        show_default=False)],
    db: DbOption = None,
) -> None:
    """Back up the database while benarkah runs: SQLite through its online backup API (plus the key
    file beside the backup, with .key appended), PostgreSQL through pg_dump (custom format)."""
    settings = settings_for(db)
    try:
        sqlite = _sqlite_path(settings.db)
        if sqlite is None:
            size = pg_dump(settings.db, path)
            typer.echo(f"wrote {path} ({size:,} bytes, pg_dump custom format; restore with: benarkah restore {path})")
            typer.echo("the key is BENARKAH_SECRET_KEY: keep it with your secrets, apart from this backup", err=True)
            return
        size = sqlite_backup(sqlite, path, Progress("backup: pages copied"))
        typer.echo(f"wrote {path} ({size:,} bytes, checked)")
        key = Path(f"{sqlite}.key")
        if settings.secret_key:
            typer.echo("the key is BENARKAH_SECRET_KEY (not written): keep it apart from this backup", err=True)
        elif key.exists():
            _copy_key(key, Path(f"{path}.key"))
            typer.echo(f"wrote {path}.key (mode 0600): the key that recognises people; store it apart from the backup")
    except (BenarkahError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


@app.command()
def restore(
    backup_path: Annotated[Path, typer.Argument(metavar="BACKUP", help="A file written by benarkah backup",
                                                show_default=False)],
    db: DbOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing SQLite database (stop benarkah first)")] = False,
) -> None:
    """Restore a backup into the database (--db): SQLite with its key file; PostgreSQL with pg_restore."""
    settings = settings_for(db)
    try:
        sqlite = _sqlite_path(settings.db)
        if sqlite is None:
            pg_restore(backup_path, settings.db)
            typer.echo(f"restored {backup_path} into the PostgreSQL database; start benarkah to migrate it if older")
            return
        sqlite_restore(backup_path, sqlite, force=force)
        key, restored_key = Path(f"{backup_path}.key"), Path(f"{sqlite}.key")
        if key.exists():
            if restored_key.exists() and restored_key.read_bytes() != key.read_bytes():
                if not force:
                    raise BenarkahError(f"{restored_key} holds another key; pass --force to replace it")
                restored_key.unlink()
            if not restored_key.exists():
                _copy_key(key, restored_key)
        elif not settings.secret_key and not restored_key.exists():
            typer.echo(f"warning: no {key}; set BENARKAH_SECRET_KEY to the original key, or people will not be "
                       "recognised (follow-ups, forget)", err=True)
        typer.echo(f"restored {backup_path} to {sqlite}")
    except (BenarkahError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


__all__ = ["backup", "restore"]
