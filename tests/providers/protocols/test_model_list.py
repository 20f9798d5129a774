"""Parsers against every real /v1/models and /api/tags shape in the conformance corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from revka_cli.providers.protocols.model_list import (
    DECLARED, ModelInfo, declared_models, parse_model_list, parse_ollama_show, positive_int,
)
from revka_cli.errors import ProviderError

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "conformance" / "models"


def parse_listing(provider: str, protocol_name: str, body: bytes):
    from revka_cli.providers import protocols

    return parse_model_list(provider, protocols.get(protocol_name), body)


def body_of(name: str) -> bytes:
    raw = (CORPUS / name).read_bytes()
    return raw.split(b"\n#---\n", 1)[1]


# file -> (protocol, expected names, expected context windows by name)
EXPECTED = {
    "llamacpp_v1_models_readme.json": (
        "openai", ["../models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"],
        {"../models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf": 131072}),
    "llamacpp_v1_models_real_with_ollama_models_array.json": (
        "openai", ["models/gemma-4-12B-it-Q8_0.gguf"], {"models/gemma-4-12B-it-Q8_0.gguf": 193024}),
    "lmstudio_api_v0_models_doc.json": (
        "openai", ["qwen2-vl-7b-instruct", "meta-llama-3.1-8b-instruct",
                   "text-embedding-nomic-embed-text-v1.5"],
        {"qwen2-vl-7b-instruct": 32768, "meta-llama-3.1-8b-instruct": 131072,
         "text-embedding-nomic-embed-text-v1.5": 2048}),
    "lmstudio_v1_models_real.json": (
        "openai", ["meta-llama-3.1-8b-instruct", "text-embedding-nomic-embed-text-v1.5"], {}),
    "ollama_api_tags_doc.json": ("ollama", ["deepseek-r1:latest", "llama3.2:latest"], {}),
    "ollama_v1_models_real.json": (
        "openai", ["gpt-oss:20b", "hf.co/lmstudio-community/gpt-oss-20b-GGUF:latest"], {}),
    "openai_v1_models_doc.json": ("openai", ["model-id-0", "model-id-1", "model-id-2"], {}),
    "vllm_v1_models_real_2024_no_max_model_len.json": ("openai", ["Qwen1.5-7B-Chat"], {}),
    "vllm_v1_models_real_max_model_len.json": ("openai", ["gpt-oss-120b"], {"gpt-oss-120b": 65536}),
}
NOT_MODEL_LISTS = {"ollama_api_version_doc.json"}


def test_every_corpus_file_is_covered():
    assert {p.name for p in CORPUS.glob("*.json")} == set(EXPECTED) | NOT_MODEL_LISTS


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_model_lists(name):
    protocol, names, contexts = EXPECTED[name]
    models = parse_listing("p", protocol, body_of(name))
    assert [m.name for m in models] == names
    assert {m.name: m.context_window for m in models if m.context_window} == contexts
    assert all(m.provider == "p" and m.source == "live" for m in models)
    for m in models:  # the cache stores them as JSON
        assert ModelInfo.from_dict(json.loads(json.dumps(m.to_dict()))) == m


def test_ollama_tags_details_and_size():
    models = parse_listing("ollama", "ollama", body_of("ollama_api_tags_doc.json"))
    first = models[0]
    assert (first.size, first.family, first.parameter_size, first.quantization) == \
        (4683075271, "qwen2", "7.6B", "Q4_K_M")
    assert first.fields["digest"].startswith("0a8c")
    assert "details" not in first.fields


def test_ollama_cloud_entry_is_marked():
    body = json.dumps({"models": [{"name": "gpt-oss:120b-cloud", "size": 384,
                                   "remote_host": "https://ollama.com:443",
                                   "remote_model": "gpt-oss:120b", "details": {}}]}).encode()
    (model,) = parse_listing("ollama", "ollama", body)
    assert model.fields["cloud"] is True and model.fields["remote_host"] == "https://ollama.com:443"
    assert model.family is None


def test_llamacpp_models_array_does_not_duplicate_and_meta_wins():
    models = parse_listing("llamacpp", "openai",
                              body_of("llamacpp_v1_models_real_with_ollama_models_array.json"))
    assert len(models) == 1
    (m,) = models
    assert m.context_window == 193024  # n_ctx (runtime), not n_ctx_train 262144
    assert m.size == 12653822144 and m.quantization == "Q8_0" and m.parameter_size == "11.9B"


def test_llamacpp_meta_null_while_loading_and_router_status_object():
    body = json.dumps({"object": "list", "data": [
        {"id": "a.gguf", "meta": None, "status": {"value": "loading"}},
        {"id": "b.gguf", "status": {"value": "loaded", "args": ["x"]}}]}).encode()
    models = parse_listing("llamacpp", "openai", body)
    assert [m.name for m in models] == ["a.gguf", "b.gguf"]
    assert models[0].context_window is None
    assert models[1].fields["status"] == {"value": "loaded", "args": ["x"]}


def test_models_array_adds_only_missing_names():
    body = json.dumps({"data": [{"id": "x"}], "models": [{"name": "x", "size": ""},
                                                         {"name": "y", "size": ""}]}).encode()
    assert [m.name for m in parse_listing("llamacpp", "openai", body)] == ["x", "y"]


def test_anthropic_models_list():
    body = json.dumps({"data": [{"type": "model", "id": "claude-sonnet-4-5",
                                 "display_name": "Claude Sonnet 4.5",
                                 "created_at": "2025-09-29T00:00:00Z"}],
                       "has_more": False, "first_id": "claude-sonnet-4-5"}).encode()
    (m,) = parse_listing("anthropic-custom:https://gw", "anthropic", body)
    assert m.name == "claude-sonnet-4-5" and m.fields["display_name"] == "Claude Sonnet 4.5"


@pytest.mark.parametrize("entry, expected", [
    ({"id": "m", "max_model_len": 4096}, 4096),
    ({"id": "m", "context_length": 8192}, 8192),
    ({"id": "m", "context_window": "16384"}, 16384),
    ({"id": "m", "max_context_length": 32768}, 32768),
    ({"id": "m", "top_provider": {"context_length": 200000}}, 200000),
    ({"id": "m", "meta": {"n_ctx_train": 2048}}, 2048),
    ({"id": "m", "max_model_len": True}, None),
    ({"id": "m", "max_model_len": -1}, None),
    ({"id": "m", "max_model_len": "big"}, None),
])
def test_context_fields(entry, expected):
    (m,) = parse_listing("p", "openai", json.dumps({"data": [entry]}).encode())
    assert m.context_window == expected


def test_entries_without_names_and_unknown_fields_are_tolerated():
    body = json.dumps({"data": [{"id": ""}, {"object": "model"}, "junk", None, {"id": "ok", "x": 1},
                                {"id": "ok"}]}).encode()
    models = parse_listing("p", "openai", body)
    assert [m.name for m in models] == ["ok"] and models[0].fields["x"] == 1


def test_empty_lists_are_fine():
    assert parse_listing("p", "openai", b'{"object":"list","data":[]}') == []
    assert parse_listing("p", "ollama", b'{"models":[]}') == []


@pytest.mark.parametrize("body", [
    b"", b"<html><title>Welcome to nginx</title></html>", b'{"version":"0.5.1"}', b"[1, 2", b"42",
    b'{"data": {"id": "x"}}', b'"text"', body_of("ollama_api_version_doc.json"),
])
def test_garbage_is_a_clear_provider_error(body):
    for protocol in ("openai", "ollama", "anthropic"):
        with pytest.raises(ProviderError) as info:
            parse_listing("p", protocol, body)
        assert "not a model list" in info.value.message
        assert info.value.hint


def test_ollama_show_context_length():
    show = {"model_info": {"general.architecture": "qwen2", "qwen2.context_length": 32768,
                           "qwen2.embedding_length": 3584}, "details": {}}
    assert parse_ollama_show(show) == 32768
    assert parse_ollama_show({"model_info": {"gemma3.context_length": 131072}}) == 131072
    assert parse_ollama_show({"model_info": {}}) is None
    assert parse_ollama_show({"error": "model not found"}) is None
    assert parse_ollama_show([]) is None


def test_declared_models_and_positive_int():
    (m,) = declared_models("custom", {"qwen2.5-coder-7b": 32768})
    assert (m.qualified, m.context_window, m.source) == ("custom/qwen2.5-coder-7b", 32768, DECLARED)
    assert positive_int(7.0) == 7 and positive_int(7.5) is None and positive_int(" 12 ") == 12
