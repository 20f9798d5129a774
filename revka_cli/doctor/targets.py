"""Which providers a doctor run checks, and which model each one should serve.

By default: the default provider, each fallback, each `[providers.<id>]` table, and `custom` when
`models.custom.url` is set, in that order, each once. `--all-local` adds every local provider of the
catalog (at its configured URL, else its default one). `--provider X` checks exactly the named ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from revka_cli import specs
from revka_cli.config import Config
from revka_cli.errors import RevkaError
from revka_cli.providers.endpoint import canonical_provider


@dataclass(frozen=True)
class Target:
    provider: str  # canonical id, "custom", "custom:<url>", or the raw name when it is unknown
    is_primary: bool = False
    model: str | None = None  # the model it should serve (None: none configured)
    declared: tuple[str, ...] = ()  # models.custom.available_models, for `custom`
    role: str = "configured"  # default | fallback | table | custom | local | flag
    problem: str | None = None  # why the name itself is unusable


def _canonical(name: str) -> tuple[str, str | None]:
    try:
        return canonical_provider(name), None
    except RevkaError as exc:
        return name.strip(), exc.message


def _split(model: str | None, provider: str) -> str | None:
    """`provider/model` -> model when the prefix is this provider; a bare name as is."""
    if not model:
        return None
    from revka_cli.providers.selection import split_model

    try:
        prefix, bare = split_model(model)
    except RevkaError:
        return model
    if prefix is None:
        return model
    return bare if prefix == provider else None


def primary(cfg: Config) -> tuple[str, str | None, str | None]:
    """(provider, model, problem) the way `revka chat` would pick them with no flags."""
    from revka_cli.providers.selection import select

    try:
        chosen = select(cfg)
        return chosen.provider, chosen.model, None
    except RevkaError:
        name, problem = _canonical(cfg.default_provider)
        return name, _split(cfg.default_model, name), problem


def expected_model(cfg: Config, provider: str, is_primary: bool,
                   primary_model: str | None = None) -> str | None:
    table = cfg.providers.get(provider)
    if table and table.default_model:
        return _split(table.default_model, provider) or table.default_model
    if is_primary and primary_model:
        return primary_model
    default = cfg.models.default
    return _split(default, provider) if default and "/" in default else None


def _target(cfg: Config, name: str, role: str, primary_name: str,
            primary_model: str | None) -> Target:
    provider, problem = _canonical(name)
    is_primary = provider == primary_name
    custom = provider == specs.DECLARED_CUSTOM
    declared = tuple(cfg.models.custom.available_models) if custom else ()
    model = expected_model(cfg, provider, is_primary, primary_model)
    return Target(provider, is_primary, model, declared, role, problem)


def configured_names(cfg: Config, primary_name: str) -> list[tuple[str, str]]:
    """The provider `revka chat` would use first, then the catalog's list of configured ones
    (default, fallbacks, `[providers.*]`, `custom`), without `custom` when it has no url."""
    from revka_cli.catalog.lookup import configured_providers

    names = [(primary_name, "default")]
    for name in configured_providers(cfg):
        if name != specs.DECLARED_CUSTOM or cfg.models.custom.url:
            names.append((name, "configured"))
    return names


def build_targets(cfg: Config, only: Iterable[str] = (), all_local: bool = False) -> list[Target]:
    """The providers to check, each once, in a stable order. Unknown `only` names become targets
    whose config check fails (the CLI rejects them before this, as a usage error)."""
    primary_name, primary_model, primary_problem = primary(cfg)
    only = list(only)
    if only:
        names = [(n, "flag") for n in only]
    else:
        names = configured_names(cfg, primary_name)
    if all_local:
        names += [(s.id, "local") for s in specs.local_specs()]
    targets: list[Target] = []
    seen: set[str] = set()
    for name, role in names:
        target = _target(cfg, name, role, primary_name, primary_model)
        if target.provider in seen:
            continue
        seen.add(target.provider)
        if role == "default" and primary_problem:
            target = Target(target.provider, True, None, target.declared, role, primary_problem)
        targets.append(target)
    return targets
