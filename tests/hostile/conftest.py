"""The hostile-input and fault suite (issue 17): every case a hostile sender, a full disk or a killed
process once broke, kept as tests. Each test is marked with the numbered case it covers
(``@pytest.mark.case(N)``); the terminal summary counts, per case, how many held.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

import pytest

CASES = {
    1: "secret key: atomic creation, refuse missing/short/unreadable",
    2: "messaging worker supervised; readiness and metrics see a dead or stalled worker",
    4: "NUL characters stored the same on both backends",
    5: "signed bodies that crash parsers: depth, huge numbers, lone surrogates",
    6: "oversized chunked bodies and trickling bodies",
    7: "login limit holds under parallel guessing",
    8: "per-client API limit and per-sender tip budget",
    9: "no database password in any process's argv",
    10: "leases outlive the sends they cover",
    11: "proxies, Host, probes with PostgreSQL down, admin ids and text, file modes",
}
_held: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # case -> [held, tried]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "case(n): the numbered case of issue 17 a hostile test covers")


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> None:
    marker = item.get_closest_marker("case")
    if marker is None or call.when != "call":
        return
    counts = _held[int(marker.args[0])]
    counts[1] += 1
    if call.excinfo is not None and call.excinfo.errisinstance(pytest.skip.Exception):
        counts[1] -= 1
        return
    counts[0] += call.excinfo is None


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if not _held:
        return
    held = sum(c[0] for c in _held.values())
    tried = sum(c[1] for c in _held.values())
    terminalreporter.section("hostile inputs and faults")
    terminalreporter.write_line(f"{held} of {tried} held")
    for case in sorted(_held):
        ok, total = _held[case]
        terminalreporter.write_line(f"  case {case:>2}: {ok}/{total} held  {CASES.get(case, '')}")


# A live deployment on each backend: the app under uvicorn, the worker and sender threads, fake APIs.
from tests.channels.conftest import Live, bot, channel_settings, deployment, graph  # noqa: E402,F401 - fixtures


@pytest.fixture
def live(db_url, graph, bot) -> Iterator[Live]:  # noqa: F811
    with deployment(channel_settings(db_url, graph.api_base, bot.api_base)) as running:
        yield running
