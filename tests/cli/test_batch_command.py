"""`revka batch` end to end in-process, against loopback servers: input and output forms,
duplicates, failures, resume, several endpoints, the default concurrency."""

from __future__ import annotations

import json

from tests.batch.batchkit import (PATH, answer_of, by_id, config_for, echo_handler, read_records,
                                  simple_rows, write_jsonl)
from tests.servers import FakeServer, Reply, closed_port


def run_batch(revka, *args, input=None):
    return revka("batch", *args, input=input)


def test_simple_form_to_openai_batch_output(server, revka, write_config, tmp_path):
    server.route("POST", PATH, echo_handler())
    config_for(write_config, server.url)
    src = write_jsonl(tmp_path / "in.jsonl", simple_rows(5) + [{"prompt": "no id"}])
    out = tmp_path / "out.jsonl"
    res = run_batch(revka, str(src), "-o", str(out), "-c", "3")
    assert res.exit_code == 0, res
    records = by_id(read_records(out))
    assert set(records) == {"id-0", "id-1", "id-2", "id-3", "id-4", "6"}  # line 6 has no id
    rec = records["id-3"]
    assert rec["id"].startswith("batch_req_") and rec["error"] is None
    assert rec["response"]["status_code"] == 200
    body = rec["response"]["body"]
    assert body["object"] == "chat.completion" and body["model"] == "m"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "echo: prompt 3"}
    assert body["usage"]["completion_tokens"] == 3
    assert "6 ok, 0 failed" in res.stderr and "latency p50" in res.stderr


def test_openai_request_form_sends_system_model_options_and_history(server, revka, write_config,
                                                                    tmp_path):
    server.route("POST", PATH, echo_handler())
    config_for(write_config, server.url)
    line = {"custom_id": "q", "method": "POST", "url": "/v1/chat/completions", "body": {
        "model": "served-model", "max_tokens": 11, "temperature": 0.2, "seed": 99, "messages": [
            {"role": "system", "content": "be terse"}, {"role": "user", "content": "one"},
            {"role": "assistant", "content": "two"}, {"role": "user", "content": "three"}]}}
    src = write_jsonl(tmp_path / "in.jsonl", [line])
    res = run_batch(revka, str(src), "-o", str(tmp_path / "o.jsonl"), "--format", "results")
    assert res.exit_code == 0, res
    sent = server.requests[0].json()
    assert sent["model"] == "served-model" and sent["max_tokens"] == 11
    assert sent["temperature"] == 0.2 and sent["seed"] == 99
    assert [m["role"] for m in sent["messages"]] == ["system", "user", "assistant", "user"]
    assert sent["messages"][0]["content"] == "be terse"
    (rec,) = read_records(tmp_path / "o.jsonl")
    assert (rec["custom_id"], rec["index"], rec["text"]) == ("q", 0, "echo: three")
    assert rec["provider"] == "vllm" and rec["model"] == "served-model"
    assert rec["usage"]["total_tokens"] == 8 and rec["error"] is None and rec["latency"]["total_s"]


def test_command_line_model_overrides_the_lines_model(server, revka, write_config, tmp_path):
    server.route("POST", PATH, echo_handler())
    config_for(write_config, server.url)
    src = write_jsonl(tmp_path / "in.jsonl", [{"prompt": "x", "model": "gpt-4o-mini"}])
    res = run_batch(revka, str(src), "-o", str(tmp_path / "o.jsonl"), "-m", "local", "--seed", "3")
    assert res.exit_code == 0, res
    assert server.requests[0].json()["model"] == "local"
    assert server.requests[0].json()["seed"] == 3


def test_plain_lines_from_stdin_to_stdout(server, revka, write_config):
    server.route("POST", PATH, echo_handler())
    config_for(write_config, server.url)
    res = run_batch(revka, "-", "--lines", "--stream", input="alpha\n\nbeta\n")
    assert res.exit_code == 0, res
    records = by_id([json.loads(line) for line in res.stdout.splitlines()])
    assert {k: answer_of(v) for k, v in records.items()} == {"1": "echo: alpha", "3": "echo: beta"}
    assert all(r.json()["stream"] is True for r in server.requests)


def test_duplicate_ids_are_a_usage_error_before_any_request(server, revka, write_config, tmp_path):
    server.route("POST", PATH, echo_handler())
    config_for(write_config, server.url)
    rows = simple_rows(3) + [{"prompt": "x", "custom_id": "id-1"}]
    res = run_batch(revka, str(write_jsonl(tmp_path / "in.jsonl", rows)), "-o",
                    str(tmp_path / "o.jsonl"))
    assert res.exit_code == 2
    assert "duplicate custom_id 'id-1' on input lines 2, 4" in res.stderr
    assert server.requests == [] and not (tmp_path / "o.jsonl").exists()
    # an explicit id equal to a defaulted line number collides as well
    rows = [{"prompt": "a"}, {"prompt": "b", "custom_id": "1"}]
    res = run_batch(revka, str(write_jsonl(tmp_path / "in2.jsonl", rows)))
    assert res.exit_code == 2 and "duplicate custom_id '1'" in res.stderr


def test_a_bad_line_anywhere_stops_before_any_request(server, revka, write_config, tmp_path):
    server.route("POST", PATH, echo_handler())
    config_for(write_config, server.url)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"prompt": "fine"}) + "\n{oops\n")
    res = run_batch(revka, str(src))
    assert res.exit_code == 2 and "input line 2: not valid JSON" in res.stderr
    assert server.requests == []


def test_failures_are_recorded_and_a_rerun_retries_only_them(server, revka, write_config,
                                                             tmp_path):
    server.route("POST", PATH, echo_handler(fail_when=lambda b: "3" in b["messages"][-1]["content"]))
    config_for(write_config, server.url)
    src = write_jsonl(tmp_path / "in.jsonl", simple_rows(5))
    out, summary = tmp_path / "o.jsonl", tmp_path / "summary.json"
    res = run_batch(revka, str(src), "-o", str(out), "--summary-json", str(summary))
    assert res.exit_code == 1, res
    bad = by_id(read_records(out))["id-3"]
    assert bad["response"] is None and bad["error"]["code"] == "ProviderError"
    assert "no such thing" in bad["error"]["message"]
    facts = json.loads(summary.read_text())
    assert (facts["ok"], facts["failed"], facts["items"]) == (4, 1, 5)
    assert facts["errors"] == {"ProviderError": 1} and facts["endpoints"][0]["failed"] == 1
    server.route("POST", PATH, echo_handler())  # the server is fixed
    before = len(server.requests)
    res = run_batch(revka, str(src), "-o", str(out))
    assert res.exit_code == 0, res
    assert len(server.requests) - before == 1  # only the failed item is sent again
    records = read_records(out)
    assert len(records) == 5 and all(r["error"] is None for r in records)
    assert "1 ok, 0 failed, 4 already done" in res.stderr


def test_restart_starts_over(server, revka, write_config, tmp_path):
    server.route("POST", PATH, echo_handler())
    config_for(write_config, server.url)
    src, out = write_jsonl(tmp_path / "in.jsonl", simple_rows(3)), tmp_path / "o.jsonl"
    assert run_batch(revka, str(src), "-o", str(out)).exit_code == 0
    assert run_batch(revka, str(src), "-o", str(out), "--restart").exit_code == 0
    assert len(server.requests) == 6 and len(read_records(out)) == 3


def test_several_endpoints_one_dead(revka, write_config, tmp_path):
    dead = f"http://127.0.0.1:{closed_port()}"
    with FakeServer() as one, FakeServer() as two:
        one.route("POST", PATH, echo_handler(delay=0.02))
        two.route("POST", PATH, echo_handler(delay=0.02))
        config_for(write_config, one.url, dead, two.url)
        src, out = write_jsonl(tmp_path / "in.jsonl", simple_rows(40)), tmp_path / "o.jsonl"
        summary = tmp_path / "s.json"
        res = run_batch(revka, str(src), "-o", str(out), "-p", "vllm", "-p", "sglang", "-p",
                        "lmstudio", "-c", "6", "--summary-json", str(summary))
        assert res.exit_code == 0, res
        assert len(one.requests) >= 10 and len(two.requests) >= 10  # both kept busy
    records = read_records(out)
    assert len(records) == 40 and all(r["error"] is None for r in records)
    endpoints = {e["endpoint"]: e for e in json.loads(summary.read_text())["endpoints"]}
    assert endpoints["sglang/m"]["out_of_rotation"] and endpoints["sglang/m"]["ok"] == 0
    assert endpoints["vllm/m"]["ok"] + endpoints["lmstudio/m"]["ok"] == 40
    assert "endpoint sglang/m: 0 ok" in res.stderr and "(out of rotation)" in res.stderr


def test_every_endpoint_dead_stops_early_and_resumes_later(revka, write_config, tmp_path):
    config_for(write_config, f"http://127.0.0.1:{closed_port()}")
    src, out = write_jsonl(tmp_path / "in.jsonl", simple_rows(30)), tmp_path / "o.jsonl"
    res = run_batch(revka, str(src), "-o", str(out), "-c", "2")
    assert res.exit_code == 1 and "stopped early" in res.stderr
    records = read_records(out)
    assert 5 <= len(records) < 30 and all(r["error"]["code"] == "ConnectError" for r in records)


def test_default_concurrency_comes_from_llama_cpp_props(server, revka, write_config, tmp_path):
    server.route("GET", "/props", Reply.json({"total_slots": 3}))
    server.route("POST", PATH, echo_handler())
    write_config(f'default_provider = "llamacpp"\ndefault_model = "m"\n'
                 f'[providers.llamacpp]\napi_url = "{server.url}/v1"\n')
    summary = tmp_path / "s.json"
    res = run_batch(revka, str(write_jsonl(tmp_path / "in.jsonl", simple_rows(2))),
                    "--summary-json", str(summary), "-o", str(tmp_path / "o.jsonl"))
    assert res.exit_code == 0, res
    assert json.loads(summary.read_text())["concurrency"] == 3
    config_for(write_config, server.url)  # vllm: no /props asked, the documented 4
    res = run_batch(revka, str(write_jsonl(tmp_path / "in2.jsonl", simple_rows(2))),
                    "--summary-json", str(summary))
    assert json.loads(summary.read_text())["concurrency"] == 4


def test_bad_format_and_restart_without_output(revka, write_config, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", simple_rows(1))
    assert run_batch(revka, str(src), "--format", "csv").exit_code == 2
    assert run_batch(revka, str(src), "--restart").exit_code == 2
    config_for(write_config, "http://127.0.0.1:9")
    res = run_batch(revka, str(tmp_path / "missing.jsonl"))
    assert res.exit_code == 2 and "input file not found" in res.stderr


def test_status_lines_when_stderr_is_not_a_terminal_and_none_with_quiet(server, revka,
                                                                         write_config, tmp_path,
                                                                         monkeypatch):
    from revka_cli.cli.commands import batch_progress

    monkeypatch.setattr(batch_progress, "STATUS_SECS", 0.05)
    server.route("POST", PATH, echo_handler(delay=0.05))
    config_for(write_config, server.url)
    src = write_jsonl(tmp_path / "in.jsonl", simple_rows(12))
    res = run_batch(revka, str(src), "-o", str(tmp_path / "a.jsonl"), "-c", "2")
    assert res.exit_code == 0, res
    status = [line for line in res.stderr.splitlines() if " in flight of 12; " in line]
    assert status and "items/s" in status[0] and "tokens/s" in status[0]
    res = revka("-q", "batch", str(src), "-o", str(tmp_path / "b.jsonl"), "-c", "2")
    assert res.exit_code == 0 and res.stderr == ""


def test_lines_naming_their_own_provider_and_model_without_flags(revka, write_config, tmp_path):
    with FakeServer() as one, FakeServer() as two:
        one.route("POST", PATH, echo_handler())
        two.route("POST", PATH, echo_handler())
        config_for(write_config, one.url, two.url)
        rows = [{"custom_id": "a", "prompt": "to the default"},
                {"custom_id": "b", "prompt": "to sglang", "provider": "sglang", "model": "big"},
                {"custom_id": "c", "prompt": "other model", "model": "small"}]
        src = write_jsonl(tmp_path / "in.jsonl", rows)
        res = run_batch(revka, str(src), "-o", str(tmp_path / "o.jsonl"), "--format", "results")
        assert res.exit_code == 0, res
        assert sorted(r.json()["model"] for r in one.requests) == ["m", "small"]
        assert [r.json()["model"] for r in two.requests] == ["big"]
    records = by_id(read_records(tmp_path / "o.jsonl"))
    assert records["b"]["provider"] == "sglang" and records["c"]["model"] == "small"


def test_an_image_path_in_the_simple_form_is_sent(server, revka, write_config, tmp_path):
    import base64

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
                           "hgGAWjR9awAAAABJRU5ErkJggg==")
    (tmp_path / "dot.png").write_bytes(png)
    server.route("POST", PATH, Reply.json({"choices": [{"index": 0, "finish_reason": "stop",
                                                        "message": {"role": "assistant",
                                                                    "content": "a dot"}}]}))
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "vis"\n')
    src = write_jsonl(tmp_path / "in.jsonl", [{"prompt": "what is it?",
                                               "images": [str(tmp_path / "dot.png")]}])
    res = run_batch(revka, str(src), "-o", str(tmp_path / "o.jsonl"))
    assert res.exit_code == 0, res
    parts = server.requests[0].json()["messages"][-1]["content"]
    assert any(p.get("type") == "image_url" and p["image_url"]["url"].startswith(
        "data:image/png;base64,") for p in parts)


def test_an_api_key_cmd_runs_once_for_the_whole_batch(server, revka, write_config, tmp_path):
    import sys

    server.route("POST", PATH, echo_handler())
    runs = tmp_path / "runs"
    script = tmp_path / "key.py"
    script.write_text(f"open({str(runs)!r}, 'a').write('x'); print('sk-from-the-manager')\n")
    config_for(write_config, server.url).write_text(
        f'default_provider = "vllm"\ndefault_model = "m"\n[providers.vllm]\n'
        f'api_url = "{server.url}/v1"\napi_key_cmd = ["{sys.executable}", "{script}"]\n')
    src = write_jsonl(tmp_path / "in.jsonl", simple_rows(12))
    res = run_batch(revka, str(src), "-o", str(tmp_path / "out.jsonl"), "-c", "4")
    assert res.exit_code == 0, res
    assert runs.read_text() == "x"  # once, not once per item
    assert {r.headers.get("authorization") for r in server.requests} == {"Bearer sk-from-the-manager"}
