"""Archive and query commands: ingest, search, ask, eval, forget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..domain.render import render_text
from ..errors import BenarkahError
from ..evaluation import LabelledQuery, evaluate, format_table, load_queries
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
    images: Annotated[bool, typer.Option(help="Fetch and read the articles' pictures (og:image, the body's "
                                              "pictures, JSONL image/images)")] = True,
) -> None:
    """Add or update fact-check articles (upsert by id). Bad rows and pages are reported on stderr and skipped.

    Pages are cleaned with a site profile; the same article under several URLs (AMP or mobile mirror,
    republication) is stored once with the other URLs remembered. Re-runs fetch only what changed.
    """
    from ..ingest.crawler import CrawlLimits  # page extraction libraries load only for ingest
    from ..ingest.images import image_importer
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
            pictures = image_importer(services.settings, services.store, lambda: reader.crawler) if images else None
            report = ingest_records(services.index, reader.records(sources), on_record=progress,
                                    on_flush=reader.checkpoint, images=pictures)
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
    query: Annotated[str, typer.Argument(help="What a person would send (with --image: the caption)")] = "",
    image: Annotated[Optional[Path], typer.Option(
        "--image", help="A picture or video to search with: its text is read, its hash matched", exists=True,
        dir_okay=False)] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    db: DbOption = None,
) -> None:
    """Find the fact-checks that match a message (or a picture, with --image)."""
    if not query.strip() and image is None:
        typer.echo("error: give the message to search for, or --image PATH", err=True)
        raise typer.Exit(2)
    with open_services(db) as services:
        if image is not None:
            from ..media.service import picture_search

            found = picture_search(services.settings, services.store,
                                   lambda t, n: services.tipline.search(t, limit=n),
                                   services.store.get_article).search(image.read_bytes(), caption=query, limit=limit)
            result, payload = found.result, found.payload()
            if not as_json:
                typer.echo(f"read text: {found.read.read_text or '(none)'}")
        else:
            result = services.tipline.search(query, limit=limit)
            payload = result.payload()
        if as_json:
            typer.echo(json.dumps(payload, ensure_ascii=False))
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
    queries: Annotated[Path, typer.Argument(help="JSONL: qid, article_id, kind, and query or image (a path "
                                                 "relative to the file)", exists=True, dir_okay=False)],
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

        def tick() -> None:
            nonlocal done
            done += 1
            progress(done, len(labelled))

        def ranked(text: str) -> list[str]:
            tick()
            return [h.article.id for h in services.tipline.search(text, limit=10).hits]

        pictures = None
        if any(q.image is not None for q in labelled):
            from ..media.service import picture_search

            finder = picture_search(services.settings, services.store,
                                    lambda t, n: services.tipline.search(t, limit=n), services.store.get_article)

            def pictures(q: LabelledQuery) -> list[str]:
                tick()
                return finder.ranked_ids(q.image.read_bytes() if q.image.is_file() else b"", limit=10)

        report = evaluate(labelled, ranked, pictures)
        typer.echo(json.dumps(report) if as_json else format_table(report))


@app.command()
def forget(
    sender: Annotated[str, typer.Argument(help="The person's phone number or chat id, as the channel reports it")],
    channel: Annotated[str, typer.Option(help="whatsapp, telegram, web or cli")] = "whatsapp",
    db: DbOption = None,
) -> None:
    """Erase everything stored about one person (their tips, messages and conversation state)."""
    with open_services(db) as services:
        removed = services.forget(channel, sender)
        typer.echo(f"erased {removed} records")
