"""Readiness states from each server's own signal, and `--wait`, against loopback fakes that
replay the documented answers (tests/fixtures/doctor/)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.doctor.conftest import fixture_body, fixture_reply, models_reply
from tests.servers import Reply, closed_port

LOADING = "llamacpp_health_loading.json"
HEALTHY = "llamacpp_health_ok.json"


def run(revka, *args):
    started = time.monotonic()
    res = revka("doctor", "models", "--json", *args)
    return res, json.loads(res.stdout), time.monotonic() - started


def only(data) -> dict:
    (provider,) = data["providers"]
    return provider


def checks(provider) -> dict:
    return {c["name"]: c for c in provider["checks"]}


def one(write_config, pid: str, url: str, model: str = "m", extra: str = "") -> None:
    write_config(f'default_provider = "{pid}"\n[providers.{pid}]\napi_url = "{url}"\n'
                 f'default_model = "{model}"\n{extra}')


def llama(server, *health: Reply, name: str = "m"):
    body = json.loads(fixture_body("llamacpp_v1_models_readme.json"))
    body["data"][0]["id"] = name
    server.route("GET", "/health", *health)
    server.route("GET", "/v1/models", Reply.json(body))
    return server


def test_llamacpp_loading_is_reported_from_health_not_from_models(server, write_config, revka):
    llama(server, fixture_reply(LOADING, 503))  # /v1/models answers 200 meanwhile
    one(write_config, "llamacpp", f"{server.url}/v1")
    res, data, _ = run(revka)
    assert res.exit_code == 1
    provider = only(data)
    assert provider["readiness"] == "loading" and provider["exit_code"] == 7
    ready = checks(provider)["ready"]
    assert ready["status"] == "fail" and "Loading model" in ready["detail"]
    assert "--wait" in ready["hint"]
    assert checks(provider)["auth"]["status"] == "skip"
    assert "/v1/models" not in [r.path for r in server.requests]


def test_wait_polls_until_loading_turns_ready(server, write_config, revka):
    llama(server, *[fixture_reply(LOADING, 503)] * 3, fixture_reply(HEALTHY))
    one(write_config, "llamacpp", f"{server.url}/v1")
    res, data, elapsed = run(revka, "--wait", "20")
    assert res.exit_code == 0, res
    assert only(data)["readiness"] == "ready" and data["wait"] == {"seconds": 20, "polls": 4}
    assert [r.path for r in server.requests].count("/health") == 4
    assert res.stderr.count("llamacpp loading") == 3  # progress, one line per poll
    assert elapsed < 5, f"the wait did not end when the server was ready ({elapsed:.1f} s)"


def test_wait_is_bounded_by_its_deadline(server, write_config, revka):
    llama(server, fixture_reply(LOADING, 503))
    one(write_config, "llamacpp", f"{server.url}/v1")
    res, data, elapsed = run(revka, "--wait", "1.5")
    assert res.exit_code == 1 and only(data)["readiness"] == "loading"
    assert data["wait"]["polls"] >= 3
    assert 1.3 < elapsed < 3.0


def test_terminal_failures_end_the_wait_at_once(servers, write_config, revka):
    denied = servers().route("GET", "/v1/models", Reply.json({"error": "bad key"}, 401))
    missing = servers().route("GET", "/v1/models", models_reply("other"))
    write_config(f'default_provider = "vllm"\n[reliability]\nfallback_providers = ["litellm"]\n'
                 f'[providers.vllm]\napi_url = "{missing.url}/v1"\ndefault_model = "m"\n'
                 f'[providers.litellm]\napi_url = "{denied.url}/v1"\napi_key = "k"\n'
                 'default_model = "m"\n')
    res, data, elapsed = run(revka, "--wait", "30")
    assert res.exit_code == 1 and data["wait"]["polls"] == 1
    states = {p["provider"]: p["readiness"] for p in data["providers"]}
    assert states == {"vllm": "model_missing", "litellm": "auth_failed"}
    assert elapsed < 5


def test_no_slot_available_is_degraded_and_passes_unless_strict(server, write_config, revka):
    llama(server, fixture_reply("llamacpp_health_no_slot.json", 503))
    one(write_config, "llamacpp", f"{server.url}/v1")
    res, data, _ = run(revka, "--wait", "10")
    assert res.exit_code == 0 and data["wait"]["polls"] == 1  # degraded is settled
    provider = only(data)
    assert provider["readiness"] == "degraded" and provider["status"] == "warn"
    assert "no slot available (0 idle, 32 processing)" in checks(provider)["ready"]["detail"]
    assert run(revka, "--strict")[0].exit_code == 1


def test_vllm_health(server, write_config, revka):
    server.route("GET", "/health", Reply(200, [], chunked=False), Reply(503, [], chunked=False))
    server.route("GET", "/v1/models", fixture_reply("vllm_v1_models_real_max_model_len.json"))
    one(write_config, "vllm", f"{server.url}/v1", "gpt-oss-120b")
    res, data, _ = run(revka)
    assert res.exit_code == 0 and only(data)["readiness"] == "ready"
    assert checks(only(data))["context"]["detail"].startswith("serves 65536 tokens of context")
    res, data, _ = run(revka)  # now /health says 503: the engine died
    assert only(data)["readiness"] == "degraded"
    assert "engine is dead" in checks(only(data))["ready"]["detail"]


def test_sglang_503_is_loading(server, write_config, revka):
    server.route("GET", "/health", Reply(503, [], chunked=False), Reply(200, [], chunked=False))
    server.route("GET", "/v1/models", models_reply("m"))
    one(write_config, "sglang", f"{server.url}/v1")
    res, data, _ = run(revka, "--wait", "10")
    assert res.exit_code == 0 and only(data)["readiness"] == "ready"
    assert data["wait"]["polls"] == 2
    assert "/health_generate" not in [r.path for r in server.requests]


def test_ollama_version_and_ps(server, write_config, revka):
    server.route("GET", "/api/version", fixture_reply("ollama_api_version_doc.json"))
    server.route("GET", "/api/ps", fixture_reply("ollama_api_ps_openapi.json"))
    server.route("GET", "/api/tags", Reply.json({"models": [{"name": "gemma4"},
                                                           {"name": "qwen3:4b"}]}))
    one(write_config, "ollama", server.url, "gemma4")
    res, data, _ = run(revka)
    assert res.exit_code == 0, res
    found = checks(only(data))
    assert found["ready"]["detail"] == "Ollama: Ollama 0.5.1 answers; 'gemma4' is loaded"
    assert found["context"]["detail"].startswith("serves 4096 tokens of context "
                                                 "(/api/ps context_length)")
    one(write_config, "ollama", server.url, "qwen3:4b")
    res, data, _ = run(revka)
    assert "'qwen3:4b' is not loaded (the first request loads it)" in \
        checks(only(data))["ready"]["detail"]
    assert "context" not in checks(only(data))  # nothing loaded: no served context to compare


def test_lmstudio_state(server, write_config, revka):
    doc = json.loads(fixture_body("lmstudio_api_v0_models_doc.json"))
    server.route("GET", "/api/v0/models", Reply.json(doc))
    server.route("GET", "/v1/models", models_reply(*(m["id"] for m in doc["data"])))
    one(write_config, "lmstudio", f"{server.url}/v1", "meta-llama-3.1-8b-instruct")
    res, data, _ = run(revka)
    assert res.exit_code == 0 and only(data)["readiness"] == "degraded"
    assert "'meta-llama-3.1-8b-instruct' is not-loaded" in checks(only(data))["ready"]["detail"]
    doc["data"][1].update(state="loaded", loaded_context_length=4096)  # what a loaded one adds
    server.route("GET", "/api/v0/models", Reply.json(doc))
    res, data, _ = run(revka)
    assert only(data)["readiness"] == "ready"
    assert "4096 tokens" in checks(only(data))["context"]["detail"]


def test_a_provider_without_a_signal_says_so(server, write_config, revka):
    server.route("GET", "/v1/models", models_reply("m"))
    one(write_config, "litellm", f"{server.url}/v1")
    res, data, _ = run(revka)
    assert res.exit_code == 0 and only(data)["readiness"] == "ready"
    assert "no readiness signal" in checks(only(data))["ready"]["detail"]
    assert [r.path for r in server.requests] == ["/v1/models"]


def test_json_carries_a_schema_version(server, write_config, revka):
    server.route("GET", "/v1/models", models_reply("m"))
    one(write_config, "vllm", f"{server.url}/v1")
    _, data, _ = run(revka)
    assert data["schema_version"] == 2
    assert "404" in checks(only(data))["ready"]["detail"]  # this fake has no /health


def _serve_later(port: int, delay: float, stop: threading.Event) -> None:
    """After `delay` s, a vLLM-like server on `port`: /health 200, /v1/models lists "m"."""
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = b"" if self.path == "/health" else json.dumps({"data": [{"id": "m"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    time.sleep(delay)
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.timeout = 0.05
    while not stop.is_set():
        httpd.handle_request()
    httpd.server_close()


def test_wait_rides_out_a_server_that_is_not_listening_yet(write_config, revka):
    """vLLM does not listen while it loads: doctor sees `unreachable`, and --wait keeps polling."""
    port, stop = closed_port(), threading.Event()
    thread = threading.Thread(target=_serve_later, args=(port, 1.0, stop), daemon=True)
    thread.start()
    try:
        one(write_config, "vllm", f"http://127.0.0.1:{port}/v1")
        res, data, elapsed = run(revka, "--wait", "15")
    finally:
        stop.set()
        thread.join(timeout=5)
    assert res.exit_code == 0, res
    assert only(data)["readiness"] == "ready" and data["wait"]["polls"] >= 2
    assert "vllm unreachable (connection refused" in res.stderr
    assert elapsed < 8
