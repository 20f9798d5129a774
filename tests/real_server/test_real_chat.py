"""`revka chat` against the real llama-server: every OpenAI-compatible provider pointed at it,
the Anthropic Messages endpoint it also serves, tools, and an image it cannot see."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.real_server.realkit import (MAX_TOKENS, TIMEOUT, WEATHER_TOOL, assert_real_answer,
                                       load_json, provider_config)

pytestmark = pytest.mark.real_server

STREAM_MODES = [pytest.param([], id="stream"), pytest.param(["--no-stream"], id="no-stream")]
# A 1x1 PNG: real image bytes, so revka builds a real image_url part.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def chat(revka_proc, config, *args: str, max_tokens: int = MAX_TOKENS):
    # --temperature 0: greedy, so a run is reproducible
    return revka_proc("--config", str(config), "chat", "--json", "--temperature", "0",
                      "--max-tokens", str(max_tokens), *args, timeout=TIMEOUT)


@pytest.mark.parametrize("mode", STREAM_MODES)
@pytest.mark.parametrize("provider", ["llamacpp", "vllm", "sglang", "lmstudio"])
def test_openai_compatible_provider_pointed_at_the_real_server(llama_server, revka_proc, tmp_path,
                                                                provider, mode):
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    res = chat(revka_proc, config, "-p", provider, *mode, "Say hello.")
    assert res.exit_code == 0, res
    assert_real_answer(load_json(res.stdout), provider=provider, model=llama_server.model)
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("mode", STREAM_MODES)
def test_custom_url(llama_server, revka_proc, tmp_path, mode):
    config = provider_config(tmp_path, "http://127.0.0.1:9", "unused", providers=())
    provider = f"custom:{llama_server.base_url}/v1"
    res = chat(revka_proc, config, "-p", provider, "-m", llama_server.model, *mode, "Say hello.")
    assert res.exit_code == 0, res
    assert_real_answer(load_json(res.stdout), provider=provider, model=llama_server.model)


@pytest.mark.parametrize("mode", STREAM_MODES)
def test_anthropic_custom_uses_v1_messages(llama_server, revka_proc, tmp_path, mode):
    config = provider_config(tmp_path, "http://127.0.0.1:9", "unused", providers=())
    provider = f"anthropic-custom:{llama_server.base_url}"
    res = chat(revka_proc, config, "-p", provider, "-m", llama_server.model, *mode, "Say hello.")
    assert res.exit_code == 0, res
    assert_real_answer(load_json(res.stdout), provider=provider, model=llama_server.model)


def test_plain_text_output_from_env_url(llama_server, revka_proc):
    """No config at all: REVKA_PROVIDER_URL points the default provider at the server; the answer
    alone is streamed to stdout with exactly one trailing newline."""
    res = revka_proc("chat", "-p", "llamacpp", "-m", llama_server.model, "--temperature", "0",
                     "--max-tokens", str(MAX_TOKENS), "Say hello.",
                     env={"REVKA_PROVIDER_URL": f"{llama_server.base_url}/v1"}, timeout=TIMEOUT)
    assert res.exit_code == 0, res
    assert res.stdout.strip() and res.stdout.endswith("\n") and not res.stdout.endswith("\n\n")
    assert "error" not in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("mode", STREAM_MODES)
def test_tools_request_is_accepted(llama_server, revka_proc, tmp_path, mode):
    """Whatever the small model does with the tool, revka sends a request llama-server accepts and
    handles the answer.  llama-server parses `tools` and answers a malformed list with a 500 (checked
    first, so exit 0 below really means revka's tools were valid)."""
    bad = httpx.post(f"{llama_server.base_url}/v1/chat/completions", timeout=60, json={
        "model": llama_server.model, "max_tokens": 1, "tools": [{"type": "function"}],
        "messages": [{"role": "user", "content": "hi"}]})
    assert bad.status_code == 500 and "tools" in bad.text

    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps([WEATHER_TOOL]))
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    res = chat(revka_proc, config, "--tools", str(tools), *mode, "What is the weather in Paris?",
               max_tokens=16)
    assert res.exit_code == 0, res
    doc = load_json(res.stdout)
    assert doc["error"] is None and doc["finish_reason"] in {"stop", "length", "tool_calls"}
    assert doc["usage"]["prompt_tokens"] > 0
    assert isinstance(doc["tool_calls"], list)
    for call in doc["tool_calls"]:  # the 135M model may or may not call it; if it does, the call is well-formed
        assert call["name"] == "get_weather", call
    if not doc["tool_calls"]:
        assert doc["text"].strip()
        assert "answered without calling a tool" in res.stderr


def test_image_to_a_model_without_vision_fails_clearly(llama_server, revka_proc, tmp_path):
    image = tmp_path / "pixel.png"
    image.write_bytes(PNG)
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    res = revka_proc("--config", str(config), "chat", "--image", str(image), "--max-tokens", "4",
                     "What is in this picture?", timeout=TIMEOUT)
    assert res.exit_code == 1, res
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("revka: error:")]
    assert len(errors) == 1, res.stderr  # refused once, not retried
    assert "does not accept images" in errors[0]
    assert any(line.startswith("hint:") and "mmproj" in line for line in lines)
    assert "Traceback" not in res.stderr

    res = revka_proc("--config", str(config), "chat", "--json", "--image", str(image),
                     "--max-tokens", "4", "What is in this picture?", timeout=TIMEOUT)
    assert res.exit_code == 1
    doc = load_json(res.stdout)
    assert doc["error"]["exit_code"] == 1 and "does not accept images" in doc["error"]["message"]
    assert len(doc["attempts"]) == 1
