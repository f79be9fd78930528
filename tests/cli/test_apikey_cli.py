"""``benarkah apikey add|list|revoke`` on both backends (in-process with Typer's runner: the commands'
own behaviour; the subprocess round trips of other CLI tests cover the entry point)."""

from typer.testing import CliRunner

from benarkah.cli import app
from benarkah.publishing.apikeys import ApiKeys
from benarkah.storage import open_store
from tests.conftest import TEST_KEY

runner = CliRunner()


def test_add_list_revoke(db_url, monkeypatch):
    monkeypatch.setenv("BENARKAH_SECRET_KEY", TEST_KEY)

    def run(*args: str):
        return runner.invoke(app, ["apikey", *args, "--db", db_url])

    added = run("add", "peneliti-ui", "--per-minute", "30")
    assert added.exit_code == 0, added.output
    key = added.stdout.strip()
    assert key.startswith("bk_") and "shown only this once" in added.stderr and "(30/min)" in added.stderr
    store = open_store(db_url)
    try:
        assert ApiKeys(store).verify(key).name == "peneliti-ui"
    finally:
        store.close()
    assert run("add", "mitra").exit_code == 0  # the default limit
    listing = run("list").stdout
    assert f"peneliti-ui\t{key[:9]}…\t30/min" in listing and "mitra" in listing and "600/min" in listing
    assert key not in listing
    duplicate = run("add", "peneliti-ui")
    assert duplicate.exit_code == 1 and "revoke it first" in duplicate.stderr
    assert run("revoke", "peneliti-ui").stdout.strip() == "revoked peneliti-ui"
    assert "revoked 20" in run("list").stdout
    missing = run("revoke", "peneliti-ui")
    assert missing.exit_code == 1 and "no active key" in missing.stderr
    bad = run("add", "nama dengan spasi")
    assert bad.exit_code == 1 and "bad key name" in bad.stderr
