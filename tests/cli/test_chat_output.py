"""What `revka chat` prints and returns, for clean, ugly and broken streams."""

from __future__ import annotations

import json

import pytest

from tests.cli.chatkit import ndjson, ollama_text, openai_text, sse
from tests.servers import Reply, closed_port

PATH = "/v1/chat/completions"


def chat(revka, server, *args, input=None, env=None):
    return revka("chat", "-p", f"custom:{server.url}/v1", "-m", "m", *args, input=input, env=env)


def test_ugly_but_valid_sse_framing(server, revka):
    pieces = openai_text("Hel", "lo, ", "wor", "ld ×°F 🎉")
    raw = sse(*pieces, sep=b"\r\n\r\n", prefix=b"data:")
    raw = b": keep-alive\r\n\r\n" + raw.replace(b"\r\n\r\ndata:", b"\r\n\r\n: ping\r\n\r\ndata:", 2)
    # split inside JSON objects and inside a multi-byte character
    cut = raw.index("🎉".encode()) + 2
    server.route("POST", PATH, Reply.sse([raw[:7], raw[7:45], raw[45:cut], 0.05, raw[cut:]]))
    res = chat(revka, server, "hi", "--json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 0 and doc["text"] == "Hello, world ×°F 🎉"
    assert doc["finish_reason"] == "stop"
    assert doc["usage"] == {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    assert doc["latency"]["first_token_s"] <= doc["latency"]["total_s"]


def test_stdout_is_the_answer_alone_with_one_final_newline(server, revka):
    server.route("POST", PATH, Reply.sse(sse(*openai_text("line one\n", "line two"))))
    res = chat(revka, server, "hi")
    assert res.stdout == "line one\nline two\n" and res.stderr == ""
    server.route("POST", PATH, Reply.sse(sse(*openai_text("ends with newline\n"))))
    assert chat(revka, server, "hi").stdout == "ends with newline\n"


def test_reasoning_goes_to_stderr_only_when_asked(server, revka):
    chunks = [{"choices": [{"index": 0, "delta": {"reasoning_content": "thinking..."}}]},
              *openai_text("answer")]
    server.route("POST", PATH, Reply.sse(sse(*chunks)))
    plain = chat(revka, server, "hi")
    assert plain.stdout == "answer\n" and "thinking" not in plain.stderr
    shown = chat(revka, server, "hi", "--show-reasoning")
    assert shown.stdout == "answer\n" and "thinking..." in shown.stderr


def test_think_tags_removed_even_when_split(server, revka):
    server.route("POST", PATH, Reply.sse(sse(*openai_text("<thi", "nk>plan</th", "ink>Result"))))
    res = chat(revka, server, "hi", "--json")
    doc = json.loads(res.stdout)
    assert doc["text"] == "Result" and doc["reasoning"] == "plan"


def test_only_thinking_prints_the_thinking(server, revka):
    server.route("POST", PATH, Reply.sse(sse(*openai_text("<think>all I have</think>"))))
    assert chat(revka, server, "hi").stdout == "all I have\n"


def test_tool_calls_printed_as_json(server, revka, tmp_path):
    tools = tmp_path / "t.json"
    tools.write_text(json.dumps([{"name": "f", "parameters": {"type": "object"}}]))
    chunks = [
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "c1", "type": "function",
                                                             "function": {"name": "f", "arguments": ""}}]}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{\"a\":"}}]}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": " 1}"}}]}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
    ]
    server.route("POST", PATH, Reply.sse(sse(*chunks)))
    res = chat(revka, server, "--tools", str(tools), "hi")
    assert res.exit_code == 0
    assert json.loads(res.stdout) == [{"id": "c1", "name": "f", "arguments": {"a": 1}}]


def test_length_finish_is_reported(server, revka):
    server.route("POST", PATH, Reply.sse(sse(*openai_text("cut", finish="length"))))
    res = chat(revka, server, "hi")
    assert res.exit_code == 0 and res.stdout == "cut\n" and "finish_reason: length" in res.stderr


@pytest.mark.parametrize("status, code, hint", [
    (401, 4, "API key"), (403, 4, "API key"), (404, 5, "/v1"), (400, 1, None), (429, 7, None),
    (500, 7, None), (503, 7, None)])
def test_http_errors_map_to_exit_codes(server, revka, status, code, hint):
    server.route("POST", PATH, Reply.json({"error": {"message": f"boom {status}", "type": "x"}}, status))
    res = revka("chat", "-p", f"custom:{server.url}/v1", "-m", "m", "hi",
                env={"REVKA_CONFIG": "/dev/null/none"} if False else None)
    assert res.exit_code == code, res
    lines = res.stderr.strip().splitlines()
    assert lines[-2].startswith("revka: error:") and f"boom {status}" in lines[-2]
    assert lines[-1].startswith("hint:") and "Traceback" not in res.stderr
    if hint:
        assert hint in lines[-1]


def test_unknown_model_hint_points_to_models_list(server, revka, write_config):
    server.route("POST", "/api/chat", Reply.json({"error": "model 'nope' not found"}, 404))
    write_config(f'api_url = "{server.url}"\n')
    res = revka("chat", "-m", "nope", "hi")
    assert res.exit_code == 5 and "revka models list" in res.stderr


def test_connection_refused_exit_6(revka):
    res = revka("chat", "-p", f"custom:http://127.0.0.1:{closed_port()}/v1", "-m", "m", "hi")
    assert res.exit_code == 6 and "connection refused" in res.stderr


@pytest.mark.parametrize("tail, code, phrase", [
    (b'data: {"error": {"message": "context too long", "type": "exceed_context_size_error", "code": 400}}\n\n',
     1, "context too long"),
    (b'event: error\ndata: {"error": {"message": "overloaded", "type": "overloaded_error"}}\n\n',
     7, "overloaded"),
    (b"", 1, "stream ended before"),
    (b"data: {not json}\n\n", 1, "invalid JSON"),
])
def test_mid_stream_faults_keep_partial_output(server, revka, tail, code, phrase):
    head = sse(*openai_text("partial ", "answer")[:3], done=False)
    server.route("POST", PATH, Reply.sse([head, tail]))
    res = chat(revka, server, "hi")
    assert res.exit_code == code, res
    assert res.stdout == "partial answer\n"
    assert phrase in res.stderr
    js = chat(revka, server, "hi", "--json")
    doc = json.loads(js.stdout)
    assert js.exit_code == code and doc["text"] == "partial answer"
    assert doc["error"]["exit_code"] == code and phrase in doc["error"]["message"]


def test_connection_cut_mid_stream_keeps_partial(server, revka):
    server.route("POST", PATH, Reply.sse([sse(*openai_text("kept")[:2], done=False)], cut=True))
    res = chat(revka, server, "hi")
    assert res.exit_code == 1 and res.stdout == "kept\n" and "mid-stream" in res.stderr


def test_ollama_error_line_mid_stream(server, revka, write_config):
    lines = ndjson(*ollama_text("so far")[:1], {"error": "an error was encountered while running the model"})
    server.route("POST", "/api/chat", Reply.ndjson(lines))
    write_config(f'api_url = "{server.url}"\ndefault_model = "m"\n')
    res = revka("chat", "hi")
    assert res.exit_code == 1 and res.stdout == "so far\n" and "while running the model" in res.stderr


def test_html_answer_is_a_clear_error(server, revka):
    server.route("POST", PATH, Reply(200, [b"<html><body>login</body></html>"], content_type="text/html"))
    res = chat(revka, server, "hi")
    assert res.exit_code == 1 and "HTML" in res.stderr


@pytest.mark.parametrize("body, phrase", [(b"", "empty"), (b"not json", "not JSON"),
                                          (b'{"error": {"message": "bad key"}}', "bad key")])
def test_no_stream_bad_bodies(server, revka, body, phrase):
    server.route("POST", PATH, Reply(200, [body], chunked=False))
    res = chat(revka, server, "--no-stream", "hi")
    assert res.exit_code == 1 and phrase in res.stderr, res


def test_no_stream_request_and_answer(server, revka):
    server.route("POST", PATH, Reply.json({"choices": [{"index": 0, "message": {"role": "assistant",
                 "content": "whole"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 1,
                 "completion_tokens": 1, "total_tokens": 2}}))
    res = chat(revka, server, "--no-stream", "hi")
    assert res.stdout == "whole\n"
    body = server.requests[0].json()
    assert body["stream"] is False and "stream_options" not in body


def test_stdin_is_joined_to_the_prompt_or_alone(server, revka):
    server.route("POST", PATH, Reply.sse(sse(*openai_text("ok"))))
    chat(revka, server, "summarise", input="line 1\nline 2\n")
    chat(revka, server, input="only stdin\n")
    first, second = (r.json()["messages"][0]["content"] for r in server.requests)
    assert first == "summarise\n\nline 1\nline 2\n" and second == "only stdin\n"


@pytest.mark.parametrize("data, phrase", [(b"\x00\x01\x02binary", "binary"), (b"\xff\xfe bad", "UTF-8"),
                                          (b"x" * (8 * 1024 * 1024 + 1), "larger than")])
def test_bad_stdin_is_a_usage_error_before_any_request(server, revka, data, phrase):
    res = chat(revka, server, "hi", input=data)
    assert res.exit_code == 2 and phrase in res.stderr and server.requests == []


def test_nothing_to_send(server, revka):
    res = chat(revka, server, input="")
    assert res.exit_code == 2 and "nothing to send" in res.stderr or "empty" in res.stderr


def test_context_window_check_before_request(server, revka, write_config):
    write_config(f'[models.custom]\nurl = "{server.url}/v1"\n[models.custom.available_models]\ntiny = 100\n')
    res = revka("chat", "-m", "custom/tiny", "word " * 200)
    assert res.exit_code == 2 and "prompt is at least 125 tokens; tiny has a 100-token window" in res.stderr
    assert server.requests == []


def test_missing_image_and_bad_type(server, revka, tmp_path):
    res = chat(revka, server, "--image", str(tmp_path / "nope.png"), "hi")
    assert res.exit_code == 2 and "image not found" in res.stderr
    txt = tmp_path / "a.png"
    txt.write_text("not an image")
    res = chat(revka, server, "--image", str(txt), "hi")
    assert res.exit_code == 2 and "not a supported image type" in res.stderr
    res = chat(revka, server, "--image", "https://example.com/a.png", "hi")
    assert res.exit_code == 2 and "allow_remote_fetch" in res.stderr
    assert server.requests == []


def test_no_model_selected_is_a_config_error(revka):
    res = revka("chat", "hi")
    assert res.exit_code == 3 and "no model selected" in res.stderr


def test_json_is_printed_even_when_nothing_could_be_sent(revka, tmp_path):
    res = revka("chat", "--json", "hi")  # no model configured: exit 3
    doc = json.loads(res.stdout)
    assert res.exit_code == 3 and doc["error"]["exit_code"] == 3 and doc["text"] == ""
    res = revka("chat", "--json", "-p", "vllm", "-m", "m", "--image", str(tmp_path / "nope.png"), "hi")
    doc = json.loads(res.stdout)
    assert res.exit_code == 2 and doc["provider"] == "vllm" and "image not found" in doc["error"]["message"]
