"""`-o KEY=VALUE` request options: parsed once, for the one-shot chat, the REPL and any caller
that fills a TurnSpec (batch items). A value is JSON when it parses as JSON (`seed=42`,
`stop=["\\n"]`, `x=true`), else the text itself (`keep_alive=5m`); `null` drops a key the config's
option tables set."""

from __future__ import annotations

import json
from collections.abc import Iterable

from revka_cli.errors import UsageError


def parse_option(text: str) -> tuple[str, object]:
    """(key, value) from `KEY=VALUE`; a key revka sets from a flag is refused."""
    from revka_cli.config.request_options import reserved_problem, value_problem

    key, eq, raw = text.partition("=")
    key = key.strip()
    if not eq or not key:
        raise UsageError(f"option '{text}' is not KEY=VALUE", "e.g. -o seed=42 -o top_k=40")
    problem = reserved_problem(key)
    if problem:
        raise UsageError(f"option {problem}", f"drop -o {key}=…")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    problem = value_problem(value)
    if problem:
        raise UsageError(f"option '{key}' cannot be sent: {problem}")
    return key, value


def parse_options(texts: Iterable[str]) -> dict:
    """{key: value} for every `KEY=VALUE` (a later one for the same key wins)."""
    return dict(parse_option(text) for text in texts)
