"""`revka models list` from the cache for a pipe or --json, without typer (shared by the Typer
command and the start-up fast path)."""

from __future__ import annotations

from revka_cli.cli.output import out, out_json


def print_cached_listing(state, provider: str | None, *, as_json: bool) -> bool:
    """Print one qualified name per line (or the JSON list) from the cache.
    False, printing nothing, when no live cache exists and the caller must refresh first."""
    from revka_cli.catalog.listing import collect, has_live, json_rows
    from revka_cli.config import require_config
    from revka_cli.providers.endpoint import canonical_provider

    cfg = require_config(state.config_path).config
    wanted = canonical_provider(provider) if provider else None
    groups = collect(cfg, wanted, full=False)
    if not has_live(groups):
        return False
    if as_json:
        out_json(json_rows(groups))
        return True
    lines = [group.qualified(model) for group in groups for model in group.models]
    if lines:
        out("\n".join(lines))
    return True
