"""``forget``: a person found by any of their identifiers, every row of theirs gone, the tip clusters
their tips shaped rebuilt from the tips left, and no copy left in the database files. Each storage
test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import glob
import json

import pytest
from typer.testing import CliRunner

from benarkah.app import build
from benarkah.cli import app as cli
from benarkah.erasure import NothingToForget, UnknownChannel
from benarkah.messaging import Inbound, Kind
from benarkah.privacy import Handles
from tests.conftest import TEST_KEY, load_demo

PHONE = "6281234567890"        # as WhatsApp delivers it
MARKER = "zqxjkembangapi"      # a word only the forgotten person wrote
RUMOUR = "gajah terbang di atas monas malam tahun baru"


@pytest.fixture
def services(any_services):
    return any_services


def wa(n: int, phone: str = PHONE, text: str = "tips", **handles: str) -> Inbound:
    sender = Handles(phone=phone, **handles) if handles else None
    return Inbound("whatsapp", f"wamid.E{n}", phone, Kind.TEXT, text, {"message_id": f"wamid.E{n}"}, sender)


def answer_all(services) -> None:
    worker = services.runtime("inbox").worker
    while worker.run_once():
        pass


@pytest.mark.parametrize("typed", ["+62 812-3456-7890", "0812 3456 7890", "62812 3456 7890", "+6281234567890"])
def test_numbers_are_normalised_the_way_whatsapp_delivers_them(services, typed):
    services.queue.accept([wa(1)])
    report = services.forget("whatsapp", typed)
    assert report.records >= 2 and report.looked_up_as == "phone"  # inbox row, contact (24-hour window)
    assert services.queue.depths()["inbox"] == {}
    with pytest.raises(NothingToForget, match="nothing is stored"):
        services.forget("whatsapp", typed)


def test_unknown_people_and_channels_are_errors_not_silent_successes(services):
    with pytest.raises(NothingToForget):
        services.forget("whatsapp", "+62 811 0000 0000")
    with pytest.raises(UnknownChannel, match="whatsapp, telegram, web, api, cli"):
        services.forget("sms", "x")


def test_a_person_is_found_by_bsuid_or_username_and_all_their_identifiers_go(services):
    bsuid = "ID.1502576394655843"
    services.queue.accept([wa(1, bsuid=bsuid, username="budi.cekfakta"), wa(2, phone="6281200000002")])
    report = services.forget("whatsapp", "@Budi.CekFakta")
    assert report.looked_up_as == "username" and report.records >= 5  # inbox, contact, 3 identity links
    for typed in (bsuid, PHONE, "@budi.cekfakta"):
        with pytest.raises(NothingToForget):
            services.forget("whatsapp", typed)
    assert services.queue.depths()["inbox"] == {"pending": 1}  # the other person is untouched
    services.queue.accept([wa(3, phone="6281200000003", bsuid="ID.77")])
    assert services.forget("whatsapp", "ID.77").looked_up_as == "bsuid"


def test_clusters_are_rebuilt_from_the_tips_left_and_emptied_ones_deleted(services, any_settings):
    load_demo(services)
    other_process = build(any_settings)  # another worker process, its clustering index already loaded
    try:
        services.queue.accept([wa(1, text=f"{RUMOUR} {MARKER}"), wa(2, text="banjir lumpur di alun alun garut kemarin")])
        answer_all(services)
        services.queue.accept([wa(3, phone="6281200000002", text=f"video {RUMOUR}")])
        answer_all(services)
        other_process.tips.record("whatsapp", "c" * 32, "6281200000009", "longsor di puncak bogor tadi pagi")
        clusters = {c.example: c for c in services.tips.queue()}
        shared = clusters[f"{RUMOUR} {MARKER}"]
        assert shared.tip_count == 2 and len(clusters) == 3

        report = services.forget("whatsapp", "+62 812 3456 7890")
        assert (report.clusters_rebuilt, report.clusters_deleted) == (1, 1)
        after = {c.id: c for c in services.tips.queue()}
        assert set(after) == {shared.id, clusters["longsor di puncak bogor tadi pagi"].id}
        rebuilt = after[shared.id]
        assert rebuilt.example == f"video {RUMOUR}" and rebuilt.tip_count == 1
        assert MARKER not in _profile(services, shared.id)

        # The other process reloads its index instead of writing the erased words back.
        other_process.tips.record("whatsapp", "d" * 32, "6281200000008", f"{RUMOUR} lagi")
        assert services.tips.cluster(shared.id).tip_count == 2
        assert MARKER not in _profile(services, shared.id)
        assert MARKER not in _dump(services)
    finally:
        other_process.close()


def test_sqlite_files_keep_no_copy_of_what_was_forgotten(settings):
    services = build(settings)
    try:
        load_demo(services)
        services.queue.accept([wa(1, text=f"{RUMOUR} {MARKER}"), wa(2, phone="6281200000002", text=f"video {RUMOUR}")])
        answer_all(services)
        assert any(MARKER.encode() in open(p, "rb").read() for p in _files(settings))  # it was there
        report = services.forget("whatsapp", "0812-3456-7890")
        assert report.scrubbed
        for path in _files(settings):
            data = open(path, "rb").read()
            assert MARKER.encode() not in data and MARKER.encode("utf-16-le") not in data, path
    finally:
        services.close()


def test_the_cli_exits_non_zero_on_nothing_found_and_on_a_bad_channel(settings, monkeypatch):
    monkeypatch.setenv("BENARKAH_SECRET_KEY", TEST_KEY)
    services = build(settings)
    services.queue.accept([wa(1)])
    services.close()
    runner = CliRunner()
    bad = runner.invoke(cli, ["forget", "x", "--channel", "sms", "--db", settings.db])
    assert bad.exit_code == 2 and "unknown channel 'sms'" in bad.output
    done = runner.invoke(cli, ["forget", "+62 812-3456-7890", "--db", settings.db])
    assert done.exit_code == 0, done.output
    assert "erased" in done.output and "looked up as phone" in done.output and "files scrubbed" in done.output
    again = runner.invoke(cli, ["forget", "+62 812-3456-7890", "--db", settings.db])
    assert again.exit_code == 1 and "nothing is stored" in again.output
    garbage = runner.invoke(cli, ["forget", "not a number", "--db", settings.db])
    assert garbage.exit_code == 1 and "not a phone number" in garbage.output


def _profile(services, cluster_id: int) -> dict:
    row = services.store.connection().execute("SELECT profile FROM tip_clusters WHERE id = ?", (cluster_id,)).fetchone()
    return json.loads(row[0])


def _dump(services) -> str:
    """Every row of every table, as text."""
    store = services.store
    if store.backend == "postgresql":
        tables = [r[0] for r in store.connection().execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
    else:
        tables = [r[0] for r in store.connection().execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return "\n".join(repr(store.connection().execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)


def _files(settings) -> list[str]:
    return [p for p in glob.glob(settings.db + "*") if not p.endswith(".key")]
