"""CachedFacts: what the chat core knows of models, from the on-disk cache (catalog/lookup.py)."""

from __future__ import annotations

import shutil

from revka_cli.catalog.lookup import CachedFacts
from revka_cli.catalog.store import CatalogStore, make_entry
from revka_cli.config.settings import Config
from revka_cli.paths import cache_dir


def test_a_window_is_read_from_the_cache_once_per_process():
    cfg = Config(default_provider="ollama", default_model="a-model", api_url="http://a:11434")
    with CatalogStore(cache_dir()) as store:
        store.put(make_entry("ollama", "http://a:11434", [
            {"name": "a-model", "context_window": 8192}], 1.0))
    facts = CachedFacts(cfg)
    assert facts.window("ollama", "a-model") == 8192
    assert facts.window("ollama", "other") is None
    shutil.rmtree(cache_dir())  # a batch asks once per item: later answers come from memory
    assert facts.window("ollama", "a-model") == 8192
    assert CachedFacts(cfg).window("ollama", "a-model") is None
