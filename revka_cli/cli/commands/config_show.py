"""What each configured provider of `config show` will use: its API URL (redacted), where its key
comes from (never the key, and no api_key_cmd is run), its model, and where each came from.

The URL is `endpoint.api_root`'s, the key source `credentials.key_source`'s and the primary's model
`selection.select`'s, so this says what chat does; only the names of the origins are spelled here.
"""

from __future__ import annotations

from collections.abc import Mapping

from revka_cli import specs
from revka_cli.errors import RevkaError
from revka_cli.redact import display_provider


def _origin(cfg, key: str) -> str:
    origin = cfg.origins.get(key, "file")
    return f"{key} in the file" if origin == "file" else origin


def _url_from(cfg, name: str, is_primary: bool) -> str:
    if specs.is_custom_url(name):
        return "the provider id"
    if name == specs.DECLARED_CUSTOM:
        return "models.custom.url"
    table = cfg.providers.get(name)
    if table and table.api_url:
        return f"providers.{name}.api_url"
    if is_primary and cfg.api_url:
        return _origin(cfg, "api_url")
    return "the provider catalog's default"


def _model(cfg, name: str, role: str, chosen) -> tuple[str | None, str | None]:
    table = cfg.providers.get(name)
    if role == "default":
        if chosen is None:
            return None, None
        origin = chosen.model_origin
        return chosen.model, "default_model in the file" if origin == "file" else origin
    if table and table.default_model:
        return table.default_model, f"providers.{name}.default_model"
    if role == "fallback" and chosen:
        return chosen.model, "the primary's model, which a fallback reuses"
    if name == specs.DECLARED_CUSTOM and cfg.models.custom.available_models:
        return ", ".join(cfg.models.custom.available_models), "models.custom.available_models"
    return None, None


def _primary(cfg):
    """(chosen Selection or None, its provider, a problem or None), as chat picks them."""
    from revka_cli.providers.endpoint import canonical_provider
    from revka_cli.providers.selection import select

    try:
        chosen = select(cfg)
        return chosen, chosen.provider, None
    except RevkaError as exc:
        try:
            return None, canonical_provider(cfg.default_provider), exc.message
        except RevkaError:
            return None, None, exc.message


def provider_rows(cfg, environ: Mapping[str, str]) -> list[dict]:
    """One row per configured provider (default, fallbacks, [providers.*], models.custom)."""
    from revka_cli.catalog.lookup import canonical_or_none, configured_providers
    from revka_cli.providers.credentials import key_source
    from revka_cli.providers.endpoint import api_root
    from revka_cli.urls import redact_url

    chosen, primary, problem = _primary(cfg)
    fallbacks = {canonical_or_none(p) for p in cfg.reliability.fallback_providers}
    names = configured_providers(cfg)
    if primary and primary not in names:
        names.insert(0, primary)
    rows = []
    for name in names:
        is_primary = name == primary
        role = "default" if is_primary else "fallback" if name in fallbacks else "configured"
        row = {"provider": display_provider(name), "role": role, "url": None,
               "url_from": _url_from(cfg, name, is_primary), "key_from": None, "model": None,
               "model_from": None, "problem": problem if is_primary else None}
        try:
            row["url"] = redact_url(api_root(cfg, name, is_primary=is_primary))
            row["key_from"] = key_source(cfg, name, is_primary=is_primary, env=environ)
        except RevkaError as exc:
            row["problem"] = exc.message
        row["model"], row["model_from"] = _model(cfg, name, role, chosen)
        rows.append(row)
    return rows


def render_rows(rows: list[dict]) -> list[str]:
    """TOML comment lines, so that `config show`'s stdout stays a valid TOML file."""
    from revka_cli.textsafe import one_line

    lines = ["# providers: the URL, key source and model each one uses (from: where it came from)"]
    for row in rows:
        model = (f"{row['model']} (from {row['model_from']})" if row["model"] else "none")
        lines += [f"# {row['provider']} ({row['role']})",
                  f"#   url:   {row['url'] or '-'} (from {row['url_from']})",
                  f"#   key:   {row['key_from'] or '-'}",
                  f"#   model: {model}"]
        if row["problem"]:
            lines.append(f"#   problem: {row['problem']}")
    return [one_line(line) for line in lines]
