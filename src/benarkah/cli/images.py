"""``benarkah images add FILE.jsonl``: pictures for articles already in the archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import DbOption, app, open_services

images_app = typer.Typer(help="Pictures of fact-check articles (matched against pictures people send).",
                         no_args_is_help=True)
app.add_typer(images_app, name="images")


@images_app.command("add")
def add(
    source: Annotated[Path, typer.Argument(help='JSONL lines {"id": ARTICLE_ID, "image": PATH_OR_URL} '
                                                 "(paths relative to the file)", exists=True, dir_okay=False)],
    delay: Annotated[float, typer.Option(min=0.0, metavar="SECONDS", help="Seconds between two requests to one host")] = 1.0,
    db: DbOption = None,
) -> None:
    """Attach pictures to articles: each is fetched, hashed (PDQ) and read (OCR), then stored.

    A line naming an unknown article, or a picture that cannot be fetched or read, is reported on
    stderr and skipped; a re-run skips pictures already stored."""
    from ..ingest.crawler import CrawlLimits, Crawler
    from ..ingest.images import attach_from_records, image_importer
    from ..ingest.records import read_jsonl
    from ..media.service import media_limits

    with open_services(db) as services:
        limits = CrawlLimits(delay_s=delay, max_bytes=media_limits(services.settings).max_image_bytes)
        with Crawler(limits) as crawler:
            importer = image_importer(services.settings, services.store, lambda: crawler)
            report = attach_from_records(importer, services.store, read_jsonl(source))
        for origin, reason in report.rejections:
            typer.echo(f"rejected {origin}: {reason}", err=True)
        typer.echo(f"{report.counts['added']} added, {report.counts['known']} already stored, "
                   f"{len(report.rejections)} rejected")
