"""Choose the provider and model: flags, env, config, and the bare-name rule.

Models are named `provider/name`; only the first `/` splits, and only when the prefix is a provider
(`custom/openrouter/free` is model `openrouter/free` on `custom`; `Qwen/Qwen2.5` is a bare name).
A bare name resolves only when exactly one provider exposes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from revka_cli import specs
from revka_cli.config import Config
from revka_cli.config.semantics import split_qualified
from revka_cli.errors import ConfigError, NotFoundError, UsageError
from revka_cli.providers.endpoint import canonical_provider
from revka_cli.records import Record


class Selection(Record):
    provider: str  # canonical
    model: str
    provider_origin: str  # flag | env NAME | file | default | model prefix | catalog
    model_origin: str

    @property
    def qualified(self) -> str:
        return f"{self.provider}/{self.model}"


def split_model(name: str) -> tuple[str | None, str]:
    """(canonical provider, model) for a qualified name, (None, name) for a bare one."""
    qualified = split_qualified(name)
    if qualified is None:
        return None, name
    return canonical_provider(qualified[0]), qualified[1]


def exposers(model: str, catalogs: Mapping[str, Iterable[str]]) -> list[str]:
    return sorted(p for p, names in catalogs.items() if model in set(names))


def declared_catalog(cfg: Config) -> dict[str, list[str]]:
    if cfg.models.custom.url and cfg.models.custom.available_models:
        return {specs.DECLARED_CUSTOM: list(cfg.models.custom.available_models)}
    return {}


def select(cfg: Config, *, provider_flag: str | None = None, model_flag: str | None = None,
           catalogs: Mapping[str, Iterable[str]] | None = None) -> Selection:
    """Resolve provider and model. `catalogs` maps provider id -> cached model names. A model of
    the declared `custom` catalog must be one of its `available_models` (NotFoundError)."""
    catalogs = {**declared_catalog(cfg), **(catalogs or {})}
    chosen = _select(cfg, provider_flag, model_flag, catalogs)
    declared = declared_catalog(cfg).get(specs.DECLARED_CUSTOM)
    if chosen.provider == specs.DECLARED_CUSTOM and declared and chosen.model not in declared:
        raise NotFoundError(f"unknown model 'custom/{chosen.model}': [models.custom] declares "
                            f"{', '.join(sorted(declared))}",
                            "use one of those, or add it to [models.custom] available_models")
    return chosen


def _select(cfg: Config, provider_flag: str | None, model_flag: str | None,
            catalogs: Mapping[str, Iterable[str]]) -> Selection:
    origins = cfg.origins
    if model_flag:
        model, model_origin = model_flag, "flag"
    else:
        model, model_origin = cfg.default_model, origins.get("default_model", "default")
    if provider_flag:
        provider, provider_origin = canonical_provider(provider_flag), "flag"
    else:
        provider = canonical_provider(cfg.default_provider)
        provider_origin = origins.get("default_provider", "default")
    if not model:
        return _no_model(provider, provider_origin, catalogs)
    prefix, bare = split_model(model)
    if prefix:
        if provider_flag and canonical_provider(provider_flag) != prefix:
            raise UsageError(f"--provider {provider_flag} disagrees with model '{model}'",
                             f"drop --provider, or name the model without the '{prefix}/' prefix")
        return Selection(prefix, bare, "model prefix", model_origin)
    if provider_flag or model_origin != "flag":
        return Selection(provider, model, provider_origin, model_origin)
    return _bare_name(model, provider, provider_origin, catalogs)


def _bare_name(model: str, default: str, default_origin: str,
               catalogs: Mapping[str, Iterable[str]]) -> Selection:
    found = exposers(model, catalogs)
    if len(found) > 1:
        choices = ", ".join(f"{p}/{model}" for p in found)
        raise UsageError(f"model '{model}' is ambiguous: {choices}",
                         "name it with its provider, e.g. --model " + f"{found[0]}/{model}")
    if len(found) == 1 and found[0] != default:
        return Selection(found[0], model, "catalog", "flag")
    return Selection(default, model, default_origin, "flag")


def _no_model(provider: str, origin: str, catalogs: Mapping[str, Iterable[str]]) -> Selection:
    names = list(catalogs.get(provider, []))
    if len(names) == 1:
        return Selection(provider, names[0], origin, "catalog (only model)")
    raise ConfigError(f"no model selected for {provider}",
                      "pass --model NAME, set default_model, or run 'revka models set NAME'")
