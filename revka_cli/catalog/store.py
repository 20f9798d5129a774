"""The model-catalog cache: diskcache (SQLite) under `cache_dir()/catalog`, plus a plain JSON index.

One entry per provider id + base URL (two Ollama hosts never mix):
    {provider, base_url, fetched_at, updated_at, models: [ModelInfo dicts], last_error?}
Entries are stored as JSON text, never pickled. A refresh that fails keeps the old entry and marks
it with `last_error`. A corrupt or unreadable cache is moved aside and rebuilt; every problem
becomes a warning in `CatalogStore.warnings` (for the caller to print), never an exception.

After every write, `models-index.json` is rewritten atomically (temp file + os.replace) from the
whole store, under a cross-process lock, so completion can read names without diskcache:
    {"version": 1, "models": {provider: [names]}, "context": {provider: {name: tokens}},
     "bases": {provider: base_url}, "fetched_at": {provider: epoch},
     "last_error": {provider: message}}
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path

from revka_cli.catalog.files import owner_only, write_atomic
from revka_cli.paths import cache_dir
from revka_cli.redact import SESSION, display_provider
from revka_cli.urls import redact_url

TTL_SECS = 12 * 3600
STORE_DIR = "catalog"
INDEX_NAME = "models-index.json"
NAMES_INDEX_NAME = "models-index.txt"  # provider<TAB>name lines: completion reads only this
NAMES_INDEX_HEADER = "# revka model names v1"
INDEX_VERSION = 1
_LOCK_KEY = "lock:index"
_ENTRY_PREFIX = "entry:"
_BUSY_WORDS = ("locked", "busy")


def stored_provider(provider: str) -> str:
    """The provider as the cache keeps it: a custom URL without its password (never on disk)."""
    return display_provider(provider)


def stored_base(base_url: str) -> str:
    """The base URL as the cache keeps it: no userinfo, no secret query values."""
    return redact_url(base_url.rstrip("/"))


def entry_key(provider: str, base_url: str) -> str:
    return f"{_ENTRY_PREFIX}{stored_provider(provider)}|{stored_base(base_url)}"


def is_fresh(entry: Mapping | None, now: float | None = None, ttl: float = TTL_SECS) -> bool:
    """True while an entry is younger than the TTL (an entry from the future is not fresh)."""
    if not entry or not isinstance(entry.get("fetched_at"), (int, float)):
        return False
    age = (time.time() if now is None else now) - entry["fetched_at"]
    return -60 <= age < ttl


def make_entry(provider: str, base_url: str, models: list[dict], fetched_at: float) -> dict:
    return {"provider": stored_provider(provider), "base_url": stored_base(base_url),
            "fetched_at": fetched_at,
            "updated_at": time.time(), "models": models}


def index_path(env: Mapping[str, str] | None = None) -> Path:
    return cache_dir(env) / INDEX_NAME


def read_index(path: Path) -> dict | None:
    """The plain index, or None when it is missing, unreadable or not version 1."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != INDEX_VERSION \
            or not isinstance(data.get("models"), dict):
        return None
    return data


def build_index(entries: list[dict]) -> dict:
    """The index content: per provider, the entry written last (any base URL)."""
    latest: dict[str, dict] = {}
    for entry in entries:
        provider = entry.get("provider")
        if isinstance(provider, str) and (provider not in latest or entry.get("updated_at", 0)
                                          >= latest[provider].get("updated_at", 0)):
            latest[provider] = entry
    index: dict = {"version": INDEX_VERSION, "models": {}, "context": {}, "bases": {},
                   "fetched_at": {}, "last_error": {}, "all_bases": {}}
    for entry in entries:  # every base URL in the store: a base missing here is not cached at all
        provider, base = entry.get("provider"), entry.get("base_url")
        if isinstance(provider, str) and isinstance(base, str):
            index["all_bases"].setdefault(provider, []).append(base)
    for provider in sorted(latest):
        entry = latest[provider]
        models = [m for m in entry.get("models", []) if isinstance(m, dict) and m.get("name")]
        index["models"][provider] = [m["name"] for m in models]
        index["context"][provider] = {m["name"]: m["context_window"] for m in models
                                      if m.get("context_window")}
        index["bases"][provider] = entry.get("base_url")
        index["fetched_at"][provider] = entry.get("fetched_at")
        if entry.get("last_error"):
            index["last_error"][provider] = entry["last_error"]
    return index


def names_index_text(index: dict) -> str:
    """The names of `index` as `provider<TAB>name` lines, for completion (no JSON needed)."""
    lines = [NAMES_INDEX_HEADER]
    for provider, names in index["models"].items():
        lines += [f"{provider}\t{name}" for name in names
                  if "\t" not in name and "\n" not in name and "\t" not in provider]
    return "\n".join(lines) + "\n"


def _is_busy(exc: BaseException) -> bool:
    return any(word in str(exc).lower() for word in _BUSY_WORDS) or type(exc).__name__ == "Timeout"


class CatalogStore:
    """Open lazily; every method degrades to "no cache" (with a warning) instead of raising."""

    def __init__(self, root: Path | None = None, timeout: float = 10.0) -> None:
        self.root = Path(root) if root is not None else cache_dir()
        self.directory = self.root / STORE_DIR
        self.index_file = self.root / INDEX_NAME
        self.timeout = timeout
        self.warnings: list[str] = []
        self._cache = None
        self._unusable = False

    # --- opening, and rebuilding a broken cache -------------------------------------------

    def _open_cache(self):
        import diskcache

        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        old_mask = os.umask(0o077)  # the database can hold anything a server sent: 0600, in 0700
        try:
            cache = diskcache.Cache(str(self.directory), timeout=self.timeout,
                                    eviction_policy="none", size_limit=2**40)
        finally:
            os.umask(old_mask)
        owner_only(self.directory)
        try:
            cache.get(_LOCK_KEY)  # a real query: a damaged database fails here, not later
        except BaseException:
            cache.close()
            raise
        return cache

    def _cache_or_none(self):
        if self._cache is not None or self._unusable:
            return self._cache
        try:
            self._cache = self._open_cache()
        except Exception as exc:  # noqa: BLE001 - sqlite, OS and diskcache errors alike
            if _is_busy(exc):
                self._give_up(f"the model cache is busy ({exc}); not using it this time")
            else:
                self._rebuild(exc)
        return self._cache

    def _rebuild(self, exc: BaseException) -> None:
        import shutil  # only when a damaged cache is moved aside

        reason = f"{type(exc).__name__}: {exc}"
        try:
            if self.directory.is_dir() and not self.directory.is_symlink():
                aside = self.directory.with_name(f"{STORE_DIR}.broken-{os.getpid()}-{time.time_ns()}")
                os.replace(self.directory, aside)
                shutil.rmtree(aside, ignore_errors=True)
            elif self.directory.exists() or self.directory.is_symlink():
                self.directory.unlink()
            self._cache = self._open_cache()
        except Exception as again:  # noqa: BLE001
            self._give_up(f"the model cache at {self.directory} is unusable ({reason}; rebuilding "
                          f"failed: {type(again).__name__}: {again}); working without it")
            return
        self.warnings.append(f"the model cache at {self.directory} was unreadable ({reason}); "
                             "rebuilt it empty")

    def _give_up(self, message: str) -> None:
        self._unusable = True
        self._cache = None
        self.warnings.append(message)

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def __enter__(self) -> "CatalogStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- reading and writing ----------------------------------------------------------------

    def get(self, provider: str, base_url: str) -> dict | None:
        cache = self._cache_or_none()
        if cache is None:
            return None
        try:
            raw = cache.get(entry_key(provider, base_url))
        except Exception as exc:  # noqa: BLE001
            self._failed("read", exc)
            return None
        return self._decode(raw)

    def entries(self) -> list[dict]:
        cache = self._cache_or_none()
        if cache is None:
            return []
        try:
            raws = [cache.get(k) for k in list(cache.iterkeys())
                    if isinstance(k, str) and k.startswith(_ENTRY_PREFIX)]
        except Exception as exc:  # noqa: BLE001
            self._failed("read", exc)
            return []
        return [e for e in (self._decode(r) for r in raws) if e is not None]

    def put(self, entry: dict) -> bool:
        """Store one entry and rewrite the plain index. False (with a warning) on failure."""
        return self.put_many([entry])

    def put_many(self, entries: list[dict]) -> bool:
        """Store entries, then rewrite the plain index once. False (with a warning) on failure."""
        for attempt in (1, 2):
            cache = self._cache_or_none()
            if cache is None:
                return False
            try:
                import diskcache

                for entry in entries:
                    cache.set(entry_key(entry["provider"], entry["base_url"]),
                              json.dumps(SESSION.scrub_data(entry)), retry=True)
                with diskcache.Lock(cache, _LOCK_KEY, expire=30):
                    self._write_index(cache)
                return True
            except Exception as exc:  # noqa: BLE001
                if not self._failed("write", exc) or attempt == 2:
                    return False
        return False

    def mark_failed(self, provider: str, base_url: str, message: str) -> dict | None:
        """Keep a stale entry after a failed refresh, noting the error. Returns it, or None."""
        entry = self.get(provider, base_url)
        if entry is None:
            return None
        entry["last_error"] = message
        entry["last_error_at"] = time.time()
        self.put(entry)
        return entry

    def _write_index(self, cache) -> None:
        raws = [cache.get(k) for k in list(cache.iterkeys())
                if isinstance(k, str) and k.startswith(_ENTRY_PREFIX)]
        entries = [e for e in (self._decode(r) for r in raws) if e is not None]
        index = build_index(entries)
        write_atomic(self.index_file, json.dumps(index, ensure_ascii=False, separators=(",", ":")))
        write_atomic(self.root / NAMES_INDEX_NAME, names_index_text(index))

    def _decode(self, raw: object) -> dict | None:
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
        except (TypeError, ValueError):
            self.warnings.append("skipped an unreadable entry in the model cache")
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("models"), list):
            return None
        return entry

    def _failed(self, what: str, exc: BaseException) -> bool:
        """Note a failure; a damaged database is rebuilt (True: worth one more try)."""
        import sqlite3

        if isinstance(exc, sqlite3.DatabaseError) and not _is_busy(exc):
            self.close()
            self._rebuild(exc)
            return self._cache is not None
        self.warnings.append(f"could not {what} the model cache at {self.directory} "
                             f"({type(exc).__name__}: {exc})")
        return False
