"""``benarkah digest send|status`` on both backends."""

from typer.testing import CliRunner

from benarkah.app import build
from benarkah.cli import app
from benarkah.domain.articles import article_from_record
from benarkah.settings import Settings
from tests.conftest import TEST_KEY

runner = CliRunner()


def test_send_and_status(db_url, monkeypatch):
    monkeypatch.setenv("BENARKAH_SECRET_KEY", TEST_KEY)
    monkeypatch.setenv("BENARKAH_SEMANTIC", "false")
    services = build(Settings(db=db_url, secret_key=TEST_KEY, semantic=False))
    try:
        services.tipline.handle_text("telegram", "5001", "langganan")
        services.tipline.handle_text("telegram", "5002", "langganan mingguan")
        services.store.connection().execute(  # they subscribed before the current periods began
            "UPDATE subscriptions SET started_at = '2020-01-01T00:00:00.000+00:00'")
        services.index.upsert([article_from_record({"id": "n1", "title": "[HOAKS] Kabar Baru"})])
    finally:
        services.close()
    sent = runner.invoke(app, ["digest", "send", "--db", db_url])
    assert sent.exit_code == 0, sent.output
    assert sent.stdout.startswith("daily 20") and "1 queued" in sent.stdout and "weekly 20" in sent.stdout
    again = runner.invoke(app, ["digest", "send", "--db", db_url])
    assert "nobody due" in again.stdout and "queued" not in again.stdout
    status = runner.invoke(app, ["digest", "status", "--db", db_url]).stdout
    assert "telegram\tdaily\t1 subscribed" in status and "telegram\tweekly\t1 subscribed" in status
    assert "0 stopped" in status and "2 queued" in status
