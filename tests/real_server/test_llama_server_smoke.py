"""The real llama-server answers as the rest of the suite expects, and the helper CLI behaves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "llama_server.py"


@pytest.mark.real_server
def test_health_is_ok(llama_server):
    resp = httpx.get(f"{llama_server.base_url}/health", timeout=10)
    assert resp.status_code == 200
    assert resp.json().get("status") == "ok"


@pytest.mark.real_server
def test_models_lists_the_model_with_meta(llama_server):
    resp = httpx.get(f"{llama_server.base_url}/v1/models", timeout=10)
    assert resp.status_code == 200
    data = resp.json()["data"]
    ids = [m["id"] for m in data]
    assert llama_server.model in ids
    meta = data[ids.index(llama_server.model)]["meta"]
    assert meta["n_ctx_train"] > 0
    assert meta["n_params"] > 100_000_000  # SmolLM2-135M: 134.5M parameters


@pytest.mark.real_server
def test_tiny_chat_completion(llama_server):
    resp = httpx.post(
        f"{llama_server.base_url}/v1/chat/completions",
        json={"model": llama_server.model, "max_tokens": 8,
              "messages": [{"role": "user", "content": "Say hello."}]},
        timeout=120,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    choice = body["choices"][0]
    assert choice["finish_reason"] in {"stop", "length"}
    assert choice["message"]["role"] == "assistant"
    assert isinstance(choice["message"]["content"], str)
    assert 0 < body["usage"]["completion_tokens"] <= 8


@pytest.mark.real_server
def test_the_binary_has_no_avx512_or_amx_instructions(llama_server):
    """The portable build's promise, read off the machine code: no AVX-512 register or AMX tile
    instruction anywhere (they are what made the native build die with SIGILL), AVX2 in use."""
    import platform
    import shutil

    if platform.machine() != "x86_64":
        pytest.skip("an x86-64 check")
    assert shutil.which("objdump"), "objdump (binutils) comes with the C toolchain the build needs"
    proc = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(llama_server.binary)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-500:]
    import re

    forbidden = re.findall(r"%zmm\d+|\btile(?:zero|loadd|stored|release)\b|\btdp\w+", proc.stdout)
    assert forbidden == [], sorted(set(forbidden))[:10]
    assert "%ymm" in proc.stdout  # the AVX2 kernels are there


def _script_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"LLAMA_SERVER", "REVKA_DEV_CACHE"}}
    env["REVKA_DEV_CACHE"] = str(tmp_path / "bogus-cache")
    env.update(extra)
    return env


def test_path_exits_1_when_nothing_is_cached(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), "path"], capture_output=True, text=True,
                          env=_script_env(tmp_path), timeout=60)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "not provisioned" in proc.stderr
    assert not (tmp_path / "bogus-cache" / "llama-server").exists()  # looked, built nothing


def test_path_exits_1_when_llama_server_env_points_nowhere(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), "path"], capture_output=True, text=True,
                          env=_script_env(tmp_path, LLAMA_SERVER=str(tmp_path / "nope")), timeout=60)
    assert proc.returncode == 1
    assert "LLAMA_SERVER" in proc.stderr
