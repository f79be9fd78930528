"""The SSRF guard over real loopback servers: private, loopback and link-local addresses are never
contacted unless configured, whatever the link looks like and wherever a redirect points."""

from __future__ import annotations

import ipaddress
import time
from typing import Iterator

import pytest

from benarkah.errors import FetchError
from benarkah.links.fetch import LinkFetcher, LinkLimits, NotNow, RobotsDisallowed
from benarkah.links.safety import AddressPolicy, UnsafeAddress
from tests.links.site import PAGE_TITLE, LinkSite
from tests.support.servers import serve_app


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[str, LinkSite, str, LinkSite]]:
    inner = LinkSite()
    with serve_app(inner, host="127.0.0.2", lifespan="off") as inner_url:
        outer = LinkSite(forbidden_base=inner_url)
        with serve_app(outer, lifespan="off") as outer_url:
            yield outer_url, outer, inner_url, inner


def fetcher(allow: str = "127.0.0.1/32", **limits) -> LinkFetcher:  # type: ignore[no-untyped-def]
    return LinkFetcher(AddressPolicy.parse([allow]), LinkLimits(host_interval_s=0, **limits))


@pytest.mark.parametrize("address, port", [
    ("127.0.0.1", 443), ("10.1.2.3", 443), ("172.16.0.1", 80), ("192.168.1.1", 80), ("169.254.169.254", 80),
    ("100.64.0.1", 443), ("0.0.0.0", 80), ("::1", 443), ("fe80::1", 443), ("fc00::1", 443),
    ("::ffff:127.0.0.1", 443), ("::ffff:10.0.0.1", 443), ("64:ff9b::a00:1", 443), ("224.0.0.1", 80),
    ("8.8.8.8", 22), ("8.8.8.8", 6379),
])
def test_the_policy_refuses_everything_but_public_web_addresses(address, port):
    assert not AddressPolicy().permits(ipaddress.ip_address(address), port)


def test_the_policy_allows_public_web_addresses_and_configured_networks():
    policy = AddressPolicy.parse(["10.20.0.0/16", " "])
    assert AddressPolicy().permits(ipaddress.ip_address("8.8.8.8"), 443)
    assert AddressPolicy().permits(ipaddress.ip_address("2606:4700::1111"), 80)
    assert policy.permits(ipaddress.ip_address("10.20.3.4"), 9000) and not policy.permits(ipaddress.ip_address("10.21.0.1"), 80)
    with pytest.raises(FetchError, match="CIDR"):
        AddressPolicy.parse(["not-a-network"])


@pytest.mark.parametrize("spelling", ["http://127.0.0.1:{port}/artikel/vaksin", "http://localhost:{port}/artikel/vaksin",
                                      "http://2130706433:{port}/artikel/vaksin", "http://0x7f.1:{port}/artikel/vaksin",
                                      "http://[::ffff:127.0.0.1]:{port}/artikel/vaksin"])
def test_loopback_in_any_spelling_is_never_contacted_unless_configured(sites, spelling):
    outer_url, outer, _, _ = sites
    port = outer_url.rsplit(":", 1)[1]
    before = outer.hits["/artikel/vaksin"]
    guarded = fetcher(allow="")
    with pytest.raises(UnsafeAddress):
        guarded.fetch(spelling.format(port=port))
    assert outer.hits["/artikel/vaksin"] == before  # refused before connecting, robots.txt included
    guarded.close()


def test_a_redirect_hop_into_a_forbidden_address_is_refused_before_it_is_contacted(sites):
    outer_url, outer, _, inner = sites
    guarded = fetcher()  # 127.0.0.1 allowed, 127.0.0.2 not
    with pytest.raises(UnsafeAddress) as refused:
        guarded.fetch(f"{outer_url}/ke-dalam")
    assert outer.hits["/ke-dalam"] >= 1 and inner.hits["/rahasia"] == 0 and inner.hits["/robots.txt"] == 0
    assert refused.value.hops[-1].endswith("/rahasia")  # type: ignore[attr-defined]
    guarded.close()


def test_allowed_pages_are_read_within_their_bounds(sites):
    outer_url, outer, _, _ = sites
    guarded = fetcher(timeout_s=2.0, max_bytes=64 * 1024)
    page = guarded.fetch(f"{outer_url}/s/vaksin")
    assert page.hops == (f"{outer_url}/s/vaksin", f"{outer_url}/artikel/vaksin")
    assert PAGE_TITLE.encode() in page.page.content
    huge = guarded.fetch(f"{outer_url}/besar")
    assert len(huge.page.content) <= 64 * 1024  # read up to the bound, then stopped
    with pytest.raises(RobotsDisallowed):
        guarded.fetch(f"{outer_url}/private/x")
    with pytest.raises(FetchError, match="redirect loop|redirects"):
        guarded.fetch(f"{outer_url}/putar")
    started = time.monotonic()
    with pytest.raises(FetchError):
        guarded.fetch(f"{outer_url}/lambat")
    assert time.monotonic() - started < 4.0
    with pytest.raises(FetchError, match="only http"):
        guarded.fetch("file:///etc/passwd")
    guarded.close()


def test_one_host_is_not_asked_twice_in_a_moment(sites):
    outer_url, _, _, _ = sites
    polite = LinkFetcher(AddressPolicy.parse(["127.0.0.1/32"]), LinkLimits(host_interval_s=30, respect_robots=False))
    polite.fetch(f"{outer_url}/resep")
    with pytest.raises(NotNow):
        polite.fetch(f"{outer_url}/resep", deadline=time.monotonic() + 1.0)
    polite.close()
