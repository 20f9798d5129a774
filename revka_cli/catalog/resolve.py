"""Resolve a model name the way chat does, for `revka models set`.

`provider/name` is qualified when the prefix is a provider; a bare name resolves when exactly one
cached catalog has it; two or more is an ambiguity error listing the choices; none is "unknown"
(the caller decides whether `--force` lets it through, on the default provider).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from revka_cli import specs
from revka_cli.catalog.lookup import canonical_or_none
from revka_cli.config import Config
from revka_cli.errors import UsageError
from revka_cli.records import Record


class Resolved(Record):
    provider: str
    model: str
    known: bool  # found in the cached (or declared) catalog of `provider`
    how: str  # "qualified" | "catalog" | "default provider"
    cached: bool = True  # False: `provider` has no cached catalog at all
    suggestion: str | None = None


def _suggest(name: str, catalogs: Mapping[str, Iterable[str]]) -> str | None:
    pool = sorted({n for names in catalogs.values() for n in names}
                  | {f"{p}/{n}" for p, names in catalogs.items() for n in names
                     if not specs.is_custom_url(p)})
    match = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return match[0] if match else None


def resolve_name(cfg: Config, name: str, catalogs: Mapping[str, Iterable[str]]) -> Resolved:
    """Raises UsageError for an empty or ambiguous name."""
    from revka_cli.providers.selection import exposers, split_model

    name = name.strip()
    if not name:
        raise UsageError("the model name is empty", "e.g. revka models set ollama/llama3.2:3b")
    catalogs = {p: list(names) for p, names in catalogs.items()}
    for provider in sorted(catalogs, key=len, reverse=True):  # custom:<url>/<name>
        if specs.is_custom_url(provider) and name.startswith(provider + "/"):
            model = name[len(provider) + 1:]
            if model:
                return Resolved(provider, model, model in catalogs[provider], "qualified")
    prefix, bare = split_model(name)
    if prefix:
        names = catalogs.get(prefix)
        known = names is not None and bare in names
        return Resolved(prefix, bare, known, "qualified", names is not None,
                        None if known else _suggest(name, catalogs))
    found = exposers(name, catalogs)
    if len(found) > 1:
        choices = ", ".join(_qualified(p, name) for p in found)
        raise UsageError(f"model '{name}' is ambiguous: {choices}",
                         f"name it with its provider, e.g. revka models set {_qualified(found[0], name)}")
    if found:
        return Resolved(found[0], name, True, "catalog")
    default = canonical_or_none(cfg.default_provider) or cfg.default_provider
    return Resolved(default, name, False, "default provider", default in catalogs,
                    _suggest(name, catalogs))


def _qualified(provider: str, model: str) -> str:
    return f"{provider}/{model}"
