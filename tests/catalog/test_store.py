"""The catalog cache: TTL, stale entries, corrupt or unreadable caches, concurrent writers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from revka_cli.catalog.discover import RefreshResult, store_result
from revka_cli.providers.protocols.model_list import ModelInfo
from revka_cli.catalog.store import (
    INDEX_NAME, STORE_DIR, TTL_SECS, CatalogStore, build_index, is_fresh, make_entry, read_index,
)
from revka_cli.errors import ConnectError

REPO = Path(__file__).resolve().parent.parent.parent


def models(*names, ctx=None):
    return [ModelInfo("ollama", n, context_window=ctx).to_dict() for n in names]


@pytest.fixture
def root(tmp_path):
    return tmp_path / "cache"


def test_put_get_and_the_plain_index(root):
    with CatalogStore(root) as store:
        assert store.get("ollama", "http://a:11434") is None
        assert store.put(make_entry("ollama", "http://a:11434/", models("llama3.2:3b", ctx=8192), 100.0))
        entry = store.get("ollama", "http://a:11434")
        assert entry["models"][0]["name"] == "llama3.2:3b" and entry["fetched_at"] == 100.0
        assert store.warnings == []
    index = json.loads((root / INDEX_NAME).read_text())
    assert index["version"] == 1
    assert index["models"] == {"ollama": ["llama3.2:3b"]}
    assert index["context"] == {"ollama": {"llama3.2:3b": 8192}}
    assert index["bases"] == {"ollama": "http://a:11434"}
    assert not list(root.glob(".models-index.json.*"))  # no temp files left behind


def test_two_hosts_of_one_provider_never_mix(root):
    with CatalogStore(root) as store:
        store.put(make_entry("ollama", "http://a:11434", models("a-model"), 1.0))
        store.put(make_entry("ollama", "http://b:11434", models("b-model"), 2.0))
        assert [m["name"] for m in store.get("ollama", "http://a:11434")["models"]] == ["a-model"]
        assert [m["name"] for m in store.get("ollama", "http://b:11434")["models"]] == ["b-model"]
        assert len(store.entries()) == 2
    # the index shows the entry written last for each provider
    assert read_index(root / INDEX_NAME)["models"] == {"ollama": ["b-model"]}


def test_ttl():
    now = 1_000_000.0
    assert is_fresh({"fetched_at": now - 60}, now)
    assert is_fresh({"fetched_at": now - TTL_SECS + 1}, now)
    assert not is_fresh({"fetched_at": now - TTL_SECS}, now)
    assert not is_fresh({"fetched_at": now + 3600}, now)  # from the future: clock changed
    assert not is_fresh(None, now) and not is_fresh({"fetched_at": "x"}, now)


def test_failed_refresh_keeps_the_stale_entry(root):
    with CatalogStore(root) as store:
        store.put(make_entry("ollama", "http://a:11434", models("old"), 10.0))
        failed = RefreshResult("ollama", "http://a:11434", error=ConnectError("connection refused"))
        assert store_result(failed, store) == []
        assert failed.stale and failed.fetched_at == 10.0 and [m.name for m in failed.models] == ["old"]
        entry = store.get("ollama", "http://a:11434")
        assert entry["last_error"] == "connection refused" and entry["fetched_at"] == 10.0
        never = RefreshResult("vllm", "http://b:8000/v1", error=ConnectError("refused"))
        store_result(never, store)
        assert not never.stale and store.get("vllm", "http://b:8000/v1") is None
    assert read_index(root / INDEX_NAME)["last_error"] == {"ollama": "connection refused"}


def _assert_rebuilt(store):
    assert store.get("ollama", "http://a") is None
    assert any("rebuilt" in w for w in store.warnings), store.warnings
    assert store.put(make_entry("ollama", "http://a", models("fresh"), 5.0))
    assert store.get("ollama", "http://a")["models"][0]["name"] == "fresh"


def test_garbage_over_the_sqlite_file_is_rebuilt_with_a_warning(root):
    with CatalogStore(root) as store:
        store.put(make_entry("ollama", "http://a", models("x"), 1.0))
    db = root / STORE_DIR / "cache.db"
    for extra in root.joinpath(STORE_DIR).glob("cache.db-*"):
        extra.unlink()
    db.write_bytes(b"\x00garbage, not sqlite\xff" * 200)
    with CatalogStore(root) as store:
        _assert_rebuilt(store)


def test_a_file_where_the_cache_folder_should_be_is_rebuilt(root):
    root.mkdir()
    (root / STORE_DIR).write_text("not a folder")
    with CatalogStore(root) as store:
        _assert_rebuilt(store)


def test_an_unopenable_database_is_rebuilt(root):
    (root / STORE_DIR / "cache.db").mkdir(parents=True)  # sqlite: unable to open database file
    with CatalogStore(root) as store:
        _assert_rebuilt(store)


def test_an_unusable_cache_location_degrades_to_no_cache(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with CatalogStore(blocker / "cache") as store:  # its parent is a file: nothing can be created
        assert store.get("ollama", "http://a") is None
        assert store.put(make_entry("ollama", "http://a", models("x"), 1.0)) is False
        assert store.entries() == []
        assert any("working without it" in w for w in store.warnings)


def test_an_unreadable_entry_is_skipped(root):
    with CatalogStore(root) as store:
        store.put(make_entry("ollama", "http://a", models("x"), 1.0))
        store._cache_or_none().set("entry:ollama|http://a", "{not json")
        assert store.get("ollama", "http://a") is None
        assert any("unreadable entry" in w for w in store.warnings)


def test_build_index_ignores_odd_entries():
    index = build_index([{"provider": "p", "base_url": "u", "fetched_at": 1, "updated_at": 1,
                          "models": [{"name": "a"}, {"nope": 1}, "junk"]}, {"models": []}])
    assert index["models"] == {"p": ["a"]}


def test_a_corrupt_index_reads_as_missing(root):
    root.mkdir()
    for text in ("{", "[]", '{"version": 2, "models": {}}', '{"version": 1}'):
        (root / INDEX_NAME).write_text(text)
        assert read_index(root / INDEX_NAME) is None


WRITER = """
import sys
from revka_cli.catalog.store import CatalogStore, make_entry
root, who = sys.argv[1], sys.argv[2]
store = CatalogStore(root)
for i in range(15):
    ok = store.put(make_entry(who, "http://h/" + who, [{"name": f"{who}-{i}"}], float(i)))
    assert ok, store.warnings
assert not store.warnings, store.warnings
store.close()
"""


def test_concurrent_writers_from_several_processes(root):
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(root), f"p{i}"], cwd=REPO,
                              stderr=subprocess.PIPE) for i in range(4)]
    for proc in procs:
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 0, stderr.decode()
    with CatalogStore(root) as store:
        entries = {e["provider"]: e for e in store.entries()}
    assert sorted(entries) == ["p0", "p1", "p2", "p3"]
    assert all(e["models"][0]["name"] == f"{p}-14" for p, e in entries.items())
    index = read_index(root / INDEX_NAME)
    assert index["models"] == {f"p{i}": [f"p{i}-14"] for i in range(4)}
    assert time.monotonic() - started < 15


def test_a_base_url_missing_from_the_index_never_opens_the_store(root, monkeypatch):
    from revka_cli.catalog import lookup
    from revka_cli.config import load_config

    with CatalogStore(root) as store:
        store.put(make_entry("vllm", "http://a:8000/v1", models("m1"), time.time()))
    cfg_a = load_config(env={"REVKA_PROVIDER": "vllm", "REVKA_PROVIDER_URL": "http://a:8000/v1"}).config
    cfg_b = load_config(env={"REVKA_PROVIDER": "vllm", "REVKA_PROVIDER_URL": "http://b:8000/v1"}).config

    def no_store(*args, **kwargs):
        raise AssertionError("the store was opened")

    monkeypatch.setattr(lookup, "CatalogStore", no_store)
    assert lookup.CatalogView(cfg_b, root).names("vllm") is None
    assert lookup.CatalogView(cfg_a, root).names("vllm") == ["m1"]  # the index answers


def test_the_names_index_feeds_completion_without_json(root, monkeypatch):
    from revka_cli.catalog import complete

    with CatalogStore(root) as store:
        store.put(make_entry("ollama", "http://h:11434", models("llama3.2:3b", "qwen/x:7b"), time.time()))
    monkeypatch.setattr(complete, "_read_json_index", lambda folder: {"json": ["was read"]})
    assert complete.read_index_models({"REVKA_CACHE_DIR": str(root)}) == {
        "ollama": ["llama3.2:3b", "qwen/x:7b"]}
