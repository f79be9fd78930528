#!/usr/bin/env python3
"""A small client for Google's Fact Check Tools API (``claims:search``) that works against benarkah too.

It uses only what Google documents: the query parameters ``query``, ``languageCode``, ``maxAgeDays``,
``pageSize``, ``pageToken``, ``reviewPublisherSiteFilter`` and ``key``, and the response fields
``claims[].text``, ``claimant``, ``claimDate`` and ``claimReview[]`` (``publisher.name``,
``publisher.site``, ``url``, ``title``, ``reviewDate``, ``textualRating``, ``languageCode``),
following ``nextPageToken``. Standard library only, so it runs anywhere Python does.

    python examples/factcheck_client.py "vaksin chip" --key YOUR_GOOGLE_KEY
    python examples/factcheck_client.py "vaksin chip" --base-url https://cekfakta.example.id/api/v1
    python examples/factcheck_client.py --site tempo.co --max-results 50 --json
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Iterator

GOOGLE = "https://factchecktools.googleapis.com/v1alpha1"


def search(base_url: str, query: str = "", key: str = "", language: str = "", max_age_days: int = 0,
           site: str = "", page_size: int = 10, max_results: int = 100) -> Iterator[dict[str, Any]]:
    """Yield claims, page after page, until ``max_results`` or the last page."""
    params = {"query": query, "languageCode": language, "maxAgeDays": max_age_days or "",
              "reviewPublisherSiteFilter": site, "pageSize": page_size, "key": key}
    params = {k: v for k, v in params.items() if v not in ("", None)}
    seen = 0
    while True:
        url = f"{base_url.rstrip('/')}/claims:search?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=30) as response:
            page = json.load(response)
        for claim in page.get("claims", []):
            yield claim
            seen += 1
            if seen >= max_results:
                return
        token = page.get("nextPageToken")
        if not token:
            return
        params["pageToken"] = token


def describe(claim: dict[str, Any]) -> str:
    lines = [f"Claim: {claim.get('text', '')}"]
    if claim.get("claimant") or claim.get("claimDate"):
        lines.append(f"  by {claim.get('claimant', '?')} on {claim.get('claimDate', '?')[:10]}")
    for review in claim.get("claimReview", []):
        publisher = review.get("publisher", {})
        lines.append(f"  [{review.get('textualRating', '?')}] {review.get('title', '')}")
        lines.append(f"  {publisher.get('name', '')} ({publisher.get('site', '')}), "
                     f"{review.get('reviewDate', '')[:10]}, {review.get('languageCode', '')}: {review.get('url', '')}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("query", nargs="?", default="")
    parser.add_argument("--base-url", default=GOOGLE, help=f"API base URL (default: Google's, {GOOGLE})")
    parser.add_argument("--key", default="", help="API key")
    parser.add_argument("--language", default="", help="BCP-47 language code, e.g. id")
    parser.add_argument("--max-age-days", type=int, default=0)
    parser.add_argument("--site", default="", help="review publisher site, e.g. tempo.co")
    parser.add_argument("--page-size", type=int, default=10)
    parser.add_argument("--max-results", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="one JSON object per claim")
    args = parser.parse_args(argv)
    try:
        for claim in search(args.base_url, args.query, args.key, args.language, args.max_age_days, args.site,
                            args.page_size, args.max_results):
            print(json.dumps(claim, ensure_ascii=False) if args.json else describe(claim))
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")
        try:
            message = json.loads(body)["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = body[:300]
        print(f"error {exc.code}: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
