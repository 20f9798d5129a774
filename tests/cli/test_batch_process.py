"""`revka batch` as the installed command in its own process: kill -9 at random moments then
resume (no record lost or doubled), Ctrl-C (SIGINT) with its grace period, a torn last line."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batch.batchkit import PATH, answer_of, config_for, echo_handler, read_records, write_jsonl

REVKA = str(Path(sys.executable).parent / "revka")


def start(config: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([REVKA, "--config", str(config), "batch", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)


def openai_rows(n):
    return [{"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions",
             "body": {"model": "m", "messages": [{"role": "user", "content": f"prompt {i}"}]}}
            for i in range(n)]


def simple_rows_(n):
    return [{"custom_id": f"r{i}", "prompt": f"prompt {i}"} for i in range(n)]


def assert_exactly_once(out: Path, n: int) -> None:
    records = read_records(out)
    ids = [r["custom_id"] for r in records]
    assert len(ids) == len(set(ids)) == n, (len(ids), len(set(ids)))
    for record in records:
        assert answer_of(record) == "echo: prompt " + record["custom_id"][1:], record


@pytest.mark.parametrize("rows, fmt", [(simple_rows_, "openai"), (openai_rows, "results")],
                         ids=["simple-to-openai", "openai-to-results"])
def test_kill_9_at_random_moments_then_resume(server, write_config, tmp_path, rows, fmt):
    server.route("POST", PATH, echo_handler(delay=0.05))  # a whole run takes over 1.9 s
    config = config_for(write_config, server.url)
    n, seed = 300, int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    src, out = write_jsonl(tmp_path / "in.jsonl", rows(n)), tmp_path / "out.jsonl"
    for _ in range(3):
        proc = start(config, str(src), "-o", str(out), "--format", fmt, "-c", "8")
        time.sleep(rng.uniform(0.4, 1.6))  # start-up included: sometimes before any record
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        assert not out.exists() or len(out.read_text().splitlines()) < n, seed  # killed mid-run
    proc = start(config, str(src), "-o", str(out), "--format", fmt, "-c", "8")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, (seed, err.decode())
    assert_exactly_once(out, n)


def test_ctrl_c_stops_sending_lets_in_flight_finish_and_exits_130(server, write_config, tmp_path):
    server.route("POST", PATH, echo_handler(delay=0.4))
    config = config_for(write_config, server.url)
    src, out = write_jsonl(tmp_path / "in.jsonl", simple_rows_(60)), tmp_path / "out.jsonl"
    proc = start(config, str(src), "-o", str(out), "-c", "4")
    deadline = time.monotonic() + 30
    while (not out.exists() or not out.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)  # wait until some records are written
    sent_before = len(server.requests)
    proc.send_signal(signal.SIGINT)
    interrupted_at = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err.decode()
    assert time.monotonic() - interrupted_at < 5.0 + 2.0  # the grace period, and a margin
    assert len(server.requests) <= sent_before + 4  # nothing new after the signal (racing 4 at most)
    assert "interrupted; rerun with the same -o to resume" in err.decode()
    written = read_records(out)
    assert 0 < len(written) < 60 and all(r["error"] is None for r in written)
    assert len(written) >= sent_before - 4  # the in-flight items finished within the grace
    proc = start(config, str(src), "-o", str(out), "-c", "8")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert_exactly_once(out, 60)


def test_torn_last_line_is_redone(server, write_config, tmp_path):
    server.route("POST", PATH, echo_handler())
    config = config_for(write_config, server.url)
    src, out = write_jsonl(tmp_path / "in.jsonl", simple_rows_(4)), tmp_path / "out.jsonl"
    proc = start(config, str(src), "-o", str(out))
    proc.communicate(timeout=60)
    lines = out.read_text().splitlines(keepends=True)
    torn_id = json.loads(lines[-1])["custom_id"]
    out.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # kill -9 mid-write
    proc = start(config, str(src), "-o", str(out))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "last line was cut short" in err.decode()
    assert_exactly_once(out, 4)
    assert [r["custom_id"] for r in read_records(out)][-1] == torn_id
