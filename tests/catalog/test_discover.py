"""Discovery against local HTTP servers, the TTL, and the lookups chat and doctor use."""

from __future__ import annotations

import pytest

from revka_cli.catalog.discover import (
    RefreshResult, cached_catalogs, configured_providers, context_window, refresh, refresh_many,
)
from revka_cli.catalog.lookup import expected_base
from revka_cli.config.settings import (
    Config, CustomModels, Models, ProviderSettings, Reliability, frozen_map,
)
from revka_cli.errors import AuthError, ConnectError, NotFoundError, UsageError
from revka_cli.providers.endpoint import resolve_endpoint
from revka_cli.transport.http import HttpClient
from revka_cli.transport.policy import RetryPolicy, Timeouts
from tests.servers import FakeServer, Reply, closed_port

TAGS = {"models": [{"name": "llama3.2:3b", "size": 2019393189,
                    "details": {"family": "llama", "parameter_size": "3.2B",
                                "quantization_level": "Q4_K_M"}},
                   {"name": "qwen2.5:7b", "size": 4683075271, "details": {}}]}


def make_cfg(default="ollama", url=None, providers=None, fallbacks=(), custom=None) -> Config:
    custom_models = CustomModels(url="http://127.0.0.1:9/v1", available_models=frozen_map(custom)) \
        if custom else CustomModels()
    return Config(default_provider=default, api_url=url,
                  reliability=Reliability(fallback_providers=tuple(fallbacks), provider_retries=0),
                  models=Models(custom=custom_models),
                  providers=frozen_map({k: ProviderSettings(api_url=v)
                                        for k, v in (providers or {}).items()}))


def client():
    return HttpClient(Timeouts(connect=2, overall=5), RetryPolicy(retries=0))


def endpoint(cfg, name):
    return resolve_endpoint(cfg, name, is_primary=name == cfg.default_provider, env={}, stream=False)


def test_ollama_tags_and_details(server):
    server.route("GET", "/api/tags", Reply.json(TAGS))
    server.route("POST", "/api/show", lambda rec: Reply.json(
        {"model_info": {"general.architecture": "llama", "llama.context_length": 131072}}
        if rec.json()["model"] == "llama3.2:3b" else {"error": "boom"}, status=200))
    cfg = make_cfg(url=server.url)
    with client() as c:
        plain = refresh(endpoint(cfg, "ollama"), c)
        assert plain.ok and [m.name for m in plain.models] == ["llama3.2:3b", "qwen2.5:7b"]
        assert plain.models[0].context_window is None and not any(
            r.path == "/api/show" for r in server.requests)
        detailed = refresh(endpoint(cfg, "ollama"), c, details=True)
    assert detailed.models[0].context_window == 131072 and detailed.models[1].context_window is None
    shows = [r.json()["model"] for r in server.requests if r.path == "/api/show"]
    assert sorted(shows) == ["llama3.2:3b", "qwen2.5:7b"]
    get = next(r for r in server.requests if r.path == "/api/tags")
    assert get.method == "GET" and get.headers["accept"] == "application/json"


def test_anthropic_custom_lists_v1_models(server):
    server.route("GET", "/v1/models", Reply.json({"data": [{"id": "claude-x", "type": "model"}]}))
    cfg = make_cfg(default=f"anthropic-custom:{server.url}")
    with client() as c:
        result = refresh(endpoint(cfg, cfg.default_provider), c)
    assert result.ok and [m.name for m in result.models] == ["claude-x"]
    assert server.requests[0].headers["anthropic-version"] == "2023-06-01"


def test_anthropic_server_without_models_endpoint(server):
    cfg = make_cfg(default=f"anthropic-custom:{server.url}")
    with client() as c:
        result = refresh(endpoint(cfg, cfg.default_provider), c)
    assert isinstance(result.error, NotFoundError) and "models set NAME --force" in result.error.hint


def test_lmstudio_is_never_queried(server):
    cfg = make_cfg(default="lmstudio", providers={"lmstudio": server.url + "/v1"})
    with client() as c:
        result = refresh(endpoint(cfg, "lmstudio"), c)
    assert not result.ok and isinstance(result.error, UsageError)
    assert result.error.message == "lmstudio has no live model discovery"
    assert result.error.hint == "set the model with: revka models set NAME (taken unchecked, no --force needed)"
    assert server.requests == []


def test_refresh_never_raises():
    class Broken:
        def open_stream(self, *a, **k):
            raise RuntimeError("kaboom")

    result = refresh(endpoint(make_cfg(url="http://127.0.0.1:9"), "ollama"), Broken())
    assert not result.ok and "kaboom" in result.error.message and result.elapsed >= 0


def test_auth_and_dead_port_errors(server):
    server.route("GET", "/v1/models", Reply.json({"error": {"message": "bad key"}}, status=401))
    cfg = make_cfg(default="vllm", providers={"vllm": server.url + "/v1",
                                              "sglang": f"http://127.0.0.1:{closed_port()}/v1"})
    results = refresh_many(cfg, ["vllm", "sglang"])
    assert isinstance(results[0].error, AuthError) and "bad key" in results[0].error.message
    assert isinstance(results[1].error, ConnectError)


def test_refresh_many_honours_the_ttl_and_force(server):
    server.route("GET", "/api/tags", Reply.json(TAGS))
    cfg = make_cfg(url=server.url, custom={"qwen2.5-coder-7b": 32768})
    first = refresh_many(cfg, ["ollama", "custom"])
    assert [r.ok for r in first] == [True, True] and not first[0].cached
    assert first[1].declared and first[1].models[0].context_window == 32768
    again = refresh_many(cfg, ["ollama"])
    assert again[0].cached and len(server.requests) == 1
    forced = refresh_many(cfg, ["ollama"], force=True)
    assert not forced[0].cached and len(server.requests) == 2
    detailed = refresh_many(cfg, ["ollama"], details=True)  # the cache may lack context lengths
    assert not detailed[0].cached and [r.path for r in server.requests][2:] == \
        ["/api/tags", "/api/show", "/api/show"]


def test_two_ollama_hosts_are_kept_apart():
    with FakeServer() as a, FakeServer() as b:
        a.route("GET", "/api/tags", Reply.json({"models": [{"name": "on-a"}]}))
        b.route("GET", "/api/tags", Reply.json({"models": [{"name": "on-b"}]}))
        cfg_a, cfg_b = make_cfg(url=a.url), make_cfg(url=b.url)
        refresh_many(cfg_a, ["ollama"])
        refresh_many(cfg_b, ["ollama"])
        assert cached_catalogs(cfg_a)["ollama"] == ["on-a"]  # from the store: the index shows b
        assert cached_catalogs(cfg_b)["ollama"] == ["on-b"]
        assert refresh_many(cfg_a, ["ollama"])[0].cached


def test_lookups(server):
    server.route("GET", "/v1/models", Reply.json({"data": [{"id": "m1", "max_model_len": 4096}]}))
    cfg = make_cfg(default="vllm", providers={"vllm": server.url + "/v1"},
                   fallbacks=("ollama", "llama.cpp"), custom={"qwen2.5-coder-7b": 32768})
    assert configured_providers(cfg) == ["vllm", "ollama", "llamacpp", "custom"]
    assert cached_catalogs(cfg) == {"custom": ["qwen2.5-coder-7b"]}
    refresh_many(cfg, ["vllm"])
    assert cached_catalogs(cfg) == {"vllm": ["m1"], "custom": ["qwen2.5-coder-7b"]}
    assert context_window(cfg, "vllm", "m1") == 4096
    assert context_window(cfg, "custom", "qwen2.5-coder-7b") == 32768
    assert context_window(cfg, "vllm", "other") is None
    assert context_window(cfg, "nonsense", "m1") is None


def test_lookups_without_any_cache_create_nothing(isolated_env):
    cfg = make_cfg()
    assert cached_catalogs(cfg) == {} and context_window(cfg, "ollama", "x") is None
    assert not (isolated_env / ".cache" / "revka").exists()


@pytest.mark.parametrize("cfg, provider, base", [
    (make_cfg(url="http://h:11434/api/"), "ollama", "http://h:11434"),
    (make_cfg(), "ollama", "http://localhost:11434"),
    (make_cfg(default="vllm", url="http://h/v1/chat/completions"), "vllm", "http://h/v1"),
    (make_cfg(default="anthropic-custom:https://gw/v1"), "anthropic-custom:https://gw/v1",
     "https://gw"),
    (make_cfg(), "custom", None),
    (make_cfg(), "unknown-thing", None),
])
def test_expected_base(cfg, provider, base):
    assert expected_base(cfg, provider) == base


def test_result_defaults():
    assert RefreshResult("x").models == [] and not RefreshResult("x").ok
