"""Archive and query commands: ingest, search, ask, eval, forget."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..domain.render import render_text
from ..errors import BenarkahError
from ..erasure import CHANNELS
from ..evaluation import LabelledQuery, evaluate, format_table, load_queries, unknown_targets
from ._app import DbOption, Progress, app, open_services

EXIT_REJECTED = 3  # ingest finished, but some rows or pages were rejected (the rest is stored)


@app.command()
def ingest(
    sources: Annotated[list[str], typer.Argument(
        help="JSONL or CSV files (id and title at least); HTML pages or text dumps; folders of them; "
             "RSS/Atom feeds and sitemaps; or http(s) URLs of an article, a feed or a sitemap",
        show_default=False, metavar="SOURCE...")],
    db: DbOption = None,
    embed: Annotated[bool, typer.Option(
        help="Compute sentence embeddings now (else a serving process embeds them in the background)",
        metavar="")] = True,
    follow: Annotated[bool, typer.Option("--follow", help="Fetch the pages a feed or sitemap lists",
                                         metavar="")] = False,
    profile: Annotated[Optional[str], typer.Option(
        help="Site profile for pages, and for JSONL/CSV rows its default verdict (default: chosen by URL host "
             "or page markers)", metavar="NAME")] = None,
    default_verdict: Annotated[str, typer.Option(
        help="Verdict of rows and pages that state none (e.g. SALAH for a debunk-only archive); "
             "overrides the profile's", metavar="LABEL", show_default=False)] = "",
    delay: Annotated[float, typer.Option(min=0.0, help="Seconds between two requests to one host",
                                         metavar="SECONDS")] = 1.0,
    max_pages: Annotated[int, typer.Option(min=1, help="Most pages fetched in this run", metavar="N")] = 10_000,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds allowed per page", metavar="SECONDS")] = 20.0,
    profiles_dir: Annotated[Optional[str], typer.Option(
        help="Folder of your own site profiles (*.toml); env BENARKAH_PROFILES_DIR", metavar="DIR")] = None,
    images: Annotated[bool, typer.Option(help="Fetch and read the articles' pictures (og:image, the body's "
                                              "pictures, JSONL image/images)")] = True,
) -> None:
    """Add or update fact-check articles (upsert by id). Bad rows and pages are reported on stderr and skipped.

    Pages are cleaned with a site profile; the same article under several URLs (AMP or mobile mirror,
    republication) is stored once with the other URLs remembered. Re-runs fetch only what changed.
    Rows that state no verdict are counted, with a warning on stderr: see --default-verdict.

    Exit status: 0 when everything was stored; 1 when the run could not start (a missing file, a bad
    option); 3 when it finished but rejected some rows or pages (each is listed on stderr; the rest is stored).
    """
    from ..ingest.crawler import CrawlLimits  # page extraction libraries load only for ingest
    from ..ingest.images import image_importer
    from ..ingest.pipeline import ingest_records
    from ..ingest.sources import SourceOptions, Sources

    from ..ingest.pipeline import check_default_verdict

    try:
        default_verdict = check_default_verdict(default_verdict)
    except BenarkahError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    with open_services(db) as services:
        progress = Progress("ingest: records read")
        version = services.store.articles_version()  # embed what this run changed, not the whole archive
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
                                    on_flush=reader.checkpoint, default_verdict=default_verdict,
                                    images=pictures)
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
        if warning := report.verdict_warning():
            typer.echo(warning, err=True)
        if embed and services.index.embedder is not None:
            report.embedded = services.index.embed_changed(version, progress=Progress("ingest: articles embedded"))
        typer.echo(report.summary())
    if report.rejected:
        raise typer.Exit(EXIT_REJECTED)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What a person would send (with --image: the caption)",
                                         metavar='"QUERY"', show_default=False)] = "",
    image: Annotated[Optional[Path], typer.Option(
        "--image", help="A picture or video to search with: its text is read, its hash matched", exists=True,
        dir_okay=False, metavar="PICTURE")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many results", metavar="N")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object", metavar="")] = False,
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
    message: Annotated[str, typer.Argument(help="The message as a person would send it (with --image: the "
                                           "caption)", metavar='"MESSAGE"', show_default=False)] = "",
    image: Annotated[Optional[Path], typer.Option(
        "--image", help="A picture, video or voice note sent with the message", exists=True, dir_okay=False,
        metavar="FILE")] = None,
    sender: Annotated[str, typer.Option(help="Who is asking (hashed before storage)", metavar="ID")] = "cli",
    db: DbOption = None,
) -> None:
    """Print exactly the reply the bot would send (to a message, or to a picture with --image)."""
    if not message.strip() and image is None:
        typer.echo("error: give the message, or --image FILE", err=True)
        raise typer.Exit(2)
    with open_services(db) as services:
        if image is not None:
            from ..domain.pictures import MediaType

            named = MediaType.declared(mimetypes.guess_type(image.name)[0])
            handled = services.tipline.handle_media("cli", sender, named, image.read_bytes(), caption=message)
        else:
            handled = services.tipline.handle_text("cli", sender, message)
        typer.echo(render_text(handled.reply))


@app.command("eval")
def eval_command(
    queries: Annotated[Path, typer.Argument(
        help="JSONL: qid, article_id (or article_ids, a list of accepted ids), kind, and query or image "
             "(a path relative to the file)",
        exists=True, dir_okay=False, metavar="QUERIES.jsonl", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object", metavar="")] = False,
    db: DbOption = None,
) -> None:
    """Measure Recall@1/3/10 and MRR@10 of the search on a labelled query set.

    Queries whose article ids are not in the archive are named on stderr: they can only be misses."""
    with open_services(db) as services:
        try:
            labelled = load_queries(queries)
        except BenarkahError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        missing = unknown_targets(labelled, (a.id for a in services.index.engine().articles))
        if missing:
            examples = ", ".join(f"{q.qid} ({q.article_id})" for q in missing[:5])
            typer.echo(f"warning: {len(missing)} of {len(labelled)} queries name article ids that are not in the "
                       f"archive, e.g. {examples}; they count as misses. Ingest those articles or check --db.",
                       err=True)
        # Text queries: embedded in batches (one call per batch, which the embedder spreads over all
        # cores) and only where the adaptive hybrid needs it. Picture lines go one at a time (OCR).
        texts = list(dict.fromkeys(q.query for q in labelled if q.image is None))
        results = services.index.search_many(texts, limit=10, progress=Progress("eval: queries"))
        by_text = {text: [h.article.id for h in r.hits] for text, r in zip(texts, results)}

        pictures = None
        if any(q.image is not None for q in labelled):
            from ..media.service import picture_search

            finder = picture_search(services.settings, services.store,
                                    lambda t, n: services.tipline.search(t, limit=n), services.store.get_article)
            progress = Progress("eval: pictures")
            done = 0

            def pictures(q: LabelledQuery) -> list[str]:
                nonlocal done
                done += 1
                progress(done)
                return finder.ranked_ids(q.image.read_bytes() if q.image.is_file() else b"", limit=10)

        report = evaluate(labelled, by_text.__getitem__, pictures)
        typer.echo(json.dumps(report) if as_json else format_table(report))


@app.command()
def forget(
    sender: Annotated[str, typer.Argument(
        help="The person: a phone number (+62 812-…, 0812…, 62812…), a WhatsApp user id (ID.1502…), "
             "@username, or a Telegram chat / web session id", metavar="PERSON", show_default=False)],
    channel: Annotated[str, typer.Option(help=f"one of {', '.join(CHANNELS)}", metavar="CHANNEL")] = "whatsapp",
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
