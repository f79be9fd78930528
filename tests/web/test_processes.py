"""Several benarkah processes on one PostgreSQL: what one writes, the others answer with."""

import json
import subprocess
import sys
import time

import httpx

from tests.conftest import TEST_KEY
from tests.support.processes import benarkah_env, servers

ARTICLE = {"id": "gempa-1", "title": "[HOAKS] Gempa Magnitudo 9 Akan Guncang Jakarta Besok Pagi",
           "published": "2025-01-10", "summary": "Gempa tidak dapat diprediksi tanggal dan jamnya.",
           "url": "https://example.org/gempa-1"}


def test_article_ingested_by_one_process_is_found_by_running_servers(pg_url, tmp_path):
    env = benarkah_env(pg_url, TEST_KEY)
    with servers(2, env, tmp_path) as urls:
        for url in urls:  # empty archive: nothing found yet (and each server built its index)
            assert httpx.get(f"{url}/api/search", params={"q": "gempa jakarta besok"}).json()["results"] == []
        source = tmp_path / "new.jsonl"
        source.write_text(json.dumps(ARTICLE, ensure_ascii=False) + "\n", encoding="utf-8")
        ingest = subprocess.run([sys.executable, "-m", "benarkah", "ingest", str(source)], env=env,
                                capture_output=True, text=True, timeout=60)
        assert ingest.returncode == 0 and ingest.stdout.strip().startswith("1 added"), ingest.stderr
        ingested_at = time.monotonic()
        for url in urls:
            while True:
                hits = httpx.get(f"{url}/api/search", params={"q": "gempa jakarta besok"}).json()["results"]
                if hits:
                    break
                assert time.monotonic() - ingested_at < 5, f"{url} still does not know the new article"
                time.sleep(0.1)
            assert hits[0]["id"] == "gempa-1"
            assert httpx.get(f"{url}/healthz").json()["articles"] == 1
