"""What a caller asks of one chat turn: a plain record, filled by the CLI from its options (or by
any other caller), never read from `sys` or the environment here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from revka_cli.records import Factory, Record


class TurnSpec(Record):
    provider: str | None = None  # a provider flag; None: the config's default
    model: str | None = None  # a model flag; None: the config's default
    system: str | None = None
    temperature: float | None = None  # None: the config's default_temperature
    max_tokens: int | None = None  # None: the config's provider_max_tokens
    stream: bool = True
    tools_file: str | None = None  # a JSON file of function definitions
    timeout: float | None = None  # the overall deadline; None: the provider's or the config's
    api_key: str | None = None  # a key flag, for the primary provider only
    request: dict = Factory(dict)  # further ChatRequest fields by name (e.g. {"seed": 42})
    # structured output and raw options: what a batch item may set per item too
    schema: dict | None = None  # a loaded JSON Schema (revka_cli.chat.structured.load_schema)
    json_object: bool = False  # any JSON object
    options: dict = Factory(dict)  # -o KEY=VALUE, parsed (revka_cli.chat.options.parse_options)
    _repr_hidden = ("api_key",)


class ModelFacts(Protocol):
    """What the on-disk catalog knows, passed in by the caller (the core reads no cache)."""

    def names(self) -> Mapping[str, list[str]]:
        """provider id -> cached model names, for model selection."""

    def window(self, provider: str, model: str) -> int | None:
        """A model's context window, declared or cached; None when unknown."""


class NoFacts:
    """Model facts when the caller has none: selection from the config alone, no window."""

    def names(self) -> Mapping[str, list[str]]:
        return {}

    def window(self, provider: str, model: str) -> int | None:
        return None


Warn = Callable[[str], None]
