"""`revka models` and `revka doctor models` against the real llama-server."""

from __future__ import annotations

import socket

import pytest

from tests.real_server.realkit import TIMEOUT, load_json, provider_config

pytestmark = pytest.mark.real_server


def closed_port() -> int:
    """A port nothing listens on (bound then released; nothing else picks it up in between)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_meta(llama_server) -> dict:
    entry = next(m for m in llama_server.models["data"] if m["id"] == llama_server.model)
    return entry["meta"]


def test_models_refresh_and_list_take_the_context_window_from_meta(llama_server, revka_proc,
                                                                   tmp_path):
    """revka documents (catalog/parse.py) that llama.cpp's context is meta.n_ctx, the runtime
    window of one slot (-c 8192 over --parallel 4: 2048), before meta.n_ctx_train (8192)."""
    meta = server_meta(llama_server)
    assert (meta["n_ctx"], meta["n_ctx_train"]) == (llama_server.slot_ctx, 8192)
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)

    res = revka_proc("--config", str(config), "models", "refresh", "--provider", "llamacpp",
                     timeout=TIMEOUT)
    assert res.exit_code == 0, res
    assert "llamacpp: 1 model" in res.stdout + res.stderr

    res = revka_proc("--config", str(config), "models", "list", "--json", timeout=TIMEOUT)
    assert res.exit_code == 0, res
    entries = load_json(res.stdout)
    assert [(e["provider"], e["name"], e["qualified"]) for e in entries] == [
        ("llamacpp", llama_server.model, f"llamacpp/{llama_server.model}")]
    assert entries[0]["context_window"] == meta["n_ctx"] == llama_server.slot_ctx
    assert entries[0]["source"] == "live"

    res = revka_proc("--config", str(config), "models", "list", "--provider", "llamacpp",
                     timeout=TIMEOUT)  # a pipe: one provider/name per line
    assert res.exit_code == 0 and res.stdout == f"llamacpp/{llama_server.model}\n", res


def test_the_cached_window_bounds_a_chat_request(llama_server, revka_proc, tmp_path):
    """README: a cached context window bounds the request before anything is sent."""
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    res = revka_proc("--config", str(config), "models", "refresh", "--provider", "llamacpp",
                     timeout=TIMEOUT)
    assert res.exit_code == 0, res
    # --timeout 3: while the bug is there the request goes out; do not wait for 5000 tokens
    res = revka_proc("--config", str(config), "chat", "--max-tokens", "5000", "--timeout", "3",
                     "Say hello.", timeout=TIMEOUT)
    assert res.exit_code == 2, res
    assert f"{llama_server.slot_ctx}-token window" in res.stderr


def test_doctor_models_is_healthy_against_the_real_server(llama_server, revka_proc, tmp_path):
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model,
                             providers=("llamacpp",))
    res = revka_proc("--config", str(config), "doctor", "models", timeout=TIMEOUT)
    assert res.exit_code == 0, res
    assert "doctor passed" in res.stdout + res.stderr
    assert f"serves '{llama_server.model}'" in res.stdout

    # --chat: also a real 1-token completion, timed
    res = revka_proc("--config", str(config), "doctor", "models", "--chat", "--json",
                     "--timeout", "120", timeout=TIMEOUT)
    assert res.exit_code == 0, res
    doc = load_json(res.stdout)
    assert doc["ok"] is True and doc["summary"]["ok"] == 1 and doc["summary"]["fail"] == 0
    (prov,) = doc["providers"]
    assert (prov["provider"], prov["status"], prov["exit_code"]) == ("llamacpp", "ok", 0)
    assert prov["url"] == f"{llama_server.base_url}/v1"
    assert prov["model"] == llama_server.model and prov["model_count"] == 1
    checks = {c["name"]: c for c in prov["checks"]}
    assert {"config", "connect", "auth", "model"} <= set(checks)
    assert all(c["status"] == "ok" for c in checks.values()), checks

    # doctor refreshed the model cache with what it found
    res = revka_proc("--config", str(config), "models", "list", "--json", timeout=TIMEOUT)
    assert res.exit_code == 0, res
    assert [e["name"] for e in load_json(res.stdout)] == [llama_server.model]


def test_doctor_models_fails_on_a_wrong_port(llama_server, revka_proc, tmp_path):
    port = closed_port()
    config = provider_config(tmp_path, f"http://127.0.0.1:{port}", llama_server.model,
                             providers=("llamacpp",))
    res = revka_proc("--config", str(config), "doctor", "models", timeout=TIMEOUT)
    assert res.exit_code == 1, res
    assert "connection refused" in res.stdout and "doctor FAILED" in res.stdout + res.stderr
    assert "Traceback" not in res.stderr

    res = revka_proc("--config", str(config), "doctor", "models", "--json", timeout=TIMEOUT)
    assert res.exit_code == 1, res
    (prov,) = load_json(res.stdout)["providers"]
    assert (prov["status"], prov["exit_code"]) == ("fail", 6)  # 6: cannot connect
    checks = {c["name"]: c for c in prov["checks"]}
    assert checks["connect"]["status"] == "fail"
    assert checks["connect"]["detail"] == f"connection refused by 127.0.0.1:{port}"
    assert checks["connect"]["hint"]
    assert checks["auth"]["status"] == checks["model"]["status"] == "skip"


def test_doctor_models_warns_on_a_model_the_server_does_not_list(llama_server, revka_proc,
                                                                 tmp_path):
    """llama-server answers chat for any model name, but /v1/models lists only its own: an
    unlisted name is a warning naming the served model (README: model names the server does not
    list), and fails under --strict."""
    config = provider_config(tmp_path, llama_server.base_url, "no-such-model",
                             providers=("llamacpp",))
    res = revka_proc("--config", str(config), "doctor", "models", "--json", timeout=TIMEOUT)
    assert res.exit_code == 0, res
    (prov,) = load_json(res.stdout)["providers"]
    assert (prov["status"], prov["exit_code"], prov["model"]) == ("warn", 0, "no-such-model")
    checks = {c["name"]: c for c in prov["checks"]}
    assert checks["connect"]["status"] == checks["auth"]["status"] == "ok"
    assert checks["model"]["status"] == "warn"
    assert "'no-such-model' is not listed" in checks["model"]["detail"]
    assert f"its one model '{llama_server.model}'" in checks["model"]["detail"]
    res = revka_proc("--config", str(config), "doctor", "models", "--strict", timeout=TIMEOUT)
    assert res.exit_code == 1, res


def test_doctor_models_one_good_one_bad_and_allow_fail(llama_server, revka_proc, tmp_path):
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model,
                             providers=("llamacpp",),
                             extra=f'[providers.vllm]\napi_url = "http://127.0.0.1:{closed_port()}/v1"\n'
                                   f'default_model = "{llama_server.model}"')
    args = ("--config", str(config), "doctor", "models", "-p", "llamacpp", "-p", "vllm", "--json")
    res = revka_proc(*args, timeout=TIMEOUT)
    assert res.exit_code == 1, res
    by_id = {p["provider"]: p for p in load_json(res.stdout)["providers"]}
    assert (by_id["llamacpp"]["status"], by_id["vllm"]["exit_code"]) == ("ok", 6)

    res = revka_proc(*args, "--allow-fail", "vllm", timeout=TIMEOUT)
    assert res.exit_code == 0, res
    by_id = {p["provider"]: p for p in load_json(res.stdout)["providers"]}
    assert by_id["vllm"]["status"] == "fail" and by_id["vllm"]["allow_fail"] is True
