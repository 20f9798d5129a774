"""Every recorded server response in tests/fixtures/conformance plays through `revka chat --json`
from a loopback server (byte-for-byte, split across TCP writes) and gives the EXPECTED text, tool
calls and finish reason, or the expected error and exit code.

Deliberate differences from the reference assembler (CHECKLIST items in brackets):
- tool calls present with a null/"stop" finish_reason are reported as "tool_calls" [17];
- empty accumulated tool arguments become {} [16];
- a refusal is shown as the answer text [19].
"""

from __future__ import annotations

import json
import random

import pytest

from tests.providers.corpus import Transcript, all_transcripts, load
from tests.servers import Reply

STREAMS = [p for p in all_transcripts() if p.parent.name != "sse_framing"]
STOP = {"end_turn": "stop", "max_tokens": "length", "tool_use": "tool_calls", "refusal": "refusal",
        "stop_sequence": "stop_sequence", "pause_turn": "pause_turn"}
STATUS_EXIT = {400: 1, 401: 4, 403: 4, 404: 5, 429: 7}


def split(body: bytes, seed: int) -> list[bytes]:
    rng, out, i = random.Random(seed), [], 0
    while i < len(body):
        n = rng.choice((1, 3, 17, 64, 500, 4096))
        out.append(body[i:i + n])
        i += n
    return out


def _openai(e: dict) -> dict:
    calls = [{"id": c.get("id"), "name": c["name"], "arguments": c.get("arguments") or "{}"}
             for c in e.get("choice[0].tool_calls") or []]
    finish = e.get("choice[0].finish_reason")
    if calls and finish in (None, "stop"):
        finish = "tool_calls"
    text = e.get("choice[0].content") or e.get("choice[0].refusal") or ""
    return {"text": text, "reasoning": e.get("choice[0].reasoning") or None, "tool_calls": calls,
            "finish": finish}


def _anthropic(e: dict) -> dict:
    blocks = [v for k, v in e.items() if k.startswith("content[")]
    calls, thinking = [], ""
    for b in blocks:
        if b.get("type") == "tool_use":
            partial = "<unparseable partial json>" in (b.get("input") or {})
            args = b["input"]["<unparseable partial json>"] if partial else json.dumps(b["input"])
            calls.append({"id": b["id"], "name": b["name"], "arguments": args, "incomplete": partial})
        elif b.get("type") == "thinking":
            thinking += b.get("thinking") or ""
    return {"text": e.get("assembled text", ""), "reasoning": thinking or None, "tool_calls": calls,
            "finish": STOP.get(e.get("stop_reason"), e.get("stop_reason"))}


def _ollama(t: Transcript) -> dict:
    e = t.expected
    if t.name == "doc_chat_stream_tools_pretty_objects.txt":  # EXPECTED is prose; quoted here
        e = {"content": "", "tool_calls": [{"function": {"name": "get_weather",
                                                        "arguments": {"city": "Tokyo"}}}],
             "final": {"done_reason": "stop"}, "errors": []}
    calls = [{"id": c.get("id"), "name": c["function"]["name"],
              "arguments": json.dumps(c["function"]["arguments"])} for c in e.get("tool_calls") or []]
    finish = (e.get("final") or {}).get("done_reason")
    if calls and finish == "stop":
        finish = "tool_calls"
    return {"text": e.get("content", ""), "reasoning": e.get("thinking") or None, "tool_calls": calls,
            "finish": finish}


def expectation(t: Transcript) -> dict:
    want = {"openai": lambda: _openai(t.expected), "anthropic": lambda: _anthropic(t.expected),
            "ollama": lambda: _ollama(t)}[t.kind]()
    errors = t.expected.get("errors") or []
    want["error"] = errors[0] if errors else None
    return want


def serve(server, t: Transcript, seed: int) -> list[str]:
    """Route the transcript's bytes; return the CLI arguments that reach it."""
    status = t.status or 200
    if t.kind == "ollama":
        path, provider = "/api/chat", "ollama"
        ctype = "application/x-ndjson" if b"\n{" in t.body.strip() else "application/json"
    elif t.kind == "anthropic":
        path, provider, ctype = "/v1/messages", f"anthropic-custom:{server.url}", "text/event-stream"
    else:
        path, provider, ctype = "/v1/chat/completions", f"custom:{server.url}/v1", "text/event-stream"
    if status >= 400 or "nonstream" in t.name:
        ctype = "application/json"
    server.route("POST", path, Reply(status, split(t.body, seed), content_type=ctype))
    args = ["-p", provider, "-m", "m", "--json"]
    return args + (["--no-stream"] if "nonstream" in t.name else [])


@pytest.mark.parametrize("path", STREAMS, ids=[f"{p.parent.name}/{p.stem}" for p in STREAMS])
def test_transcript_through_revka_chat(path, server, revka, tmp_path):
    t = load(path)
    config = tmp_path / "c.toml"
    config.write_text(f'api_url = "{server.url}"\n[reliability]\nprovider_retries = 0\n')
    args = serve(server, t, seed=len(t.body))
    res = revka("--config", str(config), "chat", *args, "hi", env={"REVKA_API_KEY": "k"})
    assert len(server.requests) == 1, res
    if (t.status or 200) >= 400:
        assert res.exit_code == STATUS_EXIT[t.status], res
        doc = json.loads(res.stdout)
        assert doc["error"]["exit_code"] == res.exit_code and doc["error"]["message"]
        return
    doc = json.loads(res.stdout)
    want = expectation(t)
    assert doc["text"] == want["text"]
    assert doc["reasoning"] == want["reasoning"]
    got_calls = [{k: c[k] if k != "arguments" else c[k] for k in ("id", "name", "arguments")}
                 for c in doc["tool_calls"]]
    assert [c["name"] for c in got_calls] == [c["name"] for c in want["tool_calls"]]
    for got, exp in zip(doc["tool_calls"], want["tool_calls"]):
        if exp.get("id"):
            assert got["id"] == exp["id"]
        if exp.get("incomplete"):
            assert got.get("incomplete") is True and got["arguments"] == exp["arguments"]
        else:
            assert got["arguments"] == json.loads(exp["arguments"])
    if want["error"] is None:
        assert res.exit_code == 0, res
        assert doc["finish_reason"] == want["finish"]
    else:
        message = want["error"]["message"] if isinstance(want["error"], dict) else want["error"]
        assert res.exit_code in (1, 7), res
        assert message[:40] in doc["error"]["message"]
        retryable = isinstance(want["error"], dict) and want["error"].get("type") == "overloaded_error"
        assert res.exit_code == (7 if retryable else 1)
