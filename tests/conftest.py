from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

import pytest

from benarkah.app import Services, build
from benarkah.domain.articles import article_from_record
from benarkah.errors import OcrUnavailable
from benarkah.media.ocr import OcrEngine, load_ocr_engine
from benarkah.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BENARKAH_SHARED", ROOT.parent / "shared"))  # as the benchmarks find it
DEMO_CORPUS = ROOT / "src" / "benarkah" / "data" / "demo_articles.jsonl"
TEST_KEY = "test-secret-key-0123456789abcdef"


def shared_path(relative: str) -> Path:
    """A file from the shared data (``BENARKAH_SHARED``, default ../shared), or skip the test saying why."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"needs {path} (the shared benchmark data: set BENARKAH_SHARED or put it beside the project)")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=str(tmp_path / "benarkah.db"), secret_key=TEST_KEY, semantic=False)


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Every service of a process, as ``benarkah.app.build`` wires them (lexical search only)."""
    built = build(settings)
    yield built
    built.close()


def load_demo(services: Services) -> None:
    rows = [json.loads(line) for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    services.index.upsert([article_from_record(r) for r in rows])


@pytest.fixture
def demo_services(services: Services) -> Services:
    """Lexical-only services loaded with the bundled demo corpus."""
    load_demo(services)
    return services


# Both storage backends ------------------------------------------------------------------------------
# ``db_url`` runs a test once on SQLite and once on a fresh PostgreSQL database (a throwaway cluster
# started once per session; see tests/support/postgres.py). ``pg_url`` is PostgreSQL only.

@pytest.fixture(scope="session")
def pg_cluster():  # type: ignore[no-untyped-def]
    from tests.support.postgres import start_cluster

    try:
        cluster = start_cluster()
        cluster.prepare()
    except RuntimeError as exc:
        pytest.skip(f"PostgreSQL tests need a server: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url = pg_cluster.fresh_database()
    yield url
    pg_cluster.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database as BENARKAH_DB would name it, on each backend in turn."""
    if request.param == "sqlite":
        yield str(tmp_path / "benarkah.db")
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def any_settings(db_url: str) -> Settings:
    return Settings(db=db_url, secret_key=TEST_KEY, semantic=False)


@pytest.fixture
def any_services(any_settings: Settings) -> Iterator[Services]:
    """Like ``services``, once per storage backend."""
    built = build(any_settings)
    yield built
    built.close()


@pytest.fixture(scope="session")
def ocr() -> OcrEngine:
    """Tesseract with Indonesian data, or skip with how to install it (.ci/run installs it)."""
    try:
        return load_ocr_engine("tesseract")
    except OcrUnavailable as exc:
        pytest.skip(f"OCR tests need Tesseract's Indonesian data: {exc}")
