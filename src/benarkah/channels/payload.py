"""A signed webhook body into JSON, whatever it holds.

A body with a valid signature came from Meta or Telegram (or from someone holding the secret), and
both redeliver anything that does not get a 200, for days. So a body the standard parser would crash
on must not cost the other messages in it:

* nesting deeper than the parser's recursion limit (100,000 brackets): the parse is retried with every
  subtree deeper than ``MAX_DEPTH`` replaced by ``null`` (no real payload is nested 64 levels deep), so
  the message holding it is read without that field and the rest of the delivery as usual;
* integers of thousands of digits (Python refuses to convert more than 4,300): kept as their digits,
  a string, which no field that must be a number accepts, so only that field is ignored;
* NUL and lone surrogates inside strings: ``domain.inputs.storable`` on every string and key.

What is not JSON at all (or not UTF-8) raises ``InvalidPayload`` for a 400.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..domain.inputs import storable
from ..errors import BenarkahError

MAX_DEPTH = 64
MAX_INT_DIGITS = 64
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class InvalidPayload(BenarkahError):
    """The body is not JSON (a 400: the sender must fix it; nothing in it can be read)."""


def load_json(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
        try:
            value = json.loads(text, parse_int=_bounded_int)
        except RecursionError:
            value = json.loads(_prune_deep(text), parse_int=_bounded_int)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidPayload(f"body is not JSON: {exc}") from None
    if "\\u" in text:  # NUL and surrogates can only arrive as escapes: strict JSON refuses them raw
        value = _storable_strings(value)
    return value


def _bounded_int(digits: str) -> int | str:
    return int(digits) if len(digits.lstrip("-")) <= MAX_INT_DIGITS else digits


def _prune_deep(text: str, max_depth: int = MAX_DEPTH) -> str:
    """``text`` with each array or object that opens deeper than ``max_depth`` replaced by ``null``."""
    pieces: list[str] = []
    depth, copied_to, pruning_from = 0, 0, -1
    for token in _TOKENS.finditer(text):
        symbol = token.group()
        if symbol in "[{":
            depth += 1
            if depth == max_depth + 1 and pruning_from < 0:
                pruning_from = token.start()
        elif symbol in "]}":
            depth -= 1
            if depth == max_depth and pruning_from >= 0:
                pieces.append(text[copied_to:pruning_from])
                pieces.append("null")
                copied_to, pruning_from = token.end(), -1
    pieces.append(text[copied_to:] if pruning_from < 0 else text[copied_to:pruning_from])
    return "".join(pieces)


def _storable_strings(value: Any) -> Any:
    """Every string (and key) in a parsed document made ``storable``, in place, without recursion."""
    if isinstance(value, str):
        return storable(value)
    pending = [value] if isinstance(value, (list, dict)) else []
    while pending:
        container = pending.pop()
        if isinstance(container, list):
            for position, item in enumerate(container):
                if isinstance(item, str):
                    container[position] = storable(item)
                elif isinstance(item, (list, dict)):
                    pending.append(item)
        else:
            items = list(container.items())
            container.clear()
            for key, item in items:
                if isinstance(item, str):
                    item = storable(item)
                elif isinstance(item, (list, dict)):
                    pending.append(item)
                container[storable(key)] = item
    return value
