"""`revka chat` against servers that send too much or bad bytes, run as a real process (so stdout
is a real UTF-8 pipe): issue 13 §2 (bounded events and answers) and §6 (surrogates, bad UTF-8 in
NDJSON, text after Ollama's `done: true`)."""

from __future__ import annotations

import gzip
import json

from tests.cli.chatkit import ndjson, ollama_text, openai_text, sse
from tests.servers import Reply

PATH = "/v1/chat/completions"
MiB = 1024 * 1024
SPLIT_EMOJI = [b'data: {"choices":[{"index":0,"delta":{"content":"a\\ud83d"}}]}\n\n',
               b'data: {"choices":[{"index":0,"delta":{"content":"\\ude00b"}}]}\n\n']
FINISH = sse({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})


def openai(write_config, server, extra=""):
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n'
                 f'[reliability]\nprovider_retries = 0\n{extra}')


def ollama(write_config, server):
    write_config(f'default_provider = "ollama"\napi_url = "{server.url}"\ndefault_model = "m"\n')


def assert_clean(res):
    assert "internal error" not in res.stderr and "Traceback" not in res.stderr, res


def test_an_endless_sse_line_stops_at_the_cap_and_keeps_the_partial_answer(server, revka_proc, write_config):
    head = sse(*openai_text("kept ")[:2], done=False)
    server.route("POST", PATH, Reply.sse([head, b"data: "] + [b"x" * MiB] * 40))
    openai(write_config, server)
    res = revka_proc("chat", "hi")
    assert res.exit_code == 1 and res.stdout == "kept \n", res
    assert "larger than 16 MiB" in res.stderr and res.stderr.count("revka: error:") == 1
    assert_clean(res)


def test_a_gzip_bomb_line_stops_at_the_cap(server, revka_proc, write_config):
    bomb = gzip.compress(b"data: " + b"a" * (64 * MiB), 9)
    server.route("POST", PATH, Reply(200, [bomb], headers={"Content-Encoding": "gzip"},
                                     content_type="text/event-stream", chunked=False))
    openai(write_config, server)
    res = revka_proc("chat", "hi")
    assert res.exit_code == 1 and "larger than 16 MiB" in res.stderr
    assert_clean(res)


def test_an_endless_ndjson_line_stops_at_the_cap(server, revka_proc, write_config):
    head = ndjson(*ollama_text("kept ")[:1])
    server.route("POST", "/api/chat", Reply.ndjson([head, b'{"message":{"content":"'] + [b"x" * MiB] * 40))
    ollama(write_config, server)
    res = revka_proc("chat", "hi")
    assert res.exit_code == 1 and res.stdout == "kept \n" and "larger than 16 MiB" in res.stderr, res
    assert_clean(res)


def test_an_endless_answer_in_small_events_stops_at_16_mi_characters(server, revka_proc, write_config):
    many = sse(*openai_text(*["y" * 4096] * 4200), done=False)  # 17.2 Mi characters
    server.route("POST", PATH, Reply.sse([many[i:i + MiB] for i in range(0, len(many), MiB)]))
    openai(write_config, server, "[pacing]\nloop_detection = false\n")
    res = revka_proc("chat", "hi")
    assert res.exit_code == 1 and "longer than 16 Mi characters" in res.stderr, res.stderr
    assert 15 * MiB < len(res.stdout) <= 16 * MiB + 1 and set(res.stdout) == {"y", "\n"}


def test_surrogate_halves_in_separate_sse_events_are_joined(server, revka_proc, write_config):
    server.route("POST", PATH, Reply.sse([*SPLIT_EMOJI, FINISH]))
    openai(write_config, server)
    res = revka_proc("chat", "hi")
    assert res.exit_code == 0 and res.stdout == "a\U0001F600b\n", res
    res = revka_proc("chat", "hi", "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["text"] == "a\U0001F600b"


def test_lone_surrogates_become_replacement_characters(server, revka_proc, write_config):
    lone = [b'data: {"choices":[{"index":0,"delta":{"content":"x\\ude00y\\ud83d"}}]}\n\n', FINISH]
    server.route("POST", PATH, Reply.sse(lone))
    openai(write_config, server)
    res = revka_proc("chat", "hi")
    assert res.exit_code == 0 and res.stdout == "x\ufffdy\ufffd\n", res


def test_surrogates_in_a_non_streamed_answer_and_its_tool_call(server, revka_proc, write_config):
    body = (b'{"choices":[{"index":0,"finish_reason":"tool_calls","message":{"content":"\\ud83d\\ude00 '
            b'\\ud83d","tool_calls":[{"id":"c1","type":"function","function":{"name":"f\\udc00",'
            b'"arguments":"{\\"q\\": \\"\\\\ud83d\\"}"}}]}}]}')
    server.route("POST", PATH, Reply(200, [body], chunked=False))
    openai(write_config, server)
    res = revka_proc("chat", "hi", "--no-stream", "--json")
    assert res.exit_code == 0, res
    doc = json.loads(res.stdout)
    assert doc["text"] == "\U0001F600 \ufffd"
    assert doc["tool_calls"][0]["name"] == "f\ufffd" and doc["tool_calls"][0]["arguments"] == {"q": "\ufffd"}


def test_surrogate_halves_in_separate_ndjson_lines_are_joined(server, revka_proc, write_config):
    lines = [b'{"message":{"role":"assistant","content":"\\ud83d"},"done":false}\n',
             b'{"message":{"role":"assistant","content":"\\ude00"},"done":false}\n',
             ndjson(*ollama_text()[-1:])]
    server.route("POST", "/api/chat", Reply.ndjson(lines))
    ollama(write_config, server)
    res = revka_proc("chat", "hi")
    assert res.exit_code == 0 and res.stdout == "\U0001F600\n", res


def test_invalid_utf8_in_ndjson_is_replaced_and_the_stream_goes_on(server, revka_proc, write_config):
    lines = [b'{"message":{"role":"assistant","content":"a\xffb"},"done":false}\n',
             ndjson(*ollama_text("c"))]
    server.route("POST", "/api/chat", Reply.ndjson(lines))
    ollama(write_config, server)
    res = revka_proc("chat", "hi")
    assert res.exit_code == 0 and res.stdout == "a\ufffdbc\n", res


def test_text_after_ollamas_done_object_is_ignored(server, revka_proc, write_config):
    after = b'{"message":{"role":"assistant","content":" EXTRA"},"done":false}\nnot json at all\n'
    server.route("POST", "/api/chat", Reply.ndjson([ndjson(*ollama_text("answer")), after]))
    ollama(write_config, server)
    res = revka_proc("chat", "hi")
    assert res.exit_code == 0 and res.stdout == "answer\n", res


def test_a_lone_surrogate_in_a_401_reaches_doctor_and_chat_as_a_replacement(server, revka_proc, write_config):
    server.route("POST", PATH, Reply(401, [b'{"error":{"message":"bad key \\ud83d"}}'], chunked=False))
    server.route("GET", "/v1/models", Reply(401, [b'{"error":{"message":"bad key \\ud83d"}}'], chunked=False))
    openai(write_config, server)
    res = revka_proc("doctor", "models", "--json")
    assert res.exit_code == 1 and "bad key \ufffd" in res.stdout, res
    assert_clean(res)
    res = revka_proc("chat", "hi")
    assert res.exit_code == 4 and "bad key \ufffd" in res.stderr, res
