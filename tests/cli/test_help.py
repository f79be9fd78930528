"""`--help` is the manual a newsroom engineer reads first: every option explained, no type placeholders."""

import re

import pytest
import typer
from typer.testing import CliRunner

from benarkah.cli import app

COMMAND = typer.main.get_command(app)
PLACEHOLDER = re.compile(r"\b(TEXT|INTEGER|FLOAT|BOOLEAN|PATH|FILENAME)\b|<[a-z][\w\[\], ]*>|RANGE")


def _commands(group, prefix=()):  # type: ignore[no-untyped-def]
    yield prefix, group
    for name, sub in getattr(group, "commands", {}).items():
        yield from _commands(sub, (*prefix, name))


COMMANDS = list(_commands(COMMAND))


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) or "benarkah" for p, _ in COMMANDS])
def test_every_option_is_described_and_help_has_no_type_placeholders(path, command):
    for param in command.params:
        if param.name != "help":
            assert (getattr(param, "help", None) or "").strip(), f"{' '.join(path)}: {param.name} has no description"
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert not PLACEHOLDER.search(result.output), PLACEHOLDER.search(result.output).group()


def test_db_option_names_its_default_and_the_environment_variable():
    result = CliRunner().invoke(app, ["search", "--help"], terminal_width=200)
    assert "benarkah.db" in result.output and "BENARKAH_DB" in result.output


def test_ingest_help_states_the_exit_status_for_rejected_rows():
    result = CliRunner().invoke(app, ["ingest", "--help"], terminal_width=200)
    assert "3 when it finished but rejected some rows" in " ".join(result.output.split())
