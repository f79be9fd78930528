"""The floor for the WhatsApp webhook: the same stack (FastAPI + uvicorn, the same database driver) doing
the least a correct webhook can do — verify ``X-Hub-Signature-256``, read the message id, insert one row
(deduplicated on it) and answer 200. ``messaging_cost.py`` offers it the same load as ``benarkah serve``.

    python benchmarks/minimal_webhook.py --db /tmp/floor.db --port 8123 --secret APP_SECRET
    python benchmarks/minimal_webhook.py --db postgresql://... --port 8123 --secret APP_SECRET

Served as ``benarkah serve`` serves (``uvicorn.run(app, log_level="info", proxy_headers=True)``, the
write in FastAPI's thread pool), so the difference to benarkah is what benarkah does per delivery.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sqlite3
import threading
import time
from typing import Any, Callable

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

TABLE = ("CREATE TABLE IF NOT EXISTS deliveries (id {pk}, external_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL, "
         "received_at DOUBLE PRECISION NOT NULL)")
INSERT = "INSERT INTO deliveries (external_id, body, received_at) VALUES ({p}, {p}, {p}) ON CONFLICT DO NOTHING"


def sqlite_writer(path: str) -> Callable[[str, str], None]:
    """One connection per thread, WAL and synchronous=NORMAL (benarkah's settings), autocommit."""
    local = threading.local()
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode = WAL")
    setup.execute(TABLE.format(pk="INTEGER PRIMARY KEY"))
    setup.commit()
    setup.close()

    def write(external_id: str, body: str) -> None:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=False)
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(INSERT.format(p="?"), (external_id, body, time.time()))

    return write


def postgres_writer(url: str) -> Callable[[str, str], None]:
    """psycopg 3 and its pool, autocommit (benarkah's driver and pool)."""
    from psycopg_pool import ConnectionPool

    pool = ConnectionPool(url, min_size=1, max_size=10, kwargs={"autocommit": True}, open=True)
    with pool.connection() as conn:
        conn.execute(TABLE.format(pk="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"))
    sql = INSERT.format(p="%s")

    def write(external_id: str, body: str) -> None:
        with pool.connection() as conn:
            conn.execute(sql, (external_id, body, time.time()))

    return write


def create_app(write: Callable[[str, str], None], secret: str) -> FastAPI:
    app = FastAPI()
    key = secret.encode()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/webhooks/whatsapp")
    async def deliver(request: Request) -> Any:
        body = await request.body()
        expected = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), request.headers.get("x-hub-signature-256", "").encode()):
            return JSONResponse({"detail": "bad signature"}, status_code=403)
        payload = json.loads(body)
        messages = payload["entry"][0]["changes"][0]["value"].get("messages", [])
        if messages:
            await run_in_threadpool(write, messages[0]["id"], body.decode())
        return JSONResponse({"status": "ok"})

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite file or postgresql:// URL")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True, help="the WhatsApp app secret deliveries are signed with")
    args = parser.parse_args()
    write = postgres_writer(args.db) if args.db.startswith("postgresql") else sqlite_writer(args.db)
    uvicorn.run(create_app(write, args.secret), host="127.0.0.1", port=args.port, log_level="info",
                proxy_headers=True)


if __name__ == "__main__":
    main()
