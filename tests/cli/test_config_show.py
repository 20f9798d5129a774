"""`config show`: per configured provider, the URL it will use, its key source and its model, and
where each came from, without showing a key or a URL password and without running api_key_cmd."""

from __future__ import annotations

import json
import sys
import tomlkit

from tests.cli.chatkit import openai_text, sse
from tests.servers import Reply


def _config(server_url: str, marker) -> str:
    return f"""default_provider = "llamacpp"
default_model = "qwen"
[reliability]
fallback_providers = ["custom:http://bob:hunter2pw@gpu-box.example:1234/v1", "anthropic"]
[providers.llamacpp]
api_url = "{server_url}/v1"
[providers.vllm]
api_key_cmd = ["{sys.executable}", "-c", "open('{marker}', 'w').write('x'); print('sk-' + 'from-cmd')"]
default_model = "Qwen/Q"
[models.custom]
url = "http://localhost:9999/v1"
available_models = {{ "a" = 10, "b" = 20 }}
"""


def test_each_provider_shows_url_key_source_model_and_origins(server, revka, revka_proc,
                                                             write_config, tmp_path):
    marker = tmp_path / "key-command-ran"
    write_config(_config(server.url, marker))
    env = {"ANTHROPIC_API_KEY": "sk-ant-secretsecret"}
    res = revka_proc("config", "show", "--json", env=env)
    assert res.exit_code == 0, res
    rows = {r["provider"]: r for r in json.loads(res.stdout)["effective_providers"]}
    assert list(rows) == ["llamacpp", "custom:http://gpu-box.example:1234/v1", "anthropic", "vllm",
                          "custom"]
    assert rows["llamacpp"] == {
        "provider": "llamacpp", "role": "default", "url": f"{server.url}/v1",
        "url_from": "providers.llamacpp.api_url", "key_from": "placeholder", "model": "qwen",
        "model_from": "default_model in the file", "problem": None}
    assert rows["anthropic"]["key_from"] == "ANTHROPIC_API_KEY"
    assert rows["anthropic"]["url_from"] == "the provider catalog's default"
    assert rows["custom:http://gpu-box.example:1234/v1"]["url_from"] == "the provider id"
    assert (rows["vllm"]["key_from"], rows["vllm"]["model"], rows["vllm"]["model_from"]) == \
        ("providers.vllm.api_key_cmd", "Qwen/Q", "providers.vllm.default_model")
    assert (rows["custom"]["url_from"], rows["custom"]["model"]) == ("models.custom.url", "a, b")
    text = revka("config", "show", env=env)
    assert text.exit_code == 0
    tomlkit.parse(text.stdout)  # the provider lines are comments: stdout stays a TOML file
    assert f"#   url:   {server.url}/v1 (from providers.llamacpp.api_url)" in text.stdout
    assert "#   key:   providers.vllm.api_key_cmd" in text.stdout
    for out in (res.stdout + res.stderr, text.stdout + text.stderr):
        assert "hunter2pw" not in out and "secretsecret" not in out and "sk-from-cmd" not in out
    assert not marker.exists(), "config show ran api_key_cmd"


def test_the_url_shown_is_the_one_chat_uses(server, revka, write_config, tmp_path):
    server.route("POST", "/v1/chat/completions", Reply.sse(sse(*openai_text("ok"))))
    write_config(f'default_provider = "llamacpp"\ndefault_model = "m"\n'
                 f'[providers.llamacpp]\napi_url = "{server.url}/v1"\n')
    rows = json.loads(revka("config", "show", "--json").stdout)["effective_providers"]
    assert revka("chat", "hi").exit_code == 0
    assert server.requests[0].path == "/v1/chat/completions"
    assert rows[0]["url"] == f"{server.url}/v1"


def test_url_from_the_environment_and_no_model(revka, isolated_env):
    env = {"REVKA_PROVIDER": "vllm", "REVKA_PROVIDER_URL": "http://u:pw-in-url@h:1/v1"}
    res = revka("config", "show", "--json", env=env)
    rows = json.loads(res.stdout)["effective_providers"]
    assert rows[0]["url"] == "http://h:1/v1" and rows[0]["url_from"] == "env REVKA_PROVIDER_URL"
    assert rows[0]["model"] is None and "no model selected" in rows[0]["problem"]
    assert "pw-in-url" not in res.stdout
