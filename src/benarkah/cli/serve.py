"""Server commands: serve (the HTTP app) and demo (load the bundled corpus, then serve)."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..app import Services
from ..ingest.pipeline import ingest_records
from ..ingest.records import read_jsonl
from ..messaging.sender import check_lease
from ._app import DbOption, Progress, app, open_services

DEMO_CORPUS = "demo_articles.jsonl"


def run_server(services: Services, host: str, port: int, workers: bool = True) -> None:
    """Serve the app; with ``workers``, the messaging worker and sender run beside it (a supervised child
    process, restarted when it dies)."""
    import uvicorn

    from ..web.app import create_app
    from .supervisor import WorkerSupervisor

    settings = services.settings
    services.prepare_serving()
    supervisor = WorkerSupervisor(settings).start() if workers and settings.messaging_configured else None
    try:
        uvicorn.run(create_app(services), host=host, port=port, log_level="info", proxy_headers=False)
    finally:
        if supervisor is not None:
            supervisor.stop()


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Interface to listen on; default 127.0.0.1, or BENARKAH_HOST when set", metavar="HOST")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port; default 8000, or BENARKAH_PORT when set", metavar="PORT")] = None,
    db: DbOption = None,
    workers: Annotated[bool, typer.Option(
        "--workers/--no-workers",
        help="Also run the messaging worker and sender (default); --no-workers when they run apart "
             "(benarkah worker)", metavar="")] = True,
    processes: Annotated[int, typer.Option(min=1, help="Server processes sharing the port (docs/scaling.md)", metavar="N")] = 1,
) -> None:
    """Serve the HTTP API, the public page and the channel webhooks (and, by default, their workers)."""
    with open_services(db, host=host, port=port) as services:  # migrates once, before any child starts
        settings = services.settings
        logging.getLogger("benarkah").setLevel(settings.log_level.upper())
        services.identity.check()  # a missing, short or foreign key stops here, with the reason
        if settings.messaging_configured:
            check_lease(settings)  # rather than a worker child that exits at once, restarted forever
        if processes == 1:
            run_server(services, settings.host, settings.port, workers=workers)
            return
    from ..web.serving import run_processes

    run_processes(settings, processes, workers=workers)


def demo_corpus_path() -> Path:
    return Path(str(resources.files("benarkah").joinpath("data", DEMO_CORPUS)))


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Interface to listen on", metavar="HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port", metavar="PORT")] = 8000,
    db: DbOption = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Only load the demo corpus", metavar="")] = False,
) -> None:
    """Load the bundled demo fact-checks (idempotent) and serve a tipline on http://127.0.0.1:8000."""
    with open_services(db, host=host, port=port) as services:
        report = ingest_records(services.index, read_jsonl(demo_corpus_path()))
        embedded = services.index.embed_missing(progress=Progress("demo: articles embedded"))
        typer.echo(f"demo corpus: {report.summary()}, {embedded} embedded -> {services.store.location}")
        if no_serve:
            return
        typer.echo(f"open http://{host}:{port}/ and ask, e.g. 'vaksin chip' (Ctrl+C to stop)")
        run_server(services, host, port)
