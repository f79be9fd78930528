"""Serving the HTTP app from several processes on one machine (``benarkah serve --processes N``).

Every process is a whole, stateless benarkah: it reads its configuration from ``BENARKAH_*`` (the
parent exports what the command line set), opens its own pool to the shared database and builds its
own search index, which follows the database's article version. uvicorn's supervisor shares one
listening socket between the children and restarts any that dies. Across machines, run the same
command on each and put a load balancer in front (docs/scaling.md).
"""

from __future__ import annotations

import atexit
import os
import tempfile
from typing import Any

from ..settings import Settings

# Parent -> children plumbing (not user configuration): whether each child runs the messaging workers.
_WORKERS_ENV = "_BENARKAH_SERVE_WORKERS"


def app_from_env() -> Any:
    """The app factory each child process calls (uvicorn ``--factory``): the app, and the messaging
    worker and sender threads when a channel is configured (as ``benarkah serve`` runs them)."""
    from ..app import build
    from .app import create_app

    services = build(Settings())
    services.prepare_serving()
    if services.settings.messaging_configured and os.environ.get(_WORKERS_ENV, "1") == "1":
        runtime = services.runtime().start()
        atexit.register(runtime.stop)
    return create_app(services)


def export_settings(settings: Settings) -> None:
    """Put what the command line chose into the environment the children inherit."""
    os.environ["BENARKAH_DB"] = settings.db
    os.environ["BENARKAH_HOST"] = settings.host
    os.environ["BENARKAH_PORT"] = str(settings.port)


def run_processes(settings: Settings, processes: int, workers: bool = True) -> None:
    """Serve with ``processes`` processes sharing one port (blocks until stopped); ``workers``: each
    also runs the messaging worker and sender threads."""
    import uvicorn

    export_settings(settings)
    os.environ[_WORKERS_ENV] = "1" if workers else "0"
    if processes > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # /metrics then sums request counts and latencies over all the processes
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="benarkah-metrics-")
    uvicorn.run("benarkah.web.serving:app_from_env", factory=True, host=settings.host, port=settings.port,
                workers=processes, log_level=settings.log_level.lower(), proxy_headers=False)
