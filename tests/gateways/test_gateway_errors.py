"""Real error bodies of llama-server and the LiteLLM proxy (tests/fixtures/gateways), replayed
through the loopback server: the exit code, the one-line error and the hint revka gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.providers.corpus import load
from tests.servers import Reply

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gateways"
PATH = "/v1/chat/completions"


def replay(name: str) -> Reply:
    transcript = load(FIXTURES / name)
    ctype = transcript.header.split("# CONTENT-TYPE: ", 1)[1].splitlines()[0]
    return Reply(transcript.status, [transcript.body], content_type=ctype, chunked=False)


def chat(revka, server, *args):
    return revka("chat", "-p", f"custom:{server.url}/v1", "-m", "smol", *args)


def lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line]


@pytest.mark.parametrize(("name", "code", "hint"), [
    ("llamaserver_400_exceed_context_size.json", 2, "shorten the input or lower --max-tokens"),
    ("litellm_400_context_exceeded.json", 2, "shorten the input or lower --max-tokens"),
    ("litellm_400_no_db_connection.json", 4, "master_key"),
    ("litellm_401_no_api_key.json", 4, "key"),
    ("litellm_400_invalid_model_name.json", 5, "revka models list"),
    ("llamacpppython_400_context_length_exceeded.json", 2, "shorten the input or lower --max-tokens"),
    ("litellm_404_upstream_not_found.json", 5, "its upstream answered 404"),
])
def test_recorded_error_bodies_get_their_exit_code_and_hint(server, revka, name, code, hint):
    server.route("POST", PATH, replay(name))
    res = chat(revka, server, "--no-stream", "hi")
    assert res.exit_code == code, res.stderr
    first, second = lines(res.stderr)  # one error line, one hint line, whatever the server wrote
    assert first.startswith("revka: error: ") and second.startswith("hint: ") and hint in second


def test_context_errors_match_revkas_own_check(server, revka, write_config):
    server.route("POST", PATH, replay("llamaserver_400_exceed_context_size.json"))
    theirs = chat(revka, server, "--no-stream", "hi")
    write_config(f'[models.custom]\nurl = "{server.url}/v1"\n[models.custom.available_models]\ntiny = 10\n')
    ours = revka("chat", "-m", "custom/tiny", "word " * 100)
    assert theirs.exit_code == ours.exit_code == 2
    assert lines(theirs.stderr)[1] == lines(ours.stderr)[1]


def test_multiline_server_message_folded_full_text_in_json(server, revka):
    server.route("POST", PATH, replay("litellm_400_context_exceeded.json"))
    res = chat(revka, server, "--no-stream", "--json", "hi")
    assert len(lines(res.stderr)) <= 2 or all(not l.startswith("Available") for l in lines(res.stderr))
    assert "Received Model Group=smol Available Model Group Fallbacks=None" in res.stderr
    doc = json.loads(res.stdout)
    assert "smol\nAvailable Model Group" in doc["error"]["server_message"]


def test_estimate_does_not_refuse_a_prompt_that_fits(server, revka, write_config):
    """10,011 characters was 1,534 tokens for SmolLM2 on llama-server; ÷4 said 2,503 > 2,048."""
    from tests.cli.chatkit import openai_text, sse

    server.route("POST", PATH, Reply.sse(sse(*openai_text("ok"))))
    write_config(f'[models.custom]\nurl = "{server.url}/v1"\n[models.custom.available_models]\nsmol = 2048\n')
    res = revka("chat", "-m", "custom/smol", "--max-tokens", "64", "x" * 10011)
    assert res.exit_code == 0, res.stderr
    assert len(server.requests) == 1


def test_anthropic_404_hint_fits_the_protocol(server, revka):
    server.route("POST", "/v1/messages", replay("litellm_404_unknown_path.json"))
    res = revka("chat", "-p", f"anthropic-custom:{server.url}", "-m", "smol", "--no-stream", "hi")
    assert res.exit_code == 5
    assert "/chat/completions" not in res.stderr and "/v1/messages" in lines(res.stderr)[1]


def test_no_stream_does_not_ask_for_event_stream(server, revka):
    server.route("POST", PATH, Reply.json({"choices": [{"index": 0, "message": {"role": "assistant",
                                          "content": "ok"}, "finish_reason": "stop"}]}))
    res = chat(revka, server, "--no-stream", "hi")
    assert res.exit_code == 0, res.stderr
    accept = {k.lower(): v for k, v in server.requests[0].headers.items()}["accept"]
    assert "text/event-stream" not in accept


def test_empty_200_stream_is_explained_and_no_partial_claimed(server, revka):
    """llama-cpp-python's answer to an over-long streamed prompt: 200, an empty chunked body."""
    server.route("POST", PATH, Reply(200, [], content_type="text/event-stream"))
    res = chat(revka, server, "hi")
    assert res.exit_code == 1
    assert "empty stream" in res.stderr and "partial answer above" not in res.stderr
    assert "context window" in lines(res.stderr)[1]


def test_failure_after_text_keeps_first_token_time(server, revka):
    from tests.cli.chatkit import openai_text, sse

    raw = sse(*openai_text("Hel", "lo"))
    server.route("POST", PATH, Reply.sse(raw[:raw.rindex(b"data:")], cut=True))
    res = chat(revka, server, "--json", "hi")
    doc = json.loads(res.stdout)
    assert res.exit_code != 0 and doc["text"] and doc["latency"]["first_token_s"] is not None
    assert "partial answer above is kept" in doc["error"]["hint"]


def test_json_says_when_the_server_reported_no_usage(server, revka):
    body = (b'data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":null}]}\n\n'
            b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n')
    server.route("POST", PATH, Reply.sse(body))  # no usage chunk, as llama-cpp-python sends
    doc = json.loads(chat(revka, server, "--json", "hi").stdout)
    assert doc["usage"] is None and doc["usage_reported"] is False
