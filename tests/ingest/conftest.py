import pytest

from tests.ingest.site import Site
from tests.support.servers import serve_app


@pytest.fixture(scope="module")
def site():
    """The misbehaving fact-check site (tests/ingest/site.py), served on loopback for one test module."""
    s = Site()
    with serve_app(s.app) as base:
        s.base = base
        yield s
