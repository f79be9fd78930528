"""Several benarkah processes on one PostgreSQL: what one writes, the others answer with."""

import json
import subprocess
import sys
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

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


def test_serve_processes_share_one_port_and_metrics_sum_over_them(pg_url, tmp_path):
    env = benarkah_env(pg_url, TEST_KEY)
    with servers(1, env, tmp_path, extra_args=("--processes", "2")) as [url]:
        pids: set[int] = set()
        asked = 0
        started = time.monotonic()
        while len(pids) < 2 and time.monotonic() - started < 20:
            with httpx.Client() as client:  # a new connection each time, so the kernel may pick either process
                ready = client.get(f"{url}/readyz")
            asked += 1
            assert ready.status_code == 200 and ready.json()["status"] == "ready"
            pids.add(ready.json()["pid"])
        assert len(pids) == 2, "only one process answered"
        text = httpx.get(f"{url}/metrics").text
    counted = sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
                  if s.name == "benarkah_http_requests_total" and s.labels.get("route") == "/readyz")
    assert counted == asked
