"""What `revka models list` and `revka models status` show, as plain data (no rendering here)."""

from __future__ import annotations

import time

from revka_cli import specs
from revka_cli.catalog.lookup import CatalogView, canonical_or_none, declared_infos, expected_base
from revka_cli.providers.protocols.model_list import DECLARED, LIVE, ModelInfo
from revka_cli.catalog.store import TTL_SECS, is_fresh
from revka_cli.config import Config
from revka_cli.records import Factory, Record
from revka_cli.redact import display_provider
from revka_cli.urls import redact_url


class Group(Record, frozen=False):
    provider: str
    base_url: str | None
    models: list[ModelInfo] = Factory(list)
    fetched_at: float | None = None
    last_error: str | None = None
    declared: bool = False

    @property
    def shown(self) -> str:
        """The provider as printed (a custom URL without its secrets)."""
        return display_provider(self.provider)

    def qualified(self, model: ModelInfo) -> str:
        return f"{self.shown}/{model.name}"


def _group(view: CatalogView, provider: str, full: bool) -> Group | None:
    if provider == specs.DECLARED_CUSTOM:
        declared = declared_infos(view.cfg)
        return Group(provider, view.cfg.models.custom.url, declared, declared=True) if declared else None
    entry = view.cached(provider, full)
    if entry is None:
        return None
    models = [ModelInfo.from_dict({**m, "provider": provider, "source": m.get("source", LIVE)})
              for m in entry["models"] if isinstance(m, dict) and m.get("name")]
    return Group(provider, entry.get("base_url"), models, entry.get("fetched_at"),
                 entry.get("last_error"))


def collect(cfg: Config, provider: str | None = None, *, full: bool = False,
            view: CatalogView | None = None) -> list[Group]:
    """Cached groups for `provider`, or for every configured or matching cached provider."""
    own = view is None
    view = view or CatalogView(cfg)
    try:
        if provider:
            names = [canonical_or_none(provider) or provider]
        else:
            names = view.providers() + ([specs.DECLARED_CUSTOM] if declared_infos(cfg) else [])
        return [g for g in (_group(view, p, full) for p in names) if g is not None]
    finally:
        if own:
            view.close()


def has_live(groups: list[Group]) -> bool:
    return any(not g.declared for g in groups)


def json_rows(groups: list[Group]) -> list[dict]:
    """The stable `--json` shape: {provider, name, qualified, context_window, source, fetched_at}."""
    return [{"provider": g.shown, "name": m.name, "qualified": g.qualified(m),
             "context_window": m.context_window, "source": DECLARED if g.declared else m.source,
             "fetched_at": g.fetched_at} for g in groups for m in g.models]


def human_size(size: int | None) -> str:
    if not size:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit in ("B", "KB") else f"{value:.1f} {unit}"
        value /= 1000
    return "-"  # pragma: no cover


def human_age(fetched_at: float | None, now: float | None = None) -> str:
    if fetched_at is None:
        return "-"
    secs = max(0, (time.time() if now is None else now) - fetched_at)
    for unit, span in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= span:
            return f"{int(secs // span)}{unit} ago"
    return "just now"


def human_context(tokens: int | None) -> str:
    return f"{tokens:,}" if tokens else "-"


def default_marker(cfg: Config) -> tuple[str | None, str | None]:
    """(provider, model) of the configured default, for the `*` mark."""
    return canonical_or_none(cfg.default_provider), cfg.default_model


def header(g: Group, now: float | None = None) -> str:
    """`provider  base_url  (N models, fetched 2h ago)`, noting a stale or failed cache."""
    where = f"  {redact_url(g.base_url)}" if g.base_url else ""
    when = "declared in the config" if g.declared else f"fetched {human_age(g.fetched_at, now)}"
    stale = "" if g.declared or is_fresh({"fetched_at": g.fetched_at}, now) else ", stale"
    error = f"; last refresh failed: {g.last_error}" if g.last_error else ""
    n = len(g.models)
    return f"{g.shown}{where}  ({n} model{'s' * (n != 1)}, {when}{stale}{error})"


def text_lines(groups: list[Group], cfg: Config, now: float | None = None) -> list[str]:
    """The grouped view without colour: a header per provider, then one line per model."""
    default_provider, default_model = default_marker(cfg)
    lines: list[str] = []
    for g in groups:
        lines.append(header(g, now))
        width = max((len(m.name) for m in g.models), default=0)
        for m in g.models:
            mark = "*" if (g.provider, m.name) == (default_provider, default_model) else " "
            lines.append(f"  {mark} {m.name:<{width}}  {human_context(m.context_window):>7}  "
                         f"{human_size(m.size):>8}")
        if not g.models:
            lines.append("    (no models)")
    return lines


def status(cfg: Config, selection, view: CatalogView | None = None, now: float | None = None) -> dict:
    """Effective provider/model, where each came from, and the cache's age for that provider."""
    own = view is None
    view = view or CatalogView(cfg)
    try:
        provider = selection.provider if selection else canonical_or_none(cfg.default_provider)
        group = _group(view, provider, False) if provider else None
    finally:
        if own:
            view.close()
    now = time.time() if now is None else now
    cache = None
    if group is not None:
        age = None if group.fetched_at is None else max(0.0, now - group.fetched_at)
        cache = {"models": len(group.models), "fetched_at": group.fetched_at, "age_secs": age,
                 "fresh": group.declared or (age is not None and age < TTL_SECS),
                 "declared": group.declared, "last_error": group.last_error}
    base = expected_base(cfg, provider) if provider else None
    return {"provider": display_provider(provider) if provider else None,
            "provider_origin": selection.provider_origin if selection else
            cfg.origins.get("default_provider", "default"),
            "model": selection.model if selection else None,
            "model_origin": selection.model_origin if selection else
            cfg.origins.get("default_model", "default"),
            "base_url": redact_url(base) if base else None,
            "cache": cache}


def model_count(n: int) -> str:
    """"1 model", "3 models"."""
    return f"{n} model{'s' * (n != 1)}"


def refresh_line(result, now: float | None = None) -> str:
    """The stdout line of a provider that `models refresh` refreshed: its model count."""
    count = model_count(len(result.models))
    where = f" at {redact_url(result.base_url)}" if result.base_url else ""
    name = display_provider(result.provider)
    if result.ok and result.declared:
        return f"{name}: {count} (declared in the config)"
    if result.ok and result.cached:
        return (f"{name}: {count}{where} (cached {human_age(result.fetched_at, now)}; "
                "--force to refetch)")
    return f"{name}: {count}{where} ({result.elapsed:.2f}s)"


def refresh_failure(result, now: float | None = None) -> tuple[str, str | None]:
    """(message, hint) for a provider whose refresh failed: reported on stderr as an error."""
    error = result.error
    message = f"{display_provider(result.provider)}: {error.message if error else 'unknown failure'}"
    if result.stale:
        n = len(result.models)
        message += f" (kept {n} model{'s' * (n != 1)} cached {human_age(result.fetched_at, now)})"
    return message, error.hint if error is not None else None
