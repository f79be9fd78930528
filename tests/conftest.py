from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from benarkah.domain.articles import article_from_record
from benarkah.settings import Settings
from benarkah.tipline import Tipline

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEMO_CORPUS = ROOT / "src" / "benarkah" / "data" / "demo_articles.jsonl"
TEST_KEY = "test-secret-key-0123456789abcdef"


def shared_path(relative: str) -> Path:
    """A file from ../shared, or skip the test with the reason when it is absent."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/{relative} (the shared benchmark data beside the project), absent here")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=str(tmp_path / "benarkah.db"), secret_key=TEST_KEY, semantic=False)


@pytest.fixture
def tipline(settings: Settings) -> Iterator[Tipline]:
    tl = Tipline(settings)
    yield tl
    tl.close()


def load_demo(tl: Tipline) -> None:
    rows = [json.loads(line) for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    tl.upsert([article_from_record(r) for r in rows])


@pytest.fixture
def demo_tipline(tipline: Tipline) -> Tipline:
    """A lexical-only tipline loaded with the bundled demo corpus."""
    load_demo(tipline)
    return tipline
