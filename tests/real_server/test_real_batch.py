"""`revka batch` against the real llama-server (--parallel 4): the default concurrency comes from
its /props, both output forms carry real answers, and a rerun sends nothing new."""

from __future__ import annotations

import json

import pytest

from tests.real_server.realkit import MAX_TOKENS, TIMEOUT, provider_config

pytestmark = pytest.mark.real_server

PROMPTS = ["Say hello.", "Name a colour.", "Count to three.", "Name a fruit.", "Say goodbye."]


def test_batch_against_the_real_server(llama_server, revka_proc, tmp_path):
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"custom_id": f"p{i}", "prompt": p}) + "\n"
                           for i, p in enumerate(PROMPTS)))
    out, summary = tmp_path / "out.jsonl", tmp_path / "summary.json"
    args = ("--config", str(config), "batch", str(src), "-o", str(out), "--temperature", "0",
            "--max-tokens", str(MAX_TOKENS), "--summary-json", str(summary))
    res = revka_proc(*args, timeout=TIMEOUT)
    assert res.exit_code == 0, res
    facts = json.loads(summary.read_text())
    assert facts["concurrency"] == 4  # llama-server's /props total_slots (--parallel 4)
    assert facts["ok"] == len(PROMPTS) and facts["output_tokens"] > 0
    records = {r["custom_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(records) == {f"p{i}" for i in range(len(PROMPTS))}
    for record in records.values():
        assert record["error"] is None and record["response"]["status_code"] == 200
        body = record["response"]["body"]
        assert body["choices"][0]["message"]["content"].strip()
        assert body["choices"][0]["finish_reason"] in {"stop", "length"}
        assert body["usage"]["completion_tokens"] > 0
    again = revka_proc(*args, timeout=TIMEOUT)
    assert again.exit_code == 0 and f"0 ok, 0 failed, {len(PROMPTS)} already done" in again.stderr
    results = tmp_path / "results.jsonl"
    res = revka_proc("--config", str(config), "batch", str(src), "-o", str(results), "--format",
                     "results", "--temperature", "0", "--max-tokens", str(MAX_TOKENS),
                     timeout=TIMEOUT)
    assert res.exit_code == 0, res
    docs = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(d["index"] for d in docs) == list(range(len(PROMPTS)))
    assert all(d["text"].strip() and d["model"] == llama_server.model for d in docs)
