"""Fetch model lists from providers, concurrently, and keep them in the cache.

`refresh()` talks to one endpoint and never raises: the result says what happened.
`refresh_many()` resolves providers from the config, honours the 12 h TTL unless forced, fetches
the rest in parallel, and stores every result (a failure keeps the stale entry).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from revka_cli import specs
from revka_cli.catalog.lookup import (  # noqa: F401 - re-exported: the catalog's public API
    cached_catalogs, canonical_or_none, configured_providers, context_window, declared_infos,
)
from revka_cli.providers.protocols.model_list import ModelInfo, parse_model_list, parse_ollama_show
from revka_cli.catalog.store import CatalogStore, is_fresh, make_entry
from revka_cli.config import Config
from revka_cli.errors import ConfigError, ProviderError, RevkaError, UsageError

DISCOVERY_TIMEOUT_SECS = 30.0
MAX_WORKERS = 8
NO_DISCOVERY_HINT = "set the model with: revka models set NAME --force"
UNCHECKED_HINT = "set the model with: revka models set NAME (taken unchecked, no --force needed)"


@dataclass
class RefreshResult:
    provider: str
    base_url: str | None = None
    ok: bool = False
    models: list[ModelInfo] = field(default_factory=list)  # on failure: the stale cached models
    error: RevkaError | None = None
    elapsed: float = 0.0
    fetched_at: float | None = None
    cached: bool = False  # answered from a fresh cache entry; nothing was fetched
    stale: bool = False  # the refresh failed and an older cached entry was kept
    declared: bool = False  # models.custom: from the config, never queried
    warnings: list[str] = field(default_factory=list)


def _extractor():
    try:
        from revka_cli.providers.error_bodies import error_message
    except ImportError:  # pragma: no cover - the transport's default then
        return None
    return error_message


def _get(client, url: str, headers: Mapping[str, str], hint: str) -> bytes:
    from revka_cli.transport.answers import check_status, read_body

    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    headers["Accept"] = "application/json"
    stream = client.open_stream("GET", url, headers)
    check_status(stream, _extractor(), not_found_hint=hint)
    return read_body(stream, limit=16 * 1024 * 1024)  # parsed within the RSS bound


def _ollama_context(client, endpoint, name: str) -> int | None:
    from revka_cli.transport.answers import read_body

    try:
        stream = client.open_stream("POST", f"{endpoint.base_url}/api/show", endpoint.headers,
                                    json_body={"model": name})
        if not 200 <= stream.status < 300:
            stream.close()
            return None
        from revka_cli.providers.protocols.model_list import decode_json

        return parse_ollama_show(decode_json(read_body(stream)))
    except RevkaError:
        return None


def _fetch(endpoint, client, details: bool) -> list[ModelInfo]:
    hint = (f"{endpoint.models_url} does not list models: check that the URL is the API root, "
            f"or {NO_DISCOVERY_HINT}")
    body = _get(client, endpoint.models_url, endpoint.headers, hint)
    models = parse_model_list(endpoint.provider, endpoint.wire, body)
    if details and endpoint.wire.has_model_details:
        models = [m.replace(context_window=_ollama_context(client, endpoint, m.name)
                                      or m.context_window) for m in models]
    return models


def refresh(endpoint, client, *, details: bool = False,
            declared: Iterable[ModelInfo] | None = None) -> RefreshResult:
    """Fetch one provider's model list. Never raises; `result.error` says what went wrong."""
    started = time.monotonic()
    result = RefreshResult(endpoint.provider, endpoint.base_url)
    try:
        if endpoint.provider == specs.DECLARED_CUSTOM:
            result.models, result.declared = list(declared or ()), True
        elif not endpoint.discovery or not endpoint.models_url:
            raise UsageError(f"{endpoint.provider} has no live model discovery",
                             NO_DISCOVERY_HINT if endpoint.discovery else UNCHECKED_HINT)
        else:
            result.models = _fetch(endpoint, client, details)
        result.ok, result.fetched_at = True, time.time()
    except RevkaError as exc:
        result.error = exc
    except Exception as exc:  # noqa: BLE001 - a result, never a crash
        result.error = ProviderError(f"model discovery failed: {type(exc).__name__}: {exc}")
    result.elapsed = time.monotonic() - started
    return result


def store_result(result: RefreshResult, store: CatalogStore | None = None) -> list[str]:
    """Write a result to the cache (a failure marks the stale entry). Returns the warnings."""
    if result.declared or result.cached or not result.base_url:
        return []
    own = store is None
    store = store or CatalogStore()
    seen = len(store.warnings)
    try:
        if result.ok:
            store.put(make_entry(result.provider, result.base_url,
                                 [m.to_dict() for m in result.models], result.fetched_at or time.time()))
        elif result.error is not None:
            entry = store.mark_failed(result.provider, result.base_url, result.error.message)
            if entry is not None:
                result.stale, result.fetched_at = True, entry.get("fetched_at")
                result.models = [ModelInfo.from_dict(m) for m in entry["models"] if m.get("name")]
    finally:
        if own:
            store.close()
    return store.warnings[seen:]


def store_results(results: list[RefreshResult], store: CatalogStore) -> list[str]:
    """Write many successful results with one index rewrite; failures as store_result does."""
    seen = len(store.warnings)
    good = [r for r in results if r.ok and not r.declared and not r.cached and r.base_url]
    if good:
        store.put_many([make_entry(r.provider, r.base_url, [m.to_dict() for m in r.models],
                                   r.fetched_at or time.time()) for r in good])
    chosen = {id(r) for r in good}
    for result in results:
        if id(result) not in chosen:
            store_result(result, store)
    return store.warnings[seen:]


def default_client_factory(cfg: Config):
    def make():
        from revka_cli.transport.http import HttpClient
        from revka_cli.transport.policy import RetryPolicy, Timeouts

        overall = min(cfg.provider_timeout_secs, DISCOVERY_TIMEOUT_SECS)
        # one deadline for the whole refresh: retries and backoff spend from it, as in chat
        timeouts = Timeouts(connect=min(cfg.pacing.connect_timeout_secs, overall), overall=overall,
                            deadline=time.monotonic() + overall)
        retry = RetryPolicy(cfg.reliability.provider_retries, cfg.reliability.provider_backoff_ms)
        return HttpClient(timeouts, retry)
    return make


def _prepare(cfg: Config, name: str, env, store: CatalogStore, force: bool, details: bool):
    """(endpoint, None) to fetch, or (None, result) when no request is needed. `details` on an
    Ollama endpoint refetches: the cached entry may lack the context lengths asked for."""
    from revka_cli.providers.endpoint import resolve_endpoint

    canonical = canonical_or_none(name)
    if canonical is None:
        return None, RefreshResult(name, error=UsageError(f"unknown provider '{name}'"))
    if canonical == specs.DECLARED_CUSTOM:
        if not cfg.models.custom.url:
            return None, RefreshResult(canonical, error=ConfigError(
                "custom provider not configured: set models.custom.url"))
        return None, RefreshResult(canonical, cfg.models.custom.url, True, declared_infos(cfg),
                                   fetched_at=time.time(), declared=True)
    try:
        endpoint = resolve_endpoint(cfg, canonical, is_primary=canonical == canonical_or_none(
            cfg.default_provider), env=env, stream=False)
    except RevkaError as exc:
        return None, RefreshResult(canonical, error=exc)
    if not force and endpoint.discovery and not (details and endpoint.wire.has_model_details):
        entry = store.get(canonical, endpoint.base_url)
        if is_fresh(entry):
            models = [ModelInfo.from_dict(m) for m in entry["models"] if m.get("name")]
            return None, RefreshResult(canonical, endpoint.base_url, True, models,
                                       fetched_at=entry["fetched_at"], cached=True)
    return endpoint, None


def refresh_many(cfg: Config, providers: Iterable[str], *, force: bool = False,
                 details: bool = False, client_factory: Callable | None = None,
                 env: Mapping[str, str] | None = None, store: CatalogStore | None = None,
                 on_result: Callable[[RefreshResult], None] | None = None) -> list[RefreshResult]:
    """Refresh `providers` concurrently; results in the order given, each stored in the cache."""
    own = store is None
    store = store or CatalogStore()
    names = list(dict.fromkeys(providers))
    results: dict[int, RefreshResult] = {}
    todo: dict[int, object] = {}
    try:
        for i, name in enumerate(names):
            endpoint, result = _prepare(cfg, name, env, store, force, details)
            if result is not None:
                results[i] = result
                _done(result, store, on_result)
            else:
                todo[i] = endpoint
        if todo:
            _fetch_all(todo, results, details, client_factory or default_client_factory(cfg),
                       store, on_result)
    finally:
        if own:
            store.close()
    return [results[i] for i in range(len(names))]


def _done(result: RefreshResult, store: CatalogStore, on_result) -> None:
    result.warnings.extend(store_result(result, store))
    if on_result is not None:
        on_result(result)


def _fetch_all(todo: dict, results: dict, details: bool, client_factory, store, on_result) -> None:
    client = client_factory()
    try:
        with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(todo))) as pool:
            futures = {pool.submit(refresh, ep, client, details=details): i for i, ep in todo.items()}
            for future in as_completed(futures):
                result = future.result()
                results[futures[future]] = result
                _done(result, store, on_result)
    finally:
        client.close()
