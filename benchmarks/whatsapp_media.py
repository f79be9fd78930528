"""WhatsApp pictures end to end: webhook -> media lane -> reply, against the loopback fake Graph API
serving the media (bearer token checked), and what a burst of pictures does to text replies.

    python benchmarks/whatsapp_media.py                      # 20 pictures one by one, text alone, text + burst
    python benchmarks/whatsapp_media.py --pictures 40 --text-rate 4 --seconds 30

The server is a real ``benarkah serve`` process (webhook + messaging worker + media worker + sender) over
the 3,746-article turnbackhoax-2024 corpus, as in ``whatsapp_load.py``. The pictures are the shared
rendered hoax screenshots (``bench/screenshots-dev``) whose fact-check is in that corpus; the text
messages are the 2024 dev forwards. Three runs in the same server:

1. **pictures alone**: one picture at a time (the next once the previous is answered): webhook -> reply
   time per picture, p50/p99, and the share answered with the right fact-check (its title in the reply);
2. **text alone**: text messages offered open-loop at ``--text-rate``/s for ``--seconds``: reply p50/p99;
3. **text + burst**: the same text load, with ``--burst`` pictures delivered in its first second.

Target (issue 12): text replies' p99 unchanged under a burst of pictures (ratio run 3 / run 2).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import httpx

from _common import ROOT, SHARED, machine, percentile, read_jsonl, table

sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))
from whatsapp_load import CORPUS, QUERIES, offer_load, prepare_db, start_server  # noqa: E402
from tests.support.fake_apis import FakeGraphAPI, run_fake  # noqa: E402
from tests.support.payloads import signed, wa_delivery, wa_message  # noqa: E402
from tests.support.servers import free_port, stop_process  # noqa: E402

SHOTS = SHARED / "bench/screenshots-dev/queries.jsonl"


def screenshots(count: int, rng: random.Random) -> list[dict]:
    """Screenshots whose fact-check is in the served corpus, with that article's title."""
    titles = {a["id"]: a["title"] for a in read_jsonl(CORPUS)}
    rows = [r for r in read_jsonl(SHOTS) if r["article_id"] in titles]
    rng.shuffle(rows)
    return [{**r, "title": titles[r["article_id"]], "data": (SHOTS.parent / r["image"]).read_bytes()}
            for r in rows[:count]]


def picture_payload(graph: FakeGraphAPI, shot: dict, sender: str) -> tuple[str, bytes, dict]:
    media_id = graph.add_media(shot["data"])
    message = wa_message(sender, "image", {"mime_type": "image/jpeg", "sha256": "x", "id": media_id})
    body, headers = signed(wa_delivery(message))
    return message["id"], body, headers


def text_payloads(count: int, rng: random.Random) -> list[tuple[str, bytes, dict]]:
    queries = [q["query"] for q in read_jsonl(QUERIES)]
    out = []
    for _ in range(count):
        message = wa_message(f"628{rng.randrange(10**9, 10**10)}", "text", {"body": rng.choice(queries)})
        body, headers = signed(wa_delivery(message))
        out.append((message["id"], body, headers))
    return out


def replies(graph: FakeGraphAPI) -> dict[str, tuple[float, str]]:
    """message id -> (when its first reply reached the API, the reply text)."""
    found: dict[str, tuple[float, str]] = {}
    for d in list(graph.deliveries):
        mid = d.body.get("context", {}).get("message_id")
        text = d.body["text"]["body"] if d.body.get("type") == "text" else \
            d.body.get("interactive", {}).get("body", {}).get("text", "")
        found.setdefault(mid, (d.at, text))
    return found


def wait_for(graph: FakeGraphAPI, ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not set(ids) <= set(replies(graph)):
        time.sleep(0.05)


def e2e(graph: FakeGraphAPI, sent_at: dict[str, float], ids: list[str]) -> list[float]:
    got = replies(graph)
    return [got[i][0] - sent_at[i] for i in ids if i in got and i in sent_at]


def run(pictures: int, burst: int, text_rate: float, seconds: float, drain: float) -> tuple[list[list], dict]:
    rng = random.Random(11)
    shots = screenshots(pictures + burst, rng)
    db = prepare_db(False)
    rows: list[list] = []
    with run_fake(FakeGraphAPI()) as graph:
        port = free_port()
        server = start_server(db, False, graph.api_base, port)  # type: ignore[attr-defined]
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=30) as client:  # warm-up: the reader process starts
                mid, body, headers = picture_payload(graph, shots[0], "6281000000000")
                client.post("/webhooks/whatsapp", content=body, headers=headers)
                wait_for(graph, [mid], 300)
                # 1. pictures alone, one at a time
                sent_at: dict[str, float] = {}
                ids, right = [], 0
                for n, shot in enumerate(shots[:pictures]):
                    mid, body, headers = picture_payload(graph, shot, f"62810{n:08d}")
                    sent_at[mid] = time.time()
                    assert client.post("/webhooks/whatsapp", content=body, headers=headers).status_code == 200
                    wait_for(graph, [mid], drain)
                    ids.append(mid)
                    right += shot["title"] in replies(graph).get(mid, (0, ""))[1]
                times = e2e(graph, sent_at, ids)
                rows.append(["pictures alone, one at a time", len(ids), len(times),
                             percentile(times, 50) * 1000, percentile(times, 99) * 1000, f"{right}/{len(ids)}"])
            # 2. text alone
            text_sent: dict[str, float] = {}
            alone = text_payloads(int(text_rate * seconds), rng)
            asyncio.run(offer_load(base, "/webhooks/whatsapp", alone, text_rate, text_sent, connections=8))
            alone_ids = [p[0] for p in alone]
            wait_for(graph, alone_ids, drain)
            alone_times = e2e(graph, text_sent, alone_ids)
            rows.append(["text alone", len(alone_ids), len(alone_times), percentile(alone_times, 50) * 1000,
                         percentile(alone_times, 99) * 1000, "-"])
            # 3. the same text load with a burst of pictures in its first second
            loaded = text_payloads(int(text_rate * seconds), rng)
            burst_payloads = [picture_payload(graph, s, f"62811{n:08d}") for n, s in enumerate(shots[pictures:])]

            async def together() -> None:
                await asyncio.gather(
                    offer_load(base, "/webhooks/whatsapp", loaded, text_rate, text_sent, connections=8),
                    offer_load(base, "/webhooks/whatsapp", burst_payloads, max(burst, 1), text_sent, connections=4))

            asyncio.run(together())
            loaded_ids, burst_ids = [p[0] for p in loaded], [p[0] for p in burst_payloads]
            wait_for(graph, loaded_ids + burst_ids, drain)
            loaded_times = e2e(graph, text_sent, loaded_ids)
            burst_times = e2e(graph, text_sent, burst_ids)
            got = replies(graph)
            burst_right = sum(s["title"] in got.get(p[0], (0, ""))[1] for s, p in zip(shots[pictures:], burst_payloads))
            rows.append([f"text, with {burst} pictures in its first second", len(loaded_ids), len(loaded_times),
                         percentile(loaded_times, 50) * 1000, percentile(loaded_times, 99) * 1000, "-"])
            rows.append([f"... those {burst} pictures", len(burst_ids), len(burst_times),
                         percentile(burst_times, 50) * 1000, percentile(burst_times, 99) * 1000,
                         f"{burst_right}/{len(burst_ids)}"])
        finally:
            stop_process(server, timeout=15)
    counts: dict[str, int] = {}
    for d in graph.deliveries:
        mid = d.body.get("context", {}).get("message_id")
        counts[mid] = counts.get(mid, 0) + 1
    summary = {"ratio": percentile(loaded_times, 99) / percentile(alone_times, 99),
               "duplicated": sum(c - 1 for c in counts.values() if c > 1), "rejected": len(graph.rejected),
               "unauthorized media requests": sum(1 for _, ok in graph.media_requests if not ok)}
    return rows, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pictures", type=int, default=20, help="pictures sent one at a time (run 1)")
    parser.add_argument("--burst", type=int, default=20, help="pictures delivered at once in run 3")
    parser.add_argument("--text-rate", type=float, default=4.0, help="text messages offered per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long text is offered (runs 2, 3)")
    parser.add_argument("--drain", type=float, default=300.0, help="longest wait for replies")
    args = parser.parse_args()
    if not CORPUS.exists() or not QUERIES.exists() or not SHOTS.exists():
        sys.exit(f"needs the shared data beside the project: {CORPUS}, {QUERIES} and {SHOTS}")
    started = time.time()
    load_before = os.getloadavg()
    rows, summary = run(args.pictures, args.burst, args.text_rate, args.seconds, args.drain)
    print(f"machine: {machine()}; load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} "
          f"(1 min); {time.time() - started:.0f} s in all\n")
    print(table(["run", "messages", "answered", "reply p50 ms", "reply p99 ms", "right fact-check"],
                [[r[0], r[1], r[2], round(r[3]), round(r[4]), r[5]] for r in rows]))
    print(f"\ntext reply p99 with the burst / without: {summary['ratio']:.2f}; replies sent twice: "
          f"{summary['duplicated']}; refused by the fake API: {summary['rejected']}; media requests without "
          f"the token: {summary['unauthorized media requests']}")


if __name__ == "__main__":
    main()
