"""Staff accounts for the dashboard: ``benarkah user add|passwd|disable|enable|list``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..admin.accounts import Accounts
from ..errors import AuthError
from ._app import DbOption, app, open_services

user_app = typer.Typer(help="Staff accounts for the fact-checkers' dashboard (/admin).", no_args_is_help=True)
app.add_typer(user_app, name="user")

Username = Annotated[str, typer.Argument(help="The staff login name", metavar="NAME", show_default=False)]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin (scripts)", metavar="")]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _run(db: str | None, action) -> None:  # type: ignore[no-untyped-def]
    with open_services(db) as services:
        try:
            action(Accounts(services.store))
        except AuthError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None


@user_app.command("add")
def add(username: Annotated[str, typer.Argument(help="Lower-case login name", metavar="NAME", show_default=False)],
        password_stdin: PasswordStdin = False, db: DbOption = None) -> None:
    """Create a staff account (asks for the password twice)."""
    password = _password(password_stdin)
    _run(db, lambda accounts: typer.echo(f"added user {accounts.add_user(username, password).username}"))


@user_app.command("passwd")
def passwd(username: Username, password_stdin: PasswordStdin = False, db: DbOption = None) -> None:
    """Set a new password (logs the user out everywhere)."""
    password = _password(password_stdin)
    _run(db, lambda accounts: (accounts.set_password(username, password), typer.echo("password changed")))


@user_app.command("disable")
def disable(username: Username, db: DbOption = None) -> None:
    """Block an account from logging in (ends its sessions)."""
    _run(db, lambda accounts: (accounts.set_disabled(username, True), typer.echo(f"disabled {username}")))


@user_app.command("enable")
def enable(username: Username, db: DbOption = None) -> None:
    """Allow a disabled account to log in again."""
    _run(db, lambda accounts: (accounts.set_disabled(username, False), typer.echo(f"enabled {username}")))


@user_app.command("list")
def list_users(db: DbOption = None) -> None:
    """Show staff accounts."""
    def show(accounts: Accounts) -> None:
        for user in accounts.users():
            typer.echo(f"{user.username}\t{'disabled' if user.disabled else 'active'}\tsince {user.created_at[:10]}")
    _run(db, show)
