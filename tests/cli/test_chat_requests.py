"""What `revka chat` sends: URLs, bodies and headers for each protocol, and what it refuses to send."""

from __future__ import annotations

import base64
import json

import pytest

from tests.cli.chatkit import anthropic_text, ndjson, ollama_text, openai_text, sse
from tests.servers import Reply

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def openai_route(server, path="/v1/chat/completions"):
    server.route("POST", path, Reply.sse(sse(*openai_text("ok"))))


def test_openai_compatible_body_and_headers(server, revka, write_config):
    openai_route(server)
    write_config(f'default_provider = "vllm"\napi_url = "{server.url}/v1"\ndefault_model = "Qwen/Q"\n'
                 'default_temperature = 0.3\nprovider_max_tokens = 55\n'
                 '[extra_headers]\n"X-Title" = "file"\n"User-Agent" = "custom-agent"\n')
    res = revka("chat", "-s", "be brief", "hello", env={"VLLM_API_KEY": "vk-123",
                                                         "REVKA_EXTRA_HEADERS": "X-Title:env"})
    assert res.exit_code == 0 and res.stdout == "ok\n"
    req = server.requests[0]
    assert req.path == "/v1/chat/completions"
    assert req.json() == {"model": "Qwen/Q", "stream": True, "stream_options": {"include_usage": True},
                          "temperature": 0.3, "max_tokens": 55,
                          "messages": [{"role": "system", "content": "be brief"},
                                       {"role": "user", "content": "hello"}]}
    h = req.headers
    assert h["authorization"] == "Bearer vk-123" and h["accept"] == "text/event-stream"
    assert h["x-title"] == "env" and h["user-agent"] == "custom-agent"


@pytest.mark.parametrize("provider, key_header", [("vllm", None), ("sglang", None),
                                                  ("lmstudio", "Bearer lm-studio"),
                                                  ("osaurus", "Bearer osaurus"),
                                                  ("llamacpp", "Bearer llama.cpp")])
def test_placeholder_keys_and_no_header_without_key(server, revka, provider, key_header):
    openai_route(server)
    res = revka("chat", "-p", provider, "-m", "m", "hi", env={"REVKA_PROVIDER_URL": server.url + "/v1"})
    assert res.exit_code == 0, res
    assert server.requests[0].headers.get("authorization") == key_header


def test_every_provider_honours_api_url_including_lmstudio(server, revka, write_config):
    openai_route(server, "/lm/v1/chat/completions")
    write_config(f'[providers.lmstudio]\napi_url = "{server.url}/lm/v1"\n')
    assert revka("chat", "-p", "lm-studio", "-m", "x", "hi").exit_code == 0


@pytest.mark.parametrize("url, api_path, expected", [
    ("/v1/chat/completions", None, "/v1/chat/completions"),
    ("/v1/", None, "/v1/chat/completions"),
    ("/gw", "v2/generate", "/gw/v2/generate"),
    ("/gw/", "/v2/generate", "/gw/v2/generate"),
])
def test_chat_completions_suffix_and_api_path(server, revka, write_config, url, api_path, expected):
    openai_route(server, expected)
    extra = f'api_path = "{api_path}"\n' if api_path else ""
    write_config(f'default_provider = "custom:{server.url}{url}"\n{extra}')
    assert revka("chat", "-m", "m", "hi").exit_code == 0
    assert server.requests[0].path == expected


@pytest.mark.parametrize("suffix", ["", "/", "/api", "/api/", "/api/chat"])
def test_ollama_native_api_url_normalised_and_no_key_to_localhost(server, revka, write_config, suffix):
    server.route("POST", "/api/chat", Reply.ndjson(ndjson(*ollama_text("hi", "!"))))
    write_config(f'default_provider = "ollama"\napi_url = "{server.url}{suffix}"\n'
                 f'default_model = "llama3.2"\napi_key = "ollama-secret"\n')
    res = revka("chat", "hello", env={"OLLAMA_API_KEY": "also-secret"})
    assert res.exit_code == 0 and res.stdout == "hi!\n"
    req = server.requests[0]
    assert req.path == "/api/chat" and "authorization" not in req.headers
    assert req.json() == {"model": "llama3.2", "stream": True,
                          "messages": [{"role": "user", "content": "hello"}]}


def test_ollama_think_images_and_options(server, revka, write_config, tmp_path):
    server.route("POST", "/api/chat", Reply.ndjson(ndjson(*ollama_text("seen", thinking="hmm"))))
    img = tmp_path / "pic.png"
    img.write_bytes(PNG)
    write_config(f'api_url = "{server.url}"\ndefault_model = "llava"\n[runtime]\nreasoning_enabled = true\n')
    res = revka("chat", "--temperature", "0.5", "--max-tokens", "9", f"what is this [IMAGE:{img}]")
    assert res.exit_code == 0 and res.stdout == "seen\n"
    body = server.requests[0].json()
    assert body["think"] is True and body["options"] == {"temperature": 0.5, "num_predict": 9}
    assert body["messages"] == [{"role": "user", "content": "what is this",
                                 "images": [base64.b64encode(PNG).decode()]}]


def test_ollama_think_failure_retries_once_without_think(server, revka, write_config):
    server.route("POST", "/api/chat",
                 Reply.json({"error": "\"gemma3\" does not support thinking"}, 400),
                 Reply.ndjson(ndjson(*ollama_text("fine"))))
    write_config(f'api_url = "{server.url}"\ndefault_model = "gemma3"\n[runtime]\nreasoning_enabled = true\n')
    res = revka("chat", "hi")
    assert res.exit_code == 0 and res.stdout == "fine\n"
    assert [r.json().get("think") for r in server.requests] == [True, None]


def test_ollama_think_retry_failing_reports_the_original_error(server, revka, write_config):
    server.route("POST", "/api/chat", Reply.json({"error": "\"x\" does not support thinking"}, 400),
                 Reply.json({"error": "something else"}, 400))
    write_config(f'api_url = "{server.url}"\ndefault_model = "x"\n[runtime]\nreasoning_enabled = true\n')
    res = revka("chat", "hi")
    assert res.exit_code == 1 and "does not support thinking" in res.stderr
    assert len(server.requests) == 2


def test_remote_ollama_gets_bearer_key(server, revka, write_config):
    server.route("POST", "/api/chat", Reply.ndjson(ndjson(*ollama_text("x"))))
    remote = server.url.replace("127.0.0.1", "revka-remote.test")
    write_config(f'api_url = "{remote}"\ndefault_model = "m"\nallow_insecure_http = true\n')
    from revka_cli.providers.endpoint import resolve_endpoint
    from revka_cli.config import load_config
    cfg = load_config().config
    ep = resolve_endpoint(cfg, "ollama", is_primary=True, env={"OLLAMA_API_KEY": "ok-remote"})
    assert ep.headers["Authorization"] == "Bearer ok-remote"


@pytest.mark.parametrize("url", ["http://localhost:11434", "http://127.0.0.1:11434"])
def test_cloud_model_on_local_url_fails_fast_without_request(server, revka, url):
    res = revka("chat", "-m", "gpt-oss:120b:cloud", "hi", env={"REVKA_PROVIDER_URL": url,
                                                                 "OLLAMA_API_KEY": "k"})
    assert res.exit_code == 3 and "cloud model" in res.stderr and "hint:" in res.stderr


def test_cloud_model_without_key_fails_fast(server, revka, write_config):
    write_config('api_url = "https://ollama.example.com"\n')
    res = revka("chat", "-m", "x:cloud", "hi")
    assert res.exit_code == 3 and "needs an API key" in res.stderr


def test_anthropic_custom_headers_and_body(server, revka, write_config):
    server.route("POST", "/v1/messages", Reply.sse(anthropic_text("Hello there!")))
    write_config(f'default_provider = "anthropic-custom:{server.url}"\napi_key = "sk-ant-canary"\n'
                 'default_model = "claude-x"\n')
    res = revka("chat", "-s", "sys", "--max-tokens", "50", "hi")
    assert res.exit_code == 0 and res.stdout == "Hello there!\n"
    req = server.requests[0]
    assert req.headers["x-api-key"] == "sk-ant-canary" and "authorization" not in req.headers
    assert req.headers["anthropic-version"] == "2023-06-01"
    assert req.headers["content-type"] == "application/json"
    assert req.json() == {"model": "claude-x", "max_tokens": 50, "stream": True, "system": "sys",
                          "messages": [{"role": "user", "content": "hi"}]}


def test_tools_are_sent_in_each_protocols_form(server, revka, write_config, tmp_path):
    tools = tmp_path / "tools.json"
    fn = {"name": "get_weather", "description": "Weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
    tools.write_text(json.dumps([{"type": "function", "function": fn}]))
    openai_route(server)
    server.route("POST", "/api/chat", Reply.ndjson(ndjson(*ollama_text("x"))))
    server.route("POST", "/v1/messages", Reply.sse(anthropic_text("x")))
    for provider in (f"custom:{server.url}/v1", "ollama", f"anthropic-custom:{server.url}"):
        res = revka("chat", "-p", provider, "-m", "m", "--tools", str(tools), "hi",
                    env={"REVKA_PROVIDER_URL": server.url, "REVKA_API_KEY": "k"})
        assert res.exit_code == 0, res
    openai_body, ollama_body, anthropic_body = (r.json() for r in server.requests)
    assert openai_body["tools"] == [{"type": "function", "function": fn}]
    assert ollama_body["tools"] == [{"type": "function", "function": fn}]
    assert anthropic_body["tools"] == [{"name": "get_weather", "description": "Weather",
                                        "input_schema": fn["parameters"]}]


@pytest.mark.parametrize("runner", ["revka", "revka_proc"])  # Typer, and the typer-free fast path
def test_seed_is_sent_as_each_protocol_takes_it(server, request, write_config, runner):
    openai_route(server)
    server.route("POST", "/api/chat", Reply.ndjson(ndjson(*ollama_text("x"))))
    server.route("POST", "/v1/messages", Reply.sse(anthropic_text("x")))
    run = request.getfixturevalue(runner)
    for provider in (f"custom:{server.url}/v1", "ollama", f"anthropic-custom:{server.url}"):
        res = run("chat", "-p", provider, "-m", "m", "--seed", "42", "--max-tokens", "5", "hi",
                  env={"REVKA_PROVIDER_URL": server.url, "REVKA_API_KEY": "k"})
        assert res.exit_code == 0, res
    openai_body, ollama_body, anthropic_body = (r.json() for r in server.requests)
    assert openai_body["seed"] == 42 and openai_body["max_tokens"] == 5
    assert ollama_body["options"] == {"seed": 42, "num_predict": 5} and "seed" not in ollama_body
    assert "seed" not in anthropic_body  # the Messages API has no seed
    res = run("chat", "-p", f"custom:{server.url}/v1", "-m", "m", "hi")
    assert res.exit_code == 0 and "seed" not in server.requests[-1].json()


@pytest.mark.parametrize("value", ["-1", "1.5", "x", str(2**32)])
def test_seed_must_be_a_32_bit_unsigned_integer(revka_proc, value):
    res = revka_proc("chat", "--seed", value, "hi")
    assert res.exit_code == 2 and "--seed" in res.stderr, res


def test_custom_url_must_be_http(revka):
    res = revka("chat", "-p", "custom:ftp://x/v1", "-m", "m", "hi")
    assert res.exit_code == 3 and "http://" in res.stderr


def test_declared_custom_without_url(revka, write_config):
    res = revka("chat", "-m", "custom/qwen", "hi")
    assert res.exit_code == 3
    assert "custom provider not configured: set models.custom.url" in res.stderr


def test_declared_custom_sends_name_verbatim_with_its_key(server, revka, write_config):
    openai_route(server)
    write_config(f'[models.custom]\nurl = "{server.url}/v1"\napi_key = "sk-local"\n'
                 '[models.custom.available_models]\n"openrouter/free" = 32768\n')
    res = revka("chat", "-m", "custom/openrouter/free", "hi")
    assert res.exit_code == 0
    assert server.requests[0].json()["model"] == "openrouter/free"
    assert server.requests[0].headers["authorization"] == "Bearer sk-local"


def test_undeclared_custom_model_is_refused_listing_the_declared_ones(server, revka, revka_proc,
                                                                     write_config):
    openai_route(server)
    write_config(f'[models.custom]\nurl = "{server.url}/v1"\n'
                 '[models.custom.available_models]\n"qwen-7b" = 32768\n"llama-8b" = 8192\n')
    for run in (revka, revka_proc):  # the Typer app and the installed command's fast path
        for args in (["-m", "custom/not-declared"], ["-p", "custom", "-m", "not-declared"]):
            res = run("chat", *args, "hi")
            assert res.exit_code == 5, res
            assert "unknown model 'custom/not-declared'" in res.stderr
            assert "declares llama-8b, qwen-7b" in res.stderr
    assert revka("models", "status", "-m", "custom/nope").exit_code == 5
    assert server.requests == []
    assert revka("chat", "-m", "custom/qwen-7b", "hi").exit_code == 0
    assert server.requests[0].json()["model"] == "qwen-7b"


def test_image_to_provider_without_vision_fails_before_request(server, revka, tmp_path):
    img = tmp_path / "a.png"
    img.write_bytes(PNG)
    res = revka("chat", "-p", "vllm", "-m", "m", "--image", str(img), "hi",
                env={"REVKA_PROVIDER_URL": server.url + "/v1"})
    assert res.exit_code == 2 and "does not accept images" in res.stderr
    assert server.requests == []


def test_vision_opt_in_per_provider_sends_images(server, revka, revka_proc, write_config,
                                                 tmp_path):
    openai_route(server)
    img = tmp_path / "a.png"
    img.write_bytes(PNG)
    write_config(f'default_provider = "vllm"\n[providers.vllm]\napi_url = "{server.url}/v1"\n'
                 'vision = true\n[providers.sglang]\n'
                 f'api_url = "{server.url}/v1"\n[providers.llamacpp]\napi_url = "{server.url}/v1"\n'
                 'vision = false\n')
    res = revka_proc("chat", "-m", "m", "--image", str(img), "what is it?")
    assert res.exit_code == 0, res
    parts = server.requests[0].json()["messages"][-1]["content"]
    assert any(p.get("type") == "image_url" for p in parts)
    for provider in ("sglang", "llamacpp"):  # the default refusal stays; an opt-out works too
        refused = revka("chat", "-p", provider, "-m", "m", "--image", str(img), "hi")
        assert refused.exit_code == 2 and "does not accept images" in refused.stderr, provider
    assert len(server.requests) == 1


def test_openai_images_are_image_url_parts(server, revka, tmp_path):
    openai_route(server)
    img = tmp_path / "a.png"
    img.write_bytes(PNG)
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    res = revka("chat", "-p", f"custom:{server.url}/v1", "-m", "m", f"look [IMAGE:{data_url}]",
                "--image", str(img))
    assert res.exit_code == 0
    content = server.requests[0].json()["messages"][0]["content"]
    assert content[0] == {"type": "text", "text": "look"}
    assert [p["image_url"]["url"] for p in content[1:]] == [data_url, data_url]


def test_key_over_plain_http_to_remote_host_is_refused(revka):
    res = revka("chat", "-p", "custom:http://gpu-box.example:8000/v1", "-m", "m", "hi",
                env={"REVKA_API_KEY": "sk-canary-secret-value"})
    assert res.exit_code == 3 and "plain http" in res.stderr
    assert "sk-canary-secret-value" not in res.stderr


def test_key_prefix_mismatch_warns_without_showing_key(server, revka, write_config):
    openai_route(server)
    write_config(f'default_provider = "openai"\napi_url = "{server.url}/v1"\n')
    res = revka("chat", "-m", "gpt", "hi", env={"OPENAI_API_KEY": "sk-ant-api03-canarycanary"})
    assert res.exit_code == 0
    assert "looks like an Anthropic key" in res.stderr
    assert "canarycanary" not in res.stderr


def test_image_refused_by_the_server_is_clear_and_not_retried(server, revka, tmp_path):
    # llama-server without a projector answers 500 "image input is not supported"
    server.route("POST", "/v1/chat/completions", Reply.json({"error": {"code": 500, "type": "server_error",
                 "message": "image input is not supported - hint: if this is unexpected, you may need "
                            "to provide the mmproj"}}, 500))
    img = tmp_path / "a.png"
    img.write_bytes(PNG)
    res = revka("chat", "-p", "llamacpp", "-m", "m", "--image", str(img), "hi",
                env={"REVKA_PROVIDER_URL": server.url + "/v1"})
    assert res.exit_code == 1 and len(server.requests) == 1
    assert "the model does not accept images" in res.stderr and "mmproj" in res.stderr


def test_bare_model_name_resolves_through_the_cached_catalogs(server, revka, write_config):
    # two providers in the cache; a name only one of them serves picks that provider
    server.route("GET", "/api/tags", Reply.json({"models": [{"name": "llama3.2:3b", "size": 1}]}))
    server.route("GET", "/v1/models", Reply.json({"data": [{"id": "qwen-7b"}, {"id": "llama3.2:3b"}]}))
    openai_route(server)
    write_config(f'api_url = "{server.url}"\n[providers.vllm]\napi_url = "{server.url}/v1"\n')
    assert revka("models", "refresh").exit_code == 0
    res = revka("chat", "-m", "qwen-7b", "hi", "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["provider"] == "vllm"
    ambiguous = revka("chat", "-m", "llama3.2:3b", "hi")
    assert ambiguous.exit_code == 2
    assert "ollama/llama3.2:3b" in ambiguous.stderr and "vllm/llama3.2:3b" in ambiguous.stderr
