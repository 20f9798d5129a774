"""scripts/demo end to end: it starts its own real llama-server (reusing the cached build), runs
`revka doctor models`, a streamed `revka chat` and a `revka chat --schema`, and cleans up, also on
Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "scripts" / "demo"
CAPITAL = "What is the capital of France? Answer in one word."


def demo_env(llama_server, tmp_path: Path) -> dict[str, str]:
    """Point the demo at the session's cached build and model (the isolated HOME hides the usual
    cache), and its temporary folder at tmp_path so cleanup can be checked."""
    env = dict(os.environ)
    env["LLAMA_SERVER"] = str(llama_server.binary)
    env["REVKA_DEV_CACHE"] = str(llama_server.model_path.parents[2])  # <cache>/models/<pkg>/<gguf>
    env["TMPDIR"] = str(tmp_path)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def port_is_closed(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def served_port(stdout: str) -> int:
    match = re.search(r"serving '[^']+' at http://127\.0\.0\.1:(\d+)", stdout)
    assert match, stdout
    return int(match.group(1))


@pytest.mark.real_server
def test_demo_runs_doctor_and_a_streamed_chat(llama_server, tmp_path):
    """The README's own example: the demo answers the question, with "Paris" in its sentence."""
    proc = subprocess.run([str(DEMO), CAPITAL], cwd=REPO, env=demo_env(llama_server, tmp_path),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    out, err = proc.stdout, proc.stderr
    assert proc.returncode == 0, f"stdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in err
    # revka doctor models: healthy
    assert "$ revka --config" in out and " doctor models" in out
    assert f"serves '{llama_server.model}'" in out and "doctor passed" in out
    # revka chat: a streamed answer right after its command line
    chat = out.split(" chat --temperature 0 --max-tokens ", 1)[1].split("\n", 1)[1]
    answer = chat.split("==> [5/5]", 1)[0]
    assert "paris" in answer.lower(), out
    # revka chat --schema: one line of JSON that has the schema's keys
    structured = out.rsplit(" --schema ", 1)[1].split("\n", 1)[1].splitlines()[0]  # its command line
    assert set(json.loads(structured)) == {"city", "population_millions", "continent"}, out
    assert "demo OK" in out
    # cleaned up: the server is gone and so is the throwaway config
    assert "stopped the server" in out and port_is_closed(served_port(out))
    assert list(tmp_path.glob("revka-demo-*")) == []


@pytest.mark.real_server
def test_demo_cleans_up_on_ctrl_c(llama_server, tmp_path):
    # its own process group, like a terminal's foreground job: Ctrl-C reaches the demo and revka
    proc = subprocess.Popen([str(DEMO)], cwd=REPO, env=demo_env(llama_server, tmp_path),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        seen = []
        deadline = time.monotonic() + 120
        for line in proc.stdout:  # wait until the server is up
            seen.append(line)
            if "serving '" in line or time.monotonic() > deadline:
                break
        port = served_port("".join(seen))
        assert not port_is_closed(port)
        os.killpg(proc.pid, signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    out = "".join(seen) + rest
    assert proc.returncode == 130, f"stdout:\n{out}\nstderr:\n{err}"
    assert "interrupted" in err and "Traceback" not in err
    assert "stopped the server" in out and port_is_closed(port)
    assert list(tmp_path.glob("revka-demo-*")) == []


def test_demo_explains_missing_build_tools(tmp_path):
    """Nothing cached and no compiler: a clear message and exit 1, nothing built (no server)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)  # only python3 on PATH: no cmake, no cc
    env = {k: v for k, v in os.environ.items() if k not in {"LLAMA_SERVER", "VIRTUAL_ENV"}}
    env.update(PATH=str(bin_dir), REVKA_DEV_CACHE=str(tmp_path / "empty-cache"), TMPDIR=str(tmp_path))
    proc = subprocess.run([str(DEMO)], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc
    assert "cannot build llama-server: missing build tools: cmake" in proc.stderr
    assert "LLAMA_SERVER" in proc.stderr  # the way out
    assert not (tmp_path / "empty-cache" / "llama-server").exists()
    assert shutil.which("cmake", path=str(bin_dir)) is None
