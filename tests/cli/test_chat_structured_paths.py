"""Structured output through Anthropic's forced tool, on a real terminal (streamed, then
validated), and in the REPL (/schema, /option)."""

from __future__ import annotations

import json
import os

from tests.cli.chatkit import openai_text, sse
from tests.cli.test_chat_repl import read_until, repl_process
from tests.cli.test_terminal_safety import _run
from tests.servers import Reply

SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def _tool_answer(*pieces: str) -> bytes:
    """An Anthropic stream whose one content block is a tool_use of `answer`, input in pieces."""
    events = [("message_start", {"type": "message_start", "message": {
        "id": "m", "type": "message", "role": "assistant", "content": [], "model": "c",
        "usage": {"input_tokens": 5, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {
            "type": "tool_use", "id": "t1", "name": "answer", "input": {}}})]
    events += [("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {
        "type": "input_json_delta", "partial_json": p}}) for p in pieces]
    events += [("content_block_stop", {"type": "content_block_stop", "index": 0}),
               ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use"},
                                  "usage": {"output_tokens": 6}}),
               ("message_stop", {"type": "message_stop"})]
    return b"".join(f"event: {n}\ndata: {json.dumps(o)}\n\n".encode() for n, o in events)


def _anthropic(server, write_config, *pieces):
    server.route("POST", "/v1/messages", Reply.sse(_tool_answer(*pieces)))
    write_config(f'default_provider = "anthropic-custom:{server.url}"\ndefault_model = "c"\n')


def test_anthropic_schema_is_one_forced_tool_and_its_input_is_the_answer(server, revka,
                                                                          write_config):
    _anthropic(server, write_config, '{"n": ', "7}")
    res = revka("chat", "--json", "--schema", json.dumps(SCHEMA), "seven?")
    doc = json.loads(res.stdout)
    assert res.exit_code == 0 and doc["parsed"] == {"n": 7} and doc["tool_calls"] == []
    assert server.requests[0].json() == {
        "model": "c", "max_tokens": 4096, "stream": True,
        "messages": [{"role": "user", "content": "seven?"}],
        "tools": [{"name": "answer", "description": "Give your whole answer as this tool's input.",
                   "input_schema": SCHEMA}],
        "tool_choice": {"type": "tool", "name": "answer"}}


def test_anthropic_wraps_a_schema_whose_root_is_not_an_object(server, revka, write_config):
    _anthropic(server, write_config, '{"value": [1, 2]}')
    schema = {"type": "array", "items": {"type": "integer"}}
    res = revka("chat", "--schema", json.dumps(schema), "list")
    assert res.exit_code == 0 and res.stdout == "[1, 2]\n"
    tool = server.requests[0].json()["tools"][0]
    assert tool["input_schema"] == {"type": "object", "properties": {"value": schema},
                                    "required": ["value"]}


def test_anthropic_json_object_and_a_failing_tool_input(server, revka, write_config):
    _anthropic(server, write_config, '{"n": "x"}')
    res = revka("chat", "--schema", json.dumps(SCHEMA), "seven?")
    assert res.exit_code == 8 and "at /n" in res.stderr
    assert revka("chat", "--json-object", "x").exit_code == 0
    tool = server.requests[-1].json()["tools"][0]
    assert tool["input_schema"] == {"type": "object"}


def test_anthropic_refuses_tools_with_a_schema(server, revka, write_config, tmp_path):
    _anthropic(server, write_config, "{}")
    tools = tmp_path / "t.json"
    tools.write_text(json.dumps([{"name": "f", "parameters": {"type": "object"}}]))
    res = revka("chat", "--tools", str(tools), "--json-object", "x")
    assert res.exit_code == 2 and "cannot be combined with --tools" in res.stderr
    assert server.requests == []


def _split_answer(server, text: str) -> None:
    chunks = []
    for frame in openai_text(*text.split(" ")):
        chunks += [sse(frame, done=False), 0.02]
    server.route("POST", "/v1/chat/completions", Reply.sse([*chunks, b"data: [DONE]\n\n"]))


def test_a_terminal_sees_the_stream_then_the_verdict(server, tmp_path):
    _split_answer(server, '{"n": "seven"}')
    config = tmp_path / "c.toml"
    config.write_text(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n')
    code, tty, piped = _run(["chat", "--schema", json.dumps(SCHEMA), "x"], config, tty_out=True,
                            tty_err=False)
    assert tty == b'{"n":"seven"}\n'  # streamed as it came (the pieces lost their spaces)
    assert code == 8 and b"at /n" in piped


def test_a_terminal_without_streaming_gets_pretty_json(server, tmp_path):
    server.route("POST", "/v1/chat/completions", Reply.json({"choices": [{
        "index": 0, "message": {"role": "assistant", "content": '{"n": 7}'},
        "finish_reason": "stop"}]}))
    config = tmp_path / "c.toml"
    config.write_text(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n')
    code, tty, _ = _run(["chat", "--no-stream", "--json-object", "x"], config, tty_out=True,
                        tty_err=False)
    assert code == 0 and tty == b'{\n  "n": 7\n}\n'


def test_repl_schema_and_option_commands(server, tmp_path):
    answers = iter(['{"n": 1}', '{"n": "one"}', "plain"])
    server.route("POST", "/v1/chat/completions",
                 lambda rec: Reply.sse(sse(*openai_text(next(answers)))))
    config = tmp_path / "c.toml"
    config.write_text(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n')
    with repl_process(config) as (main, proc):
        read_until(main, b"> ")
        os.write(main, b"/option temperature=1\n")
        read_until(main, b"--temperature")
        os.write(main, b"/option top_k=5\n")
        read_until(main, b"option top_k set")
        os.write(main, b"/schema " + json.dumps(SCHEMA).encode() + b"\n")
        read_until(main, b"must match the schema")
        os.write(main, b"one\n")
        read_until(main, b'{"n": 1}')
        os.write(main, b"again\n")
        read_until(main, b"at /n")
        os.write(main, b"/schema off\n")
        read_until(main, b"plain text again")
        os.write(main, b"last\n")
        read_until(main, b"plain")
        os.write(main, b"/exit\n")
        assert proc.wait(timeout=15) == 0
    first, second, third = (r.json() for r in server.requests)
    assert first["top_k"] == 5 and first["response_format"]["json_schema"]["schema"] == SCHEMA
    assert second["messages"][-1]["content"] == "again" and len(second["messages"]) == 3
    assert third["top_k"] == 5 and "response_format" not in third
