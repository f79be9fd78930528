from typer.testing import CliRunner

from benarkah.cli import app

runner = CliRunner()


def test_user_add_passwd_list_disable(tmp_path, monkeypatch):
    monkeypatch.setenv("BENARKAH_SECRET_KEY", "test-secret-key-0123456789abcdef")
    db = str(tmp_path / "t.db")
    result = runner.invoke(app, ["user", "add", "editor", "--db", db], input="kopi-tubruk-2026\nkopi-tubruk-2026\n")
    assert result.exit_code == 0, result.output
    assert "added user editor" in result.output
    again = runner.invoke(app, ["user", "add", "editor", "--password-stdin", "--db", db], input="kopi-tubruk-2026\n")
    assert again.exit_code == 1 and "already exists" in again.output
    short = runner.invoke(app, ["user", "passwd", "editor", "--password-stdin", "--db", db], input="short\n")
    assert short.exit_code == 1 and "characters" in short.output
    assert runner.invoke(app, ["user", "passwd", "editor", "--password-stdin", "--db", db],
                         input="teh-manis-dingin\n").exit_code == 0
    assert runner.invoke(app, ["user", "disable", "editor", "--db", db]).exit_code == 0
    listing = runner.invoke(app, ["user", "list", "--db", db])
    assert "editor\tdisabled" in listing.output


def test_tips_list_and_sweep(tmp_path, monkeypatch):
    monkeypatch.setenv("BENARKAH_SECRET_KEY", "test-secret-key-0123456789abcdef")
    monkeypatch.setenv("BENARKAH_SEMANTIC", "false")
    db = str(tmp_path / "t.db")
    for text in ("gajah terbang di langit Monas malam tahun baru", "video gajah terbang di langit monas"):
        assert runner.invoke(app, ["ask", text, "--db", db]).exit_code == 0
    listing = runner.invoke(app, ["tips", "list", "--db", db])
    assert listing.exit_code == 0 and "2 tips" in listing.output and "gajah terbang" in listing.output
    swept = runner.invoke(app, ["tips", "sweep", "--db", db])
    assert swept.exit_code == 0 and "clustered 0 tips, queued 0 follow-ups" in swept.output
