"""Read the cached catalog for the current config, without touching the network.

The cache is keyed by provider + base URL, so a lookup first works out which base URL the config
would use for a provider (no credentials are resolved: no `api_key_cmd` runs here).
"""

from __future__ import annotations

from pathlib import Path

from revka_cli import specs
from revka_cli.providers.protocols.model_list import declared_models
from revka_cli.catalog.store import (
    INDEX_NAME, STORE_DIR, CatalogStore, read_index, stored_base, stored_provider,
)
from revka_cli.config import Config
from revka_cli.errors import RevkaError
from revka_cli.paths import cache_dir


def canonical_or_none(name: str) -> str | None:
    from revka_cli.providers.endpoint import canonical_provider

    try:
        return canonical_provider(name)
    except RevkaError:
        return None


def configured_providers(cfg: Config) -> list[str]:
    """Default, fallbacks, `[providers.*]` keys, and `custom` when models.custom.url is set:
    canonical ids, de-duplicated, in that order. Unknown names are skipped."""
    names = [cfg.default_provider, *cfg.reliability.fallback_providers, *cfg.providers]
    if cfg.models.custom.url:
        names.append(specs.DECLARED_CUSTOM)
    out: list[str] = []
    for name in names:
        canonical = canonical_or_none(name)
        if canonical and canonical not in out:
            out.append(canonical)
    return out


def expected_base(cfg: Config, provider: str) -> str | None:
    """The API root the config gives `provider` (the cache key's base URL), or None."""
    from revka_cli.providers.endpoint import api_root

    canonical = canonical_or_none(provider)
    if canonical is None:
        return None
    primary = canonical == canonical_or_none(cfg.default_provider)
    try:
        return api_root(cfg, canonical, is_primary=primary)
    except RevkaError:
        return None


def declared_infos(cfg: Config) -> list:
    custom = cfg.models.custom
    if not custom.url:
        return []
    return declared_models(specs.DECLARED_CUSTOM, dict(custom.available_models))


class CatalogView:
    """Cached entries that match the config: from the plain index, else from the store."""

    def __init__(self, cfg: Config, root: Path | None = None) -> None:
        self.cfg = cfg
        self.root = Path(root) if root is not None else cache_dir()
        self.index = read_index(self.root / INDEX_NAME) or {}
        self._store: CatalogStore | None = None
        self.warnings: list[str] = []

    def store(self) -> CatalogStore:
        if self._store is None:
            self._store = CatalogStore(self.root)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self.warnings.extend(self._store.warnings)
            self._store.close()

    def providers(self) -> list[str]:
        """Configured providers, then other cached ones whose base URL matches the config."""
        extra = [p for p in self.index.get("models", {}) if p != specs.DECLARED_CUSTOM]
        out = [p for p in configured_providers(self.cfg) if p != specs.DECLARED_CUSTOM]
        stored = {stored_provider(p) for p in out}  # the cache never holds a URL's password
        return out + [p for p in extra if p not in stored]

    def cached(self, provider: str, full: bool = False) -> dict | None:
        """The cache entry for `provider` at its configured URL, or None. Without `full`, the
        plain index answers when it can (names, context windows, fetched_at, last_error)."""
        base = expected_base(self.cfg, provider)
        if base is None:
            return None
        index, key, stored = self.index, stored_provider(provider), stored_base(base)
        if not full and (index.get("bases") or {}).get(key) == stored:
            names = index["models"].get(key) or []
            context = (index.get("context") or {}).get(key) or {}
            return {"provider": provider, "base_url": stored,
                    "fetched_at": (index.get("fetched_at") or {}).get(key),
                    "last_error": (index.get("last_error") or {}).get(key),
                    "models": [{"name": n, "context_window": context.get(n)} for n in names]}
        all_bases = index.get("all_bases")
        if isinstance(all_bases, dict) and stored not in (all_bases.get(key) or ()):
            return None  # the index lists every cached base URL: no need to open the store
        if not (self.root / STORE_DIR).is_dir():
            return None  # never create an empty cache just to look into it
        return self.store().get(provider, base)

    def names(self, provider: str) -> list[str] | None:
        """Cached model names for `provider` at its configured URL (None: nothing cached)."""
        entry = self.cached(provider)
        return [m["name"] for m in entry["models"] if m.get("name")] if entry else None

    def context(self, provider: str, model: str) -> int | None:
        entry = self.cached(provider)
        for m in entry["models"] if entry else ():
            if m.get("name") == model and isinstance(m.get("context_window"), int):
                return m["context_window"]
        return None


def cached_catalogs(cfg: Config) -> dict[str, list[str]]:
    """provider -> cached model names valid for this config, plus the declared `custom` catalog.
    For bare-name resolution (`selection.select(..., catalogs=...)`)."""
    view = CatalogView(cfg)
    try:
        out = {p: names for p in view.providers() if (names := view.names(p)) is not None}
    finally:
        view.close()
    declared = declared_infos(cfg)
    if declared:
        out[specs.DECLARED_CUSTOM] = [m.name for m in declared]
    return out


def context_window(cfg: Config, provider: str, model: str) -> int | None:
    """A model's context window: declared in models.custom first, then the cache."""
    canonical = canonical_or_none(provider)
    if canonical is None:
        return None
    if canonical == specs.DECLARED_CUSTOM:
        value = cfg.models.custom.available_models.get(model)
        return value if isinstance(value, int) else None
    view = CatalogView(cfg)
    try:
        return view.context(canonical, model)
    finally:
        view.close()



class CachedFacts:
    """The chat core's ModelFacts from the on-disk cache and models.custom (never the network).
    Each answer is read once per process: a batch asks for the same model's window per item."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self._names: dict[str, list[str]] | None = None
        self._windows: dict[tuple[str, str], int | None] = {}

    def names(self) -> dict[str, list[str]]:
        if self._names is None:
            self._names = cached_catalogs(self.cfg)
        return self._names

    def window(self, provider: str, model: str) -> int | None:
        key = (provider, model)
        if key not in self._windows:  # threads may both look once: the answer is the same
            self._windows[key] = context_window(self.cfg, provider, model)
        return self._windows[key]
