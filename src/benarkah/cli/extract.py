"""``benarkah extract``: show what ingest would store for one page, to check and tune a site profile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from typing import TYPE_CHECKING

from ..errors import BenarkahError
from ..settings import Settings
from ._app import app

if TYPE_CHECKING:
    from ..ingest.extract import Extracted

MAX_FILE_BYTES = 5 * 1024 * 1024


def extract_source(
    source: str, profile: str | None = None, timeout: float = 20.0, profiles_dir: str = ""
) -> "Extracted":
    # imported here: the extraction libraries are heavy and only this command and ingest need them
    from ..ingest.crawler import CrawlLimits, Crawler
    from ..ingest.extract import extract_page
    from ..ingest.html import decode_page
    from ..ingest.profiles import ProfileChooser, load_profiles
    from ..ingest.sources import PAGE_SUFFIXES, fetch_article, is_url

    chooser = ProfileChooser(load_profiles(Path(profiles_dir) if profiles_dir else None), forced=profile)
    if is_url(source):
        with Crawler(CrawlLimits(delay_s=0.2, timeout_s=timeout, max_pages=50)) as crawler:
            return fetch_article(crawler, crawler.fetch(source, conditional=False), chooser)
    path = Path(source)
    if not path.is_file():
        raise BenarkahError(f"{source}: no such file (and not an http(s) URL)")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise BenarkahError(f"{source}: larger than {MAX_FILE_BYTES:,} bytes; is it really one page?")
    text = decode_page(path.read_bytes())
    return extract_page(text, chooser, is_html=True if path.suffix.lower() in PAGE_SUFFIXES else None)


def _show(page: "Extracted") -> str:
    fields = page.to_json()
    lines = [
        f"{name:>13}: {fields[name]}"
        for name in (
            "title",
            "published",
            "updated",
            "verdict",
            "verdict_label",
            "claim",
            "url",
            "publisher",
            "profile",
            "pages",
            "total_pages",
            "next_url",
            "mirror_urls",
        )
        if fields[name] not in (None, "", [])
    ]
    words = len(page.text.split())
    return (
        "\n".join(lines)
        + f"\n{'text':>13}: {words} words, {page.text.count(chr(10) * 2) + 1} paragraphs\n\n{page.text}"
    )


@app.command()
def extract(
    source: Annotated[str, typer.Argument(help="An HTML file, a plain-text page dump, or an http(s) URL", metavar="PAGE_OR_URL", show_default=False)],
    profile: Annotated[
        Optional[str], typer.Option(help="Site profile (default: by URL host or page markers)", metavar="NAME")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object", metavar="")] = False,
    profiles_dir: Annotated[
        Optional[str],
        typer.Option(help="Folder of your own site profiles (*.toml); env BENARKAH_PROFILES_DIR", metavar="DIR"),
    ] = None,
) -> None:
    """Show what ingest would store for one page: title, date, verdict, claim, cleaned text."""
    try:
        page = extract_source(source, profile, profiles_dir=profiles_dir or Settings().profiles_dir)
    except BenarkahError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(page.to_json(), ensure_ascii=False) if as_json else _show(page))
