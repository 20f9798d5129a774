"""Structured output and request options per batch item (issue 16 in batch): "schema" /
"json_object" / "options" in the simple form, "response_format" and extra body keys in the OpenAI
form, checked before any request and validated per item as chat --schema does."""

from __future__ import annotations

import json

from tests.batch.batchkit import PATH, by_id, config_for, read_records, write_jsonl
from tests.servers import Reply

SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def answers(*texts: str):
    pending = list(texts)

    def handle(rec):
        text = pending.pop(0) if len(pending) > 1 else pending[0]
        return Reply.json({"choices": [{"index": 0, "message": {"role": "assistant",
                                                                "content": text},
                                        "finish_reason": "stop"}]})
    return handle


def test_a_simple_item_schema_is_sent_validated_and_parsed(server, revka, write_config, tmp_path):
    server.route("POST", PATH, answers('{"n": 3}'))
    config_for(write_config, server.url)
    src = write_jsonl(tmp_path / "in.jsonl", [{"custom_id": "a", "prompt": "three", "schema": SCHEMA,
                                              "options": {"top_k": 40, "seed": 5}}])
    out = tmp_path / "out.jsonl"
    res = revka("batch", str(src), "-o", str(out), "--format", "results")
    assert res.exit_code == 0, res.stderr
    sent = server.requests[0].json()
    assert sent["response_format"]["json_schema"]["schema"] == SCHEMA
    assert (sent["top_k"], sent["seed"]) == (40, 5)
    (rec,) = read_records(out)
    assert rec["parsed"] == {"n": 3} and rec["error"] is None


def test_an_openai_item_that_does_not_match_is_a_failed_record(server, revka, write_config,
                                                              tmp_path):
    server.route("POST", PATH, answers('{"n": "three"}', '{"n": 1}'))
    config_for(write_config, server.url)
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": SCHEMA}}
    rows = [{"custom_id": cid, "method": "POST", "url": "/v1/chat/completions", "body": {
        "model": "m", "messages": [{"role": "user", "content": cid}], "response_format": fmt,
        "min_p": 0.05}} for cid in ("bad", "good")]
    out = tmp_path / "out.jsonl"
    res = revka("batch", str(write_jsonl(tmp_path / "in.jsonl", rows)), "-o", str(out), "-c", "1")
    assert res.exit_code == 1, res.stderr
    records = by_id(read_records(out))
    assert records["bad"]["error"]["code"] == "AnswerMismatch"
    assert records["bad"]["error"]["exit_code"] == 8 and "at /n" in records["bad"]["error"]["message"]
    assert records["good"]["error"] is None
    assert all(r.json()["min_p"] == 0.05 for r in server.requests)  # extra body keys pass through


def test_json_object_items_and_bad_lines_are_refused_before_any_request(server, revka,
                                                                        write_config, tmp_path):
    server.route("POST", PATH, answers('{"ok": true}'))
    config_for(write_config, server.url)
    good = write_jsonl(tmp_path / "good.jsonl", [{"prompt": "x", "json_object": True}])
    assert revka("batch", str(good), "-o", str(tmp_path / "o.jsonl")).exit_code == 0
    assert server.requests[0].json()["response_format"] == {"type": "json_object"}
    for bad in ({"prompt": "x", "schema": {"type": "nonsense"}},
                {"prompt": "x", "options": {"model": "other"}},
                {"prompt": "x", "schema": SCHEMA, "json_object": True}):
        path = write_jsonl(tmp_path / "bad.jsonl", [bad])
        res = revka("batch", str(path), "-o", str(tmp_path / "b.jsonl"))
        assert res.exit_code == 2, (bad, res.stderr)
    assert len(server.requests) == 1
