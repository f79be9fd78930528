"""Site profiles: small declarative TOML files saying how one publisher's pages are cleaned.

Extraction libraries find the main text; what they cannot know is a newsroom's own furniture: the
hotline line under every article, "2 dari 3 halaman" page breaks, the verdict badge, the dateline
convention. Those live in data files (``profiles/*.toml``, one per site) so adding a site is adding a
file, never code. Every profile extends ``generic`` (its patterns are tried first, then generic's).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

from ..domain.verdicts import Verdict, normalize_verdict
from ..errors import ConfigError

GENERIC = "generic"


@dataclass(frozen=True)
class Selector:
    """A CSS selector, optionally reading an attribute: ``meta[property="og:title"]@content``."""

    css: str
    attribute: str | None = None

    @classmethod
    def parse(cls, spec: str) -> "Selector":
        css, _, attribute = spec.rpartition("@") if "@" in spec.split("]")[-1] else (spec, "", "")
        return cls(css.strip(), attribute.strip() or None)


@dataclass(frozen=True)
class Profile:
    name: str
    publisher: str = ""
    hosts: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    drop_lines: tuple[re.Pattern[str], ...] = ()
    cut_from: tuple[re.Pattern[str], ...] = ()
    page_marker: re.Pattern[str] | None = None
    page_url: str = ""
    next_selectors: tuple[Selector, ...] = ()
    title_selectors: tuple[Selector, ...] = ()
    title_strip: tuple[re.Pattern[str], ...] = ()
    date_selectors: tuple[Selector, ...] = ()
    date_patterns: tuple[re.Pattern[str], ...] = ()
    verdict_selectors: tuple[Selector, ...] = ()
    verdict_patterns: tuple[re.Pattern[str], ...] = ()
    claim_selectors: tuple[Selector, ...] = ()
    claim_patterns: tuple[re.Pattern[str], ...] = ()
    default_verdict: str = ""  # for a debunk-only source: the verdict of its pages and rows that state none
    source: str = field(default="", compare=False)

    def is_boilerplate(self, line: str) -> bool:
        return any(p.fullmatch(line) for p in self.drop_lines)

    def starts_footer(self, line: str) -> bool:
        return any(p.fullmatch(line) for p in self.cut_from)

    def page_break(self, line: str) -> re.Match[str] | None:
        return self.page_marker.fullmatch(line) if self.page_marker else None

    def matches_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self.hosts)


def _compile(patterns: Iterable[str], where: str, flags: int = re.IGNORECASE) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern, flags))
        except re.error as exc:
            raise ConfigError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc
    return tuple(compiled)


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"profile section [{name}] must be a table")
    return value


def _strings(section: dict[str, Any], key: str, where: str) -> list[str]:
    value = section.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return value


def _default_verdict(section: dict[str, Any], where: str) -> str:
    label = section.get("default", "")
    if not isinstance(label, str):
        raise ConfigError(f"{where}: [verdict] default must be a verdict label such as \"SALAH\"")
    label = label.strip()
    if label and normalize_verdict(label) is Verdict.OTHER:
        raise ConfigError(f"{where}: [verdict] default {label!r} is not a verdict benarkah knows "
                          f"(e.g. SALAH, HOAKS, PENIPUAN, MENYESATKAN, BENAR)")
    return label


def profile_from_toml(text: str, source: str, base: Profile | None = None) -> Profile:
    """Build a profile from TOML text; list fields extend ``base`` (normally the generic profile)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    name = data.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_\-]+", name):
        raise ConfigError(f"{source}: 'name' must be a lowercase identifier such as 'liputan6'")
    where = f"{source} ({name})"
    boiler, pages = _section(data, "boilerplate"), _section(data, "pagination")
    title, when, verdict, claim = (_section(data, s) for s in ("title", "date", "verdict", "claim"))

    def sel(section: dict[str, Any], key: str) -> tuple[Selector, ...]:
        return tuple(Selector.parse(s) for s in _strings(section, key, where))

    marker = pages.get("marker") or (base.page_marker.pattern if base and base.page_marker else "")
    own = Profile(
        name=name,
        publisher=str(data.get("publisher", "")),
        hosts=tuple(h.lower() for h in _strings(data, "hosts", where)),
        markers=tuple(_strings(data, "markers", where)),
        drop_lines=_compile(_strings(boiler, "drop_lines", where), where),
        cut_from=_compile(_strings(boiler, "cut_from", where), where),
        page_marker=_compile([marker], where)[0] if marker else None,
        page_url=str(pages.get("page_url", "")),
        next_selectors=sel(pages, "next_selectors"),
        title_selectors=sel(title, "selectors"),
        title_strip=_compile(_strings(title, "strip", where), where),
        date_selectors=sel(when, "selectors"),
        date_patterns=_compile(_strings(when, "patterns", where), where),
        verdict_selectors=sel(verdict, "selectors"),
        verdict_patterns=_compile(_strings(verdict, "patterns", where), where, re.IGNORECASE | re.MULTILINE),
        claim_selectors=sel(claim, "selectors"),
        claim_patterns=_compile(_strings(claim, "patterns", where), where, re.IGNORECASE | re.MULTILINE),
        default_verdict=_default_verdict(verdict, where),
        source=source,
    )
    return _extend(own, base) if base is not None else own


def _extend(own: Profile, base: Profile) -> Profile:
    merged = {}
    for name in (
        "drop_lines",
        "cut_from",
        "next_selectors",
        "title_selectors",
        "title_strip",
        "date_selectors",
        "date_patterns",
        "verdict_selectors",
        "verdict_patterns",
        "claim_selectors",
        "claim_patterns",
    ):
        merged[name] = tuple(dict.fromkeys(getattr(own, name) + getattr(base, name)))
    return Profile(**{**own.__dict__, **merged})


@lru_cache(maxsize=1)
def builtin_profiles() -> dict[str, Profile]:
    """The profiles shipped in the package, generic first."""
    folder = resources.files("benarkah.ingest") / "profiles"
    texts = {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }
    generic = profile_from_toml(texts.pop(f"{GENERIC}.toml"), f"{GENERIC}.toml")
    profiles = {GENERIC: generic}
    for filename, text in sorted(texts.items()):
        profile = profile_from_toml(text, filename, base=generic)
        profiles[profile.name] = profile
    return profiles


def load_profiles(extra_dir: Path | None = None) -> dict[str, Profile]:
    """Built-in profiles plus ``*.toml`` files from ``extra_dir`` (a newsroom's own; same name wins)."""
    profiles = dict(builtin_profiles())
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise ConfigError(f"profile folder {extra_dir} does not exist")
        for path in sorted(extra_dir.glob("*.toml")):
            profile = profile_from_toml(path.read_text(encoding="utf-8"), str(path), base=profiles[GENERIC])
            profiles[profile.name] = profile
    return profiles


class ProfileChooser:
    """Picks the profile for a page: the one named, else by URL host, else by page markers, else generic."""

    def __init__(self, profiles: dict[str, Profile] | None = None, forced: str | None = None) -> None:
        self.profiles = profiles or builtin_profiles()
        if forced is not None and forced not in self.profiles:
            known = ", ".join(sorted(self.profiles))
            raise ConfigError(f"unknown profile {forced!r} (known: {known}); add a {forced}.toml to use it")
        self.forced = self.profiles[forced] if forced else None

    def choose(self, url: str = "", sample: str = "") -> Profile:
        if self.forced is not None:
            return self.forced
        host = urlsplit(url).hostname or "" if url else ""
        specific = [p for p in self.profiles.values() if p.name != GENERIC]
        if host:
            for profile in specific:
                if profile.matches_host(host):
                    return profile
        if sample:
            folded = sample.casefold()
            for profile in specific:
                if any(marker.casefold() in folded for marker in profile.markers):
                    return profile
        return self.profiles[GENERIC]
