"""Archive and query commands: ingest, search, ask, eval, forget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..domain.render import render_text
from ..errors import BenarkahError
from ..evaluation import evaluate, format_table, load_queries
from ..erasure import CHANNELS
from ._app import DbOption, Progress, app, open_services


@app.command()
def ingest(
    sources: Annotated[list[str], typer.Argument(
        help="JSONL or CSV files (id and title at least); HTML pages or text dumps; folders of them; "
             "RSS/Atom feeds and sitemaps; or http(s) URLs of an article, a feed or a sitemap",
        show_default=False)],
    db: DbOption = None,
    embed: Annotated[bool, typer.Option(help="Compute sentence embeddings now (else at first search)")] = True,
    follow: Annotated[bool, typer.Option("--follow", help="Fetch the pages a feed or sitemap lists")] = False,
    profile: Annotated[Optional[str], typer.Option(
        help="Site profile for pages (default: chosen by URL host or page markers)")] = None,
    delay: Annotated[float, typer.Option(min=0.0, help="Seconds between two requests to one host")] = 1.0,
    max_pages: Annotated[int, typer.Option(min=1, help="Most pages fetched in this run")] = 10_000,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds allowed per page")] = 20.0,
    profiles_dir: Annotated[Optional[str], typer.Option(
        help="Folder of your own site profiles (*.toml) [env BENARKAH_PROFILES_DIR]")] = None,
) -> None:
    """Add or update fact-check articles (upsert by id). Bad rows and pages are reported on stderr and skipped.

    Pages are cleaned with a site profile; the same article under several URLs (AMP or mobile mirror,
    republication) is stored once with the other URLs remembered. Re-runs fetch only what changed.
    """
    from ..ingest.crawler import CrawlLimits  # page extraction libraries load only for ingest
    from ..ingest.pipeline import ingest_records
    from ..ingest.sources import SourceOptions, Sources

    with open_services(db) as services:
        progress = Progress("ingest: records read")
        limits = CrawlLimits(delay_s=delay, max_pages=max_pages, timeout_s=timeout)
        try:
            reader = Sources(services.store, SourceOptions(
                profile=profile, follow=follow, limits=limits,
                profiles_dir=profiles_dir or services.settings.profiles_dir))
        except BenarkahError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        try:
            report = ingest_records(services.index, reader.records(sources), on_record=progress,
                                    on_flush=reader.checkpoint)
        except BenarkahError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        finally:
            reader.close()
        report.counts["duplicates"] = reader.pages.merged
        for origin, reason in report.rejections:
            typer.echo(f"rejected {origin}: {reason}", err=True)
        if any(reader.stats.values()):
            typer.echo(reader.crawl_summary(), err=True)
        if embed and services.index.embedder is not None:
            report.embedded = services.index.embed_missing(progress=Progress("ingest: articles embedded"))
        typer.echo(report.summary())


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What a person would send")],
    limit: Annotated[int, typer.Option(min=1, max=100)] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    db: DbOption = None,
) -> None:
    """Find the fact-checks that match a message."""
    with open_services(db) as services:
        result = services.tipline.search(query, limit=limit)
        if as_json:
            typer.echo(json.dumps(result.payload(), ensure_ascii=False))
            return
        if not result.matched:
            typer.echo(f"no confident match (confidence {result.confidence:.2f})")
        for hit in result.hits:
            a = hit.article
            date = a.published.isoformat() if a.published else "----------"
            typer.echo(f"{hit.score:8.3f}  {date}  [{a.verdict.value}] {a.title}  ({a.id})")


@app.command()
def ask(
    message: Annotated[str, typer.Argument(help="The message as a person would send it")],
    sender: Annotated[str, typer.Option(help="Who is asking (hashed before storage)")] = "cli",
    db: DbOption = None,
) -> None:
    """Print exactly the reply the bot would send."""
    with open_services(db) as services:
        handled = services.tipline.handle_text("cli", sender, message)
        typer.echo(render_text(handled.reply))


@app.command("eval")
def eval_command(
    queries: Annotated[Path, typer.Argument(help="JSONL: qid, article_id, kind, query", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    db: DbOption = None,
) -> None:
    """Measure Recall@1/3/10 and MRR@10 of the search on a labelled query set."""
    with open_services(db) as services:
        try:
            labelled = load_queries(queries)
        except BenarkahError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        services.index.engine()
        progress = Progress("eval: queries")
        done = 0

        def ranked(text: str) -> list[str]:
            nonlocal done
            done += 1
            progress(done, len(labelled))
            return [h.article.id for h in services.tipline.search(text, limit=10).hits]

        report = evaluate(labelled, ranked)
        typer.echo(json.dumps(report) if as_json else format_table(report))


@app.command()
def forget(
    sender: Annotated[str, typer.Argument(
        help="The person: a phone number (+62 812-…, 0812…, 62812…), a WhatsApp user id (ID.1502…), "
             "@username, or a Telegram chat / web session id")],
    channel: Annotated[str, typer.Option(help=f"one of {', '.join(CHANNELS)}")] = "whatsapp",
    db: DbOption = None,
) -> None:
    """Erase everything stored about one person: tips, messages, queue rows, conversation state, their
    identifiers, and what was derived from their tips (cluster examples and profiles). Exits 1 when
    nothing is stored about them, 2 for an unknown channel."""
    if channel not in CHANNELS:
        typer.echo(f"error: unknown channel {channel!r}: use one of {', '.join(CHANNELS)}", err=True)
        raise typer.Exit(2)
    with open_services(db) as services:
        report = services.forget(channel, sender)
        typer.echo(report.summary())
        if not report.scrubbed:
            raise typer.Exit(3)
