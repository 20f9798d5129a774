"""The other paths of `revka doctor models`: no models endpoint, --chat, the cache, TLS, DNS,
secrets in URLs, the hard deadline, and the terminal table."""

from __future__ import annotations

import io
import json
import re
import time

import pytest

from tests.doctor.conftest import CANARY, models_reply
from tests.servers import Reply

SSE_OK = (b'data: {"choices":[{"index":0,"delta":{"content":"OK"}}]}\n\n'
          b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}\n\n'
          b"data: [DONE]\n\n")


def doctor(revka, *args):
    res = revka("doctor", "models", "--json", *args)
    data = json.loads(res.stdout) if res.stdout.startswith("{") else None
    return res, data


def checks_of(data, index=0) -> dict[str, dict]:
    return {c["name"]: c for c in data["providers"][index]["checks"]}


def single(write_config, provider: str, url: str, extra: str = "") -> None:
    write_config(f'default_provider = "{provider}"\n[providers.{provider}]\napi_url = "{url}"\n'
                 + extra)


def test_cache_is_refreshed_unless_no_cache_write(server, write_config, revka):
    from revka_cli.catalog.store import index_path, read_index

    server.route("GET", "/v1/models", models_reply("qwen-7b", "other"))
    single(write_config, "vllm", f"{server.url}/v1", 'default_model = "qwen-7b"\n')
    res, _ = doctor(revka, "--no-cache-write")
    assert res.exit_code == 0 and not index_path().exists()
    res, _ = doctor(revka)
    assert res.exit_code == 0
    index = read_index(index_path())
    assert index["models"]["vllm"] == ["qwen-7b", "other"]
    assert index["bases"]["vllm"] == f"{server.url}/v1"


def test_declared_custom_without_models_endpoint_uses_a_one_token_request(server, write_config,
                                                                          revka):
    server.route("POST", "/v1/chat/completions", Reply.sse(SSE_OK))
    write_config(f'[models.custom]\nurl = "{server.url}/v1"\n'
                 'available_models = { "qwen-local" = 8192 }\n')
    res, data = doctor(revka, "-p", "custom", "--chat")
    assert res.exit_code == 0, res
    checks = checks_of(data)
    assert checks["auth"]["status"] == "ok"
    assert "16-token request was accepted" in checks["auth"]["detail"]
    assert checks["model"]["status"] == "ok" and "'qwen-local'" in checks["model"]["detail"]
    assert checks["chat"]["status"] == "ok" and "first token in" in checks["chat"]["detail"]
    chats = [r for r in server.requests if r.method == "POST"]
    assert len(chats) == 1  # the --chat step reuses the probe's request
    body = chats[0].json()
    assert body["model"] == "qwen-local" and body["max_tokens"] == 16 and body["stream"] is True


def test_custom_url_401_on_the_one_token_request_is_an_auth_failure(server, write_config, revka):
    server.route("POST", "/v1/chat/completions", Reply.json({"error": {"message": "no"}}, 401))
    url = f"custom:{server.url}/v1"
    write_config(f'default_provider = "{url}"\ndefault_model = "m"\n')
    res, data = doctor(revka)
    assert res.exit_code == 1 and data["providers"][0]["exit_code"] == 4
    assert checks_of(data)["auth"]["status"] == "fail"


def test_no_models_endpoint_and_no_model_is_a_warning(server, write_config, revka):
    write_config(f'default_provider = "custom:{server.url}/v1"\n')
    res, data = doctor(revka)
    assert res.exit_code == 0 and data["providers"][0]["status"] == "warn"
    assert "key is not verified" in checks_of(data)["auth"]["detail"]
    res, _ = doctor(revka, "--strict")
    assert res.exit_code == 1


def test_chat_step_times_the_first_token(server, write_config, revka):
    server.route("GET", "/v1/models", models_reply("qwen-7b"))
    server.route("POST", "/v1/chat/completions", Reply.sse([0.2, SSE_OK]))
    single(write_config, "vllm", f"{server.url}/v1", 'default_model = "qwen-7b"\n')
    res, data = doctor(revka, "--chat")
    assert res.exit_code == 0, res
    chat = checks_of(data)["chat"]
    assert chat["status"] == "ok" and chat["latency_ms"] >= 200
    assert server.requests[-1].json()["max_tokens"] == 16  # the deep probe


def test_chat_step_model_not_found(server, write_config, revka):
    server.route("GET", "/v1/models", models_reply("qwen-7b"))
    server.route("POST", "/v1/chat/completions",
                 Reply.json({"error": {"message": "model qwen-7b not loaded"}}, 404))
    single(write_config, "vllm", f"{server.url}/v1", 'default_model = "qwen-7b"\n')
    res, data = doctor(revka, "--chat")
    assert res.exit_code == 1 and data["providers"][0]["exit_code"] == 5
    assert checks_of(data)["chat"]["status"] == "fail"


def test_lmstudio_model_presence_is_skipped(server, write_config, revka):
    server.route("GET", "/v1/models", models_reply("loaded-model"))
    single(write_config, "lmstudio", f"{server.url}/v1", 'default_model = "anything"\n')
    res, data = doctor(revka)
    assert res.exit_code == 0 and data["providers"][0]["status"] == "ok"
    assert checks_of(data)["model"]["status"] == "skip"
    assert data["providers"][0]["model_count"] == 1


@pytest.mark.parametrize("reply, failed, code", [
    (Reply.json({"error": "not found"}, 404), "auth", 5),
    (Reply.json({"error": {"message": "overloaded"}}, 503), "auth", 7),
    (Reply(200, [b"<html><title>Web UI</title></html>"], content_type="text/html"), "model", 1),
])
def test_models_endpoint_errors(server, write_config, revka, reply, failed, code):
    server.route("GET", "/v1/models", reply)
    single(write_config, "vllm", f"{server.url}/v1", 'default_model = "m"\n')
    res, data = doctor(revka)
    assert res.exit_code == 1
    assert data["providers"][0]["exit_code"] == code
    assert checks_of(data)[failed]["status"] == "fail"


def test_anthropic_protocol_lists_v1_models_with_its_headers(server, write_config, revka):
    server.route("GET", "/v1/models", models_reply("claude-x"))
    write_config(f'default_provider = "anthropic-custom:{server.url}"\ndefault_model = "claude-x"\n'
                 f'api_key = "{CANARY}"\n')
    res, data = doctor(revka)
    assert res.exit_code == 0, res
    sent = server.requests[0]
    assert sent.path == "/v1/models" and sent.headers["x-api-key"] == CANARY
    assert "anthropic-version" in sent.headers
    assert CANARY not in res.stdout + res.stderr


def test_tls_failure_is_a_connect_failure(server, write_config, revka):
    write_config(f'default_provider = "custom:https://127.0.0.1:{server.port}/v1"\n')
    res, data = doctor(revka, "--timeout", "2")
    connect = checks_of(data)["connect"]
    assert res.exit_code == 1 and connect["status"] == "fail" and "TLS" in connect["detail"]
    assert data["providers"][0]["exit_code"] == 6


def test_dns_failure_is_a_connect_failure(write_config, revka):
    write_config('default_provider = "custom:http://doctor-test.invalid:8080/v1"\n')
    started = time.monotonic()
    res, data = doctor(revka, "--timeout", "1")
    assert time.monotonic() - started < 2.5
    connect = checks_of(data)["connect"]
    assert connect["status"] == "fail" and "DNS" in connect["detail"]
    assert data["providers"][0]["exit_code"] == 6


def test_missing_key_of_a_named_hosted_provider_fails_its_config_check(write_config, revka):
    write_config('default_model = "llama3.2"\n')
    res, data = doctor(revka, "-p", "openai")
    assert res.exit_code == 1
    assert data["providers"][0]["exit_code"] == 3
    assert checks_of(data)["config"]["status"] == "fail"
    assert "OPENAI_API_KEY" in checks_of(data)["config"]["hint"]


def test_secrets_in_urls_and_keys_never_appear(server, write_config, revka, tmp_path):
    padding = "x" * 130  # the echoed key straddles the 200-character cut of a detail
    server.route("GET", "/v1/models", Reply.json({"error": f"bad key {padding}{CANARY}"}, 401))
    primary = f"custom:http://user:{CANARY}@127.0.0.1:{server.port}/v1"
    other = f"custom:http://127.0.0.1:{server.port}/q/v1?token={CANARY}"
    write_config(f'default_provider = "{primary}"\ndefault_model = "m"\napi_key = "{CANARY}"\n'
                 f'[reliability]\nfallback_providers = ["{other}"]\n'
                 f'[extra_headers]\nX-Api-Token = "{CANARY}"\n')
    junit = tmp_path / "j.xml"
    for before, after in (([], []), ([], ["--json"]), (["--debug"], [])):
        res = revka(*before, "doctor", "models", *after, "--junit", str(junit))
        blob = res.stdout + res.stderr + junit.read_text()
        assert res.exit_code == 1, res
        for part in (CANARY, CANARY[8:], CANARY[:-4], CANARY[:12]):
            assert part not in blob, blob
    res, data = doctor(revka)
    assert [p["provider"] for p in data["providers"]] == [
        f"custom:http://127.0.0.1:{server.port}/v1",
        f"custom:http://127.0.0.1:{server.port}/q/v1?token=REDACTED"]
    auth = checks_of(data)["auth"]
    assert auth["status"] == "fail" and data["providers"][0]["exit_code"] == 4
    assert len(auth["detail"]) <= 200 and "bad key xxx" in auth["detail"]


def test_hard_deadline_reports_a_stuck_probe(monkeypatch, write_config):
    from revka_cli.config import load_config
    from revka_cli.doctor import run
    from revka_cli.doctor.targets import Target

    monkeypatch.setattr(run, "GRACE_SECS", 0.1)
    monkeypatch.setattr(run, "probe_provider", lambda *args: time.sleep(1.0))
    started = time.monotonic()
    outcome = run.run_doctor(load_config().config, [Target("vllm")], timeout=0.2,
                             cache_write=False)
    assert time.monotonic() - started < 0.8
    report = outcome.report.providers[0]
    assert report.status == "fail" and report.exit_code == 6
    assert report.checks[0].name == "config" and "timeout" in report.checks[0].detail
    assert outcome.report.exit_code == 1


def test_terminal_table(server, write_config):
    from revka_cli.cli.commands.doctor import render_table
    from revka_cli.config import load_config
    from revka_cli.doctor.run import run_doctor
    from revka_cli.doctor.targets import build_targets

    server.route("GET", "/v1/models", models_reply("qwen-7b"))
    single(write_config, "vllm", f"{server.url}/v1", 'default_model = "qwen-7b"\n')
    cfg = load_config().config
    report = run_doctor(cfg, build_targets(cfg), timeout=2, cache_write=False).report
    colour, plain = io.StringIO(), io.StringIO()
    render_table(report, colour, color=True, width=120)
    render_table(report, plain, color=False, width=120)
    assert "\x1b[32m" in colour.getvalue()  # ok in green
    assert not re.search(r"\x1b\[[0-9;]*3[0-7]m", plain.getvalue())  # no colour at all
    text = plain.getvalue()
    assert "vllm" in text and "serves 'qwen-7b'" in text and "doctor passed" in text


@pytest.mark.parametrize("chat_reply, status, code", [
    (Reply.sse(SSE_OK), "ok", 0),
    (Reply.json({"error": {"message": "model 'qwen-local' not found"}}, 404), "fail", 5),
])
def test_custom_server_unlisted_model_gets_a_one_token_request(server, write_config, revka,
                                                               chat_reply, status, code):
    """llama.cpp lists its file name and serves any model name: no false alarm for custom."""
    server.route("GET", "/v1/models", models_reply("/models/qwen2.5-7b-q4.gguf"))
    server.route("POST", "/v1/chat/completions", chat_reply)
    write_config(f'[models.custom]\nurl = "{server.url}/v1"\n'
                 'available_models = { "qwen-local" = 8192 }\n')
    res, data = doctor(revka, "-p", "custom")
    model = checks_of(data)["model"]
    assert (model["status"], data["providers"][0]["exit_code"]) == (status, code), model
    assert server.requests[-1].json()["model"] == "qwen-local"


def test_some_declared_models_missing_is_a_warning(server, write_config, revka):
    server.route("GET", "/v1/models", models_reply("a", "b"))
    write_config(f'[models.custom]\nurl = "{server.url}/v1"\n'
                 'available_models = { "a" = 8192, "gone" = 4096 }\n')
    res, data = doctor(revka, "-p", "custom")
    assert res.exit_code == 0
    model = checks_of(data)["model"]
    assert model["status"] == "warn" and model["detail"] == "declared but not served: gone"


def test_no_models_endpoint_and_no_chat_endpoint_is_a_url_problem(server, write_config, revka):
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n')
    res, data = doctor(revka)
    assert res.exit_code == 1 and data["providers"][0]["exit_code"] == 5
    assert checks_of(data)["auth"]["status"] == "fail"
    assert "/v1" in checks_of(data)["auth"]["hint"]


def test_401_without_a_key_is_worded_as_a_missing_key(server, write_config, revka):
    server.route("GET", "/v1/models", Reply.json({"error": {"message": "no key"}}, 401))
    single(write_config, "vllm", f"{server.url}/v1", 'default_model = "m"\n')
    res, data = doctor(revka)
    detail = checks_of(data)["auth"]["detail"]
    assert "no key was refused" not in detail and "none was sent" in detail, detail
