"""Plain formatting for list/refresh/status, and name resolution for `models set`."""

from __future__ import annotations

import pytest

from revka_cli.catalog.discover import RefreshResult
from revka_cli.catalog.listing import (
    Group, human_age, human_context, human_size, json_rows, refresh_failure, refresh_line,
    text_lines,
)
from revka_cli.providers.protocols.model_list import ModelInfo
from revka_cli.catalog.resolve import resolve_name
from revka_cli.config.settings import Config
from revka_cli.errors import ConnectError, UsageError

NOW = 1_000_000.0


def test_humanised_values():
    assert [human_size(s) for s in (None, 0, 512, 2019393189, 12653822144)] == \
        ["-", "-", "512 B", "2.0 GB", "12.7 GB"]
    assert [human_age(t, NOW) for t in (None, NOW, NOW - 90, NOW - 7300, NOW - 3 * 86400)] == \
        ["-", "just now", "1m ago", "2h ago", "3d ago"]
    assert human_context(None) == "-" and human_context(131072) == "131,072"


def test_text_lines_mark_the_default_and_stale_groups():
    cfg = Config(default_provider="ollama", default_model="b:1b")
    groups = [Group("ollama", "http://h:11434", [ModelInfo("ollama", "a", size=10**9),
                                                  ModelInfo("ollama", "b:1b", context_window=8192)],
                    NOW - 13 * 3600, "connection refused"),
              Group("vllm", "http://v/v1", [], NOW)]
    lines = text_lines(groups, cfg, NOW)
    assert lines[0] == ("ollama  http://h:11434  (2 models, fetched 13h ago, stale; last refresh "
                        "failed: connection refused)")
    assert lines[1].startswith("    a ") and lines[1].endswith("-    1.0 GB")
    assert lines[2].startswith("  * b:1b") and "8,192" in lines[2]
    assert lines[3] == "vllm  http://v/v1  (0 models, fetched just now)"
    assert lines[4] == "    (no models)"
    assert json_rows(groups)[1] == {"provider": "ollama", "name": "b:1b", "qualified": "ollama/b:1b",
                                    "context_window": 8192, "source": "live",
                                    "fetched_at": NOW - 13 * 3600}


def test_refresh_lines():
    ok = RefreshResult("ollama", "http://h", True, [ModelInfo("ollama", "a")], elapsed=0.1234)
    assert refresh_line(ok, NOW) == "ollama: 1 model at http://h (0.12s)"
    cached = RefreshResult("vllm", "http://v/v1", True, [], fetched_at=NOW - 7200, cached=True)
    assert refresh_line(cached, NOW) == "vllm: 0 models at http://v/v1 (cached 2h ago; --force to refetch)"
    failed = RefreshResult("vllm", "http://v/v1", error=ConnectError("refused", "start it"),
                           models=[ModelInfo("vllm", "x")], stale=True, fetched_at=NOW - 60)
    assert refresh_failure(failed, NOW) == ("vllm: refused (kept 1 model cached 1m ago)", "start it")


CATALOGS = {"ollama": ["llama3.2:3b", "shared"], "vllm": ["Qwen/Qwen2.5-7B", "shared"],
            "custom:http://gw:1/v1": ["gw/model"], "custom": ["qwen2.5-coder-7b"]}


@pytest.mark.parametrize("name, expected", [
    ("llama3.2:3b", ("ollama", "llama3.2:3b", True, "catalog")),
    ("ollama/llama3.2:3b", ("ollama", "llama3.2:3b", True, "qualified")),
    ("Qwen/Qwen2.5-7B", ("vllm", "Qwen/Qwen2.5-7B", True, "catalog")),
    ("vllm/Qwen/Qwen2.5-7B", ("vllm", "Qwen/Qwen2.5-7B", True, "qualified")),
    ("custom/qwen2.5-coder-7b", ("custom", "qwen2.5-coder-7b", True, "qualified")),
    ("custom:http://gw:1/v1/gw/model", ("custom:http://gw:1/v1", "gw/model", True, "qualified")),
    ("gw/model", ("custom:http://gw:1/v1", "gw/model", True, "catalog")),
    ("llama.cpp/x", ("llamacpp", "x", False, "qualified")),
    ("unknown-model", ("ollama", "unknown-model", False, "default provider")),
])
def test_resolve_name(name, expected):
    r = resolve_name(Config(), name, CATALOGS)
    assert (r.provider, r.model, r.known, r.how) == expected


def test_resolve_name_ambiguity_and_suggestions():
    with pytest.raises(UsageError) as info:
        resolve_name(Config(), "shared", CATALOGS)
    assert info.value.message == "model 'shared' is ambiguous: ollama/shared, vllm/shared"
    assert "revka models set ollama/shared" in info.value.hint
    assert resolve_name(Config(), "llama3.2:3", CATALOGS).suggestion == "llama3.2:3b"
    assert resolve_name(Config(), "lmstudio/x", CATALOGS).cached is False
    with pytest.raises(UsageError):
        resolve_name(Config(), "  ", CATALOGS)
