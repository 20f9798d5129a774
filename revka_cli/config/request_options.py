"""Request options (`-o KEY=VALUE`, `[options]`, `[providers.<id>.options]`): the keys revka sets
from its own flags, which an option may not set, and the check of an option's value."""

from __future__ import annotations

import math

RESERVED_OPTIONS = {
    "model": "--model (or default_model)",
    "messages": "the prompt",
    "stream": "--no-stream",
    "max_tokens": "--max-tokens (or provider_max_tokens)",
    "temperature": "--temperature (or default_temperature)",
}
MAX_OPTION_DEPTH = 32


def reserved_problem(key: str) -> str | None:
    """Why `key` cannot be an option (revka sets it from a flag), or None."""
    source = RESERVED_OPTIONS.get(key)
    return f"'{key}' is set by revka from {source}; use that instead" if source else None


def value_problem(value: object, depth: int = 0) -> str | None:
    """Why `value` cannot go into a JSON body (nan, inf, a date, too deep), or None."""
    if depth > MAX_OPTION_DEPTH:
        return f"nested more than {MAX_OPTION_DEPTH} levels deep"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a JSON number"
    if isinstance(value, dict):
        return next((p for v in value.values() if (p := value_problem(v, depth + 1))), None)
    if isinstance(value, list):
        return next((p for v in value if (p := value_problem(v, depth + 1))), None)
    if value is None or isinstance(value, (str, int, float, bool)):
        return None
    return f"a {type(value).__name__} cannot be sent as JSON"
