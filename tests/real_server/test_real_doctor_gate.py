"""`revka doctor models` as a readiness and SLO gate against the real llama-server (issue 17):
--wait right after a start, --chat with --max-ttft, and a declared window larger than served."""

from __future__ import annotations

import re
import subprocess
import threading
import time

import httpx
import pytest

from tests.real_server.realkit import TIMEOUT, load_json, provider_config, write_config
from tests.scriptkit import load_llama_server

pytestmark = pytest.mark.real_server


def _first_healthy(base_url: str, stop: threading.Event, seen: dict) -> None:
    """Poll /health every 0.1 s; note when it first answered 200."""
    while not stop.is_set():
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                seen.setdefault("ready_at", time.monotonic())
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)


@pytest.fixture
def fresh_server(llama_server, tmp_path):
    """A second llama-server on its own port, started now and NOT waited for (the session one is
    long ready). One slot, -c 2048: it loads the same 93 MB model in a few seconds."""
    load_llama_server()  # puts scripts/ on sys.path
    import llama_process

    port = llama_process.free_port()
    spec = llama_process.LlamaServer(llama_server.binary, llama_server.model_path,
                                     alias=llama_server.model, ctx=2048, parallel=1)
    log = open(tmp_path / "fresh-server.log", "wb")
    proc = subprocess.Popen(spec.command(port), stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, env=llama_process.server_env(
                                llama_server.binary), start_new_session=True)
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_wait_right_after_start_ends_when_the_server_is_ready(fresh_server, llama_server,
                                                              revka_proc, tmp_path):
    base_url, proc = fresh_server
    config = provider_config(tmp_path, base_url, llama_server.model, providers=("llamacpp",))
    stop, seen = threading.Event(), {}
    watcher = threading.Thread(target=_first_healthy, args=(base_url, stop, seen), daemon=True)
    watcher.start()
    started = time.monotonic()
    res = revka_proc("--config", str(config), "doctor", "models", "--wait", "120", "--json",
                     "--no-cache-write", timeout=TIMEOUT)
    ended = time.monotonic()
    stop.set()
    assert proc.poll() is None, "the fresh llama-server exited"
    assert res.exit_code == 0, res
    doc = load_json(res.stdout)
    (prov,) = doc["providers"]
    assert prov["readiness"] == "ready" and prov["status"] == "ok", prov
    assert doc["wait"]["seconds"] == 120 and doc["wait"]["polls"] >= 1
    # before ready, doctor saw it loading (or not listening yet); each poll printed a line
    states = re.findall(r"llamacpp (\w+)", res.stderr)
    assert set(states) <= {"loading", "unreachable"}, res.stderr
    assert len(states) == doc["wait"]["polls"] - 1
    print(f"\n[doctor --wait] polls {doc['wait']['polls']}, states {states}, "
          f"took {ended - started:.1f} s")
    # the wait ended when the server was ready: within one backoff step (<= 4 s) and a probe
    assert ended - started < 120
    watcher.join(timeout=5)
    if "ready_at" in seen:
        assert ended - seen["ready_at"] < 10, f"doctor ended {ended - seen['ready_at']:.1f} s " \
            "after /health first said ok"


def test_chat_with_max_ttft_passes_and_reports_the_figures(llama_server, revka_proc, tmp_path):
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model,
                             providers=("llamacpp",))
    res = revka_proc("--config", str(config), "doctor", "models", "--chat", "--max-ttft", "30",
                     "--json", "--timeout", "120", timeout=TIMEOUT)
    assert res.exit_code == 0, res
    (prov,) = load_json(res.stdout)["providers"]
    figures = prov["figures"]
    assert prov["readiness"] == "ready"
    assert 0 < figures["ttft_ms"] < 30_000
    assert figures["usage_reported"] is True and 1 <= figures["completion_tokens"] <= 16
    assert figures["finish_reason"] in ("stop", "length")
    if figures["completion_tokens"] > 1:
        assert figures["tokens_per_s"] > 0
    chat = next(c for c in prov["checks"] if c["name"] == "chat")
    assert chat["status"] == "ok" and "usage reported" in chat["detail"]
    print(f"\n[doctor --chat] TTFT {figures['ttft_ms']:.0f} ms, "
          f"{figures['tokens_per_s']} tokens/s over {figures['completion_tokens']} tokens, "
          f"finish {figures['finish_reason']}")


def test_an_impossible_max_ttft_fails_with_the_figure(llama_server, revka_proc, tmp_path):
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model,
                             providers=("llamacpp",))
    res = revka_proc("--config", str(config), "doctor", "models", "--chat", "--max-ttft",
                     "0.000001", "--json", "--timeout", "120", timeout=TIMEOUT)
    assert res.exit_code == 1, res
    (prov,) = load_json(res.stdout)["providers"]
    chat = next(c for c in prov["checks"] if c["name"] == "chat")
    assert chat["status"] == "fail"
    assert re.match(r"time to first token \d+\.\d{3} s is over --max-ttft 0\.000001 s",
                    chat["detail"]), chat


def test_a_declared_window_larger_than_served_warns(llama_server, revka_proc, tmp_path):
    """-c 8192 over --parallel 4: each slot serves 2048 tokens, less than the 32768 declared."""
    assert llama_server.slot_ctx < 32768
    config = write_config(tmp_path, f'[models.custom]\nurl = "{llama_server.base_url}/v1"\n'
                          f'available_models = {{ "{llama_server.model}" = 32768 }}\n')
    res = revka_proc("--config", str(config), "doctor", "models", "-p", "custom", "--json",
                     timeout=TIMEOUT)
    assert res.exit_code == 0, res
    (prov,) = load_json(res.stdout)["providers"]
    context = next(c for c in prov["checks"] if c["name"] == "context")
    assert context["status"] == "warn", context
    assert (f"models.custom.available_models '{llama_server.model}' 32768 larger than the "
            f"{llama_server.slot_ctx} tokens served") in context["detail"]
    res = revka_proc("--config", str(config), "doctor", "models", "-p", "custom", "--strict",
                     timeout=TIMEOUT)
    assert res.exit_code == 1, res

    # the llamacpp provider: /props n_ctx, one slot's share, against provider_max_tokens
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model,
                             providers=("llamacpp",), extra="provider_max_tokens = 32768")
    res = revka_proc("--config", str(config), "doctor", "models", "--json", "--no-cache-write",
                     timeout=TIMEOUT)
    (prov,) = load_json(res.stdout)["providers"]
    context = next(c for c in prov["checks"] if c["name"] == "context")
    assert context["status"] == "warn", context
    assert (f"provider_max_tokens 32768 larger than the {llama_server.slot_ctx} tokens served "
            "(/props n_ctx, per slot of 4)") in context["detail"]
