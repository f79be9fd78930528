"""A benarkah app over the test articles on a real loopback server, with or without a public URL."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Sequence

from benarkah.domain.articles import Article
from benarkah.app import Services, build
from benarkah.settings import Settings
from benarkah.web.app import create_app
from tests.conftest import TEST_KEY
from tests.publishing.articles import sample_articles
from tests.support.servers import free_port, serve_app


@dataclass
class Published:
    url: str
    services: Services


@contextmanager
def published(db: str, public: bool = True, articles: Sequence[Article] | None = None,
              **settings: object) -> Iterator[Published]:
    """Serve ``articles`` (default: the test articles); with ``public`` the public URL is the server's
    own loopback address."""
    port = free_port()
    values: dict[str, object] = {"db": db, "secret_key": TEST_KEY, "semantic": False, "site_name": "Cek Fakta Kota"}
    if public:
        values["public_url"] = f"http://127.0.0.1:{port}"
    services = build(Settings(**{**values, **settings}))  # type: ignore[arg-type]
    services.index.upsert(list(articles) if articles is not None else sample_articles())
    try:
        with serve_app(create_app(services), port=port) as url:
            yield Published(url, services)
    finally:
        services.close()
