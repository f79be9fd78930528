"""Routers that other packages add to the HTTP app (channel webhooks, the dashboard, the chat ...).

Each entry is ``"module:function"``; the function takes the ``Tipline`` and returns an ``APIRouter``
(or ``None`` when its feature is not configured). One line per feature, so features stay independent.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from ..tipline import Tipline

ROUTER_FACTORIES: tuple[str, ...] = (
    "benarkah.channels.whatsapp.webhook:whatsapp_router",
    "benarkah.channels.telegram.webhook:telegram_router",
    "benarkah.web.ops:ops_router",
    "benarkah.admin.routes:router_factory",
    "benarkah.web.chat:router_factory",
    "benarkah.web.factchecks:router_factory",
    "benarkah.web.claims_api:router_factory",
)


def _load(spec: str) -> Callable[..., object]:
    module_name, _, attribute = spec.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def load_router_factories() -> list[Callable[["Tipline"], "APIRouter | None"]]:
    return [_load(spec) for spec in ROUTER_FACTORIES]  # type: ignore[misc]


# Hooks that need the app itself (middleware): ``"module:function"``, function(app, tipline) -> None.
APP_HOOKS: tuple[str, ...] = (
    "benarkah.web.ops:install_metrics",
)


def load_app_hooks() -> list[Callable[["FastAPI", "Tipline"], None]]:
    return [_load(spec) for spec in APP_HOOKS]  # type: ignore[misc]
