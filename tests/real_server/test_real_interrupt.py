"""Ctrl-C in the middle of a long real generation: revka exits 130 without a traceback, and the
server cancels the generation and keeps serving."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time

import pytest

from tests.real_server.realkit import (MAX_TOKENS, TIMEOUT, assert_real_answer, health, load_json,
                                       provider_config, wait_until_idle)

pytestmark = pytest.mark.real_server


def wait_for_first_bytes(proc: subprocess.Popen, timeout: float) -> bytes:
    """The first bytes revka writes to stdout, or fail after `timeout` seconds."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        if not sel.select(timeout):
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"no output within {timeout}s; stdout={out!r} stderr={err!r}")
        return os.read(proc.stdout.fileno(), 4096)
    finally:
        sel.close()


def test_ctrl_c_during_a_long_generation(llama_server, revka_proc, tmp_path):
    # greedy decoding of this prompt repeats itself for thousands of tokens: turn off revka's loop
    # detection so the stream is still running when Ctrl-C arrives
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model,
                             extra="[pacing]\nloop_detection = false")
    cmd = [sys.executable, "-m", "revka_cli", "--config", str(config), "chat", "--max-tokens", "2000",
           "--temperature", "0", "Write a very long story about a dragon."]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dict(os.environ))
    try:
        first = wait_for_first_bytes(proc, timeout=TIMEOUT)
        assert first
        time.sleep(0.3)  # a few more tokens: interrupt mid-stream, not at the first byte
        assert proc.poll() is None, "the generation ended before Ctrl-C"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    stderr = err.decode("utf-8", "replace")
    assert proc.returncode == 130, stderr
    assert took < 10, f"revka took {took:.1f}s to stop"
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert (first + rest).strip()  # the partial answer stays on stdout

    # the server noticed the client went away, stopped generating, and still serves
    assert health(llama_server.base_url) == 200
    assert wait_until_idle(llama_server.base_url), "llama-server kept generating for a gone client"
    res = revka_proc("--config", str(config), "chat", "--json", "--temperature", "0",
                     "--max-tokens", str(MAX_TOKENS), "Say hello.", timeout=TIMEOUT)
    assert res.exit_code == 0, res
    assert_real_answer(load_json(res.stdout), provider="llamacpp", model=llama_server.model)
