"""Every transcript of tests/fixtures/conformance, through the real decoders and parsers, in several
chunkings and line-ending variants, compared with the EXPECTED lines of its header.

Where revka deliberately reports more than the reference assembler (a normalised finish_reason,
"{}" for empty tool arguments, a refusal shown as text), the test says so and cites the rule.
"""

from __future__ import annotations

import json
import re

import pytest

from revka_cli.errors import EXIT_PROVIDER, EXIT_RATE_OR_SERVER, StreamError
from revka_cli.providers.protocols.anthropic_stream import parse_anthropic_response
from revka_cli.providers.error_bodies import error_message, stream_error_is_retryable
from revka_cli.providers.protocols.ndjson import NDJSONDecoder
from revka_cli.providers.protocols.ollama_stream import parse_ollama_response
from revka_cli.providers.protocols.openai_answer import parse_openai_response
from tests.providers.corpus import CORPUS, Outcome, Transcript, all_transcripts, chunkings, load, run, sse_events

FILES = all_transcripts()
ERROR_BODIES = [p for p in FILES if (load(p).status or 200) >= 400]
SSE_FRAMING = [p for p in FILES if p.parent.name == "sse_framing"]
STREAMS = [p for p in FILES if p not in ERROR_BODIES and p not in SSE_FRAMING]
VARIANTS = ("whole", "bytes", "random", "crlf", "cr")

# Anthropic stop_reason -> revka's finish_reason (the brief's table; Done.finish_reason doc).
ANTHROPIC_STOP = {"end_turn": "stop", "max_tokens": "length", "tool_use": "tool_calls",
                  "stop_sequence": "stop_sequence", "refusal": "refusal", None: None}

# Free-text EXPECTED lines, transcribed (file -> what the EXPECTED line says).
ERROR_BODY_EXPECTED = {
    # "EXPECTED: HTTP 400; error.code is null (not absent) - do not crash on null code."
    "openai_400_error_body_code_null.txt": (400, "Web search options not supported with this model."),
    # "EXPECTED: HTTP 400; show error.message; error.type "invalid_request_error" ..."
    "openai_400_error_body_code_string.txt":
        (400, "Unsupported value: 'messages[0].role' does not support 'system' with this model."),
    # "EXPECTED: client reports HTTP 429 and the message from error.message; ... error.code is an INTEGER"
    "openrouter_429_rate_limit_error_body.txt": (429, "Rate limit exceeded: limit_rpm/meta-llama/"),
    # "EXPECTED: HTTP 400; error.type "invalid_request_error"; message explains the unsupported effort level."
    "anthropic_400_invalid_request_error_body.txt": (400, "does not support effort level 'xhigh'"),
    # "EXPECTED: HTTP 404; ... error.message "model: claude-does-not-exist", request_id present."
    "anthropic_404_not_found_error_body.txt": (404, "model: claude-does-not-exist"),
    # "EXPECTED: HTTP 400, application/json; message: "test" does not support thinking"
    "error_400_does_not_support_thinking.txt": (400, '"test" does not support thinking'),
    # "EXPECTED: HTTP 404; message "model '' not found""
    "error_404_model_not_found.txt": (404, "model '' not found"),
}
# doc_chat_stream_tools_pretty_objects.txt: "EXPECTED: content ""; tool_calls [{"function":{"name":
# "get_weather","arguments":{"city":"Tokyo"}}}] (no id in this older example); done_reason "stop";
# prompt_eval_count 169, eval_count 15."
OLLAMA_PRETTY_EXPECTED = {
    "content": "",
    "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Tokyo"}}}],
    "final": {"done_reason": "stop", "prompt_eval_count": 169, "eval_count": 15, "total_duration": 182242375},
    "errors": [],
}


def variant(body: bytes, name: str) -> list[bytes]:
    """The body cut into pieces (whole / 1-byte / random sizes), or re-framed with CRLF or CR line
    ends and cut into random pieces (so a CR and its LF land in different reads)."""
    if name in ("crlf", "cr"):
        lf = body.replace(b"\r\n", b"\n")
        body = lf.replace(b"\n", b"\r\n" if name == "crlf" else b"\r")
        return chunkings(body, seed=len(body))["random"]
    return chunkings(body)[name]


def test_corpus_is_complete():
    assert (CORPUS / "INDEX.md").is_file() and (CORPUS / "CHECKLIST.md").is_file()
    assert len(FILES) == 53
    listed = set(re.findall(r"`transcripts/([^`]+)`", (CORPUS / "INDEX.md").read_text()))
    assert listed == {str(p.relative_to(CORPUS / "transcripts")) for p in FILES}
    assert {p.name for p in ERROR_BODIES} == set(ERROR_BODY_EXPECTED)


@pytest.mark.parametrize("path", sorted((CORPUS / "models").glob("*.json")), ids=lambda p: p.name)
def test_model_listing_bodies_are_json(path):
    assert json.loads(load(path).body) is not None


# NDJSON lines end with LF, so a CR-only Ollama body is not NDJSON: no "cr" variant there
STREAM_CASES = [(p, v) for p in STREAMS for v in VARIANTS if not (v == "cr" and p.parent.name == "ollama")]


@pytest.mark.parametrize(("path", "name"), STREAM_CASES, ids=[f"{p.parent.name}/{p.stem}-{v}" for p, v in STREAM_CASES])
def test_stream_transcript(path, name):
    transcript = load(path)
    outcome = run(transcript.kind, variant(transcript.body, name))
    CHECKS[transcript.kind](transcript, outcome)


# the protocols' own readers (JSON runs, one parse per read) on the same cases; Anthropic's reader
# is the frame-by-frame one, so its cases above already cover it
RUN_CASES = [(p, v) for p, v in STREAM_CASES if p.parent.name in ("openai", "ollama")]


@pytest.mark.parametrize(("path", "name"), RUN_CASES, ids=[f"{p.parent.name}/{p.stem}-{v}" for p, v in RUN_CASES])
def test_stream_transcript_through_the_protocol_reader(path, name):
    transcript = load(path)
    outcome = run(transcript.kind, variant(transcript.body, name), production=True)
    CHECKS[transcript.kind](transcript, outcome)


def check_openai(t: Transcript, out: Outcome) -> None:
    exp = t.expected
    # no choice lines (llamacpp_exceed_context_size_error_frame.txt): choice 0 must stay empty
    choices = sorted({int(m) for m in re.findall(r"choice\[(\d+)\]", " ".join(exp))}) or [0]
    for n in choices:
        got = out.choice(n)
        # CHECKLIST 19: a refusal is shown as the answer, so it is part of the text
        assert got.text == exp.get(f"choice[{n}].content", "") + (exp.get(f"choice[{n}].refusal") or "")
        assert got.reasoning == exp.get(f"choice[{n}].reasoning", "")
        want_tools = exp.get(f"choice[{n}].tool_calls", [])
        # CHECKLIST 16: empty accumulated arguments are reported as "{}" (variant_d EXPECTED shows "")
        assert [(c.index, c.id, c.name, c.arguments, c.complete) for c in got.tool_calls] == [
            (w["index"], w["id"], w["name"], w["arguments"] or "{}", True) for w in want_tools]
        want_finish = exp.get(f"choice[{n}].finish_reason")
        if want_finish is None and want_tools:
            want_finish = "tool_calls"  # CHECKLIST 17: tools decide "the model wants tools" (variant_a)
        assert got.finish_reason == want_finish
        assert got.done == (want_finish is not None or not exp["errors"])
    check_usage(out, exp["usage"], ("prompt_tokens", "completion_tokens", "total_tokens"), exp.get("extra"))
    check_errors(out, exp["errors"], retryable=False)  # every OpenAI-side error here is a 400
    last = sse_events([t.body])[-1]
    assert (last.data == "[DONE]") is exp["terminated by data: [DONE]"]


def check_anthropic(t: Transcript, out: Outcome) -> None:
    exp = t.expected
    got = out.choice(0)
    blocks = [exp[k] for k in sorted((k for k in exp if k.startswith("content[")),
                                     key=lambda k: int(k[8:-1]))]
    assert got.text == exp["assembled text"]
    assert got.reasoning == "".join(b["thinking"] for b in blocks if b["type"] == "thinking")
    tools = [b for b in blocks if b["type"] == "tool_use"]
    assert [(c.index, c.id, c.name) for c in got.tool_calls] == [
        (i, b["id"], b["name"]) for i, b in enumerate(tools)]
    for call, block in zip(got.tool_calls, tools):
        partial = block["input"].get("<unparseable partial json>")
        if partial is not None:  # CHECKLIST 29: cut by max_tokens -> incomplete, never runnable
            assert (call.complete, call.arguments) == (False, partial)
        else:
            assert call.complete and json.loads(call.arguments) == block["input"]
    parser = out.parser
    thinking_at = [k for k in exp if k.startswith("content[") and exp[k]["type"] == "thinking"]
    for key in thinking_at:  # CHECKLIST 30: the signature is kept for replay
        assert len(parser.signatures[int(key[8:-1])]) == exp[key]["signature_len"]
    assert parser.message_id == exp["message.id"]
    assert got.finish_reason == ANTHROPIC_STOP[exp["stop_reason"]]
    assert got.stop_sequence == exp["stop_sequence"]
    assert got.done == (exp["stop_reason"] is not None)
    check_usage(out, exp["usage"] or None, ("input_tokens", "output_tokens", None))
    # doc_error_event_overloaded.txt: "EXPECTED: error surfaced with type overloaded_error, ... (retryable)"
    check_errors(out, exp["errors"], retryable="(retryable)" in t.expected_text)


def check_ollama(t: Transcript, out: Outcome) -> None:
    exp = OLLAMA_PRETTY_EXPECTED if "pretty_objects" in t.name else t.expected
    got = out.choice(0)
    assert got.text == exp["content"]
    assert got.reasoning == exp.get("thinking", "")
    want_tools = exp.get("tool_calls", [])
    assert [(c.index, c.id, c.name, json.loads(c.arguments), c.complete) for c in got.tool_calls] == [
        (w["function"].get("index", i), w.get("id"), w["function"]["name"], w["function"]["arguments"], True)
        for i, w in enumerate(want_tools)]
    final = exp["final"]
    if final is None:
        assert not got.done
    else:
        # CHECKLIST 36: done_reason stays "stop" with tool calls; revka reports "tool_calls"
        want = "tool_calls" if want_tools and final["done_reason"] == "stop" else final["done_reason"]
        assert got.done and got.finish_reason == want
        counts = {k: final[k] for k in ("prompt_eval_count", "eval_count", "total_duration")}
        check_usage(out, None if set(counts.values()) == {None} else counts,
                    ("prompt_eval_count", "eval_count", None), partial=True)
    check_errors(out, exp["errors"], retryable=False)
    if "JSON objects" in exp:
        decoder = NDJSONDecoder()
        assert len(decoder.feed(t.body) + decoder.flush()) == exp["JSON objects"]


CHECKS = {"openai": check_openai, "anthropic": check_anthropic, "ollama": check_ollama}


def check_usage(out: Outcome, want: dict | None, names: tuple, extra: dict | None = None,
                partial: bool = False) -> None:
    if want is None:
        assert out.usage is None
        return
    usage = out.usage
    assert usage is not None
    raw = {k: v for k, v in usage.raw.items() if k != "timings"}
    if partial:
        assert {k: raw.get(k) for k in want} == want
    else:
        assert raw == want
    assert usage.prompt_tokens == want.get(names[0])
    assert usage.completion_tokens == want.get(names[1])
    if names[2]:
        assert usage.total_tokens == want.get(names[2])
    if extra:  # llama.cpp timings ride on the usage chunk (CHECKLIST 23)
        assert usage.raw["timings"] == extra["timings"]


def check_errors(out: Outcome, errors: list, retryable: bool) -> None:
    if not errors:
        assert out.error is None, out.error
        return
    assert isinstance(out.error, StreamError)
    message = errors[0] if isinstance(errors[0], str) else errors[0]["message"]
    assert message in str(out.error)
    assert out.error.exit_code == (EXIT_RATE_OR_SERVER if retryable else EXIT_PROVIDER)


@pytest.mark.parametrize("path", ERROR_BODIES, ids=lambda p: p.name)
def test_error_body(path):
    transcript = load(path)
    status, message = ERROR_BODY_EXPECTED[path.name]
    assert transcript.status == status
    got = error_message(transcript.body, "application/json")
    assert message in got and len(got) <= 300
    assert stream_error_is_retryable(json.loads(transcript.body)) is (status == 429)
    parse = {"openai": parse_openai_response, "anthropic": parse_anthropic_response,
             "ollama": parse_ollama_response}[transcript.kind]
    with pytest.raises(StreamError, match=re.escape(message)):
        parse(json.loads(transcript.body))


@pytest.mark.parametrize("path", [p for p in STREAMS if "nonstream" in p.name], ids=lambda p: p.name)
def test_ollama_non_stream_bodies_through_the_response_parser(path):
    transcript = load(path)
    events = parse_ollama_response(json.loads(transcript.body))
    check_ollama(transcript, Outcome(events=events))


@pytest.mark.parametrize("name", VARIANTS)
@pytest.mark.parametrize("path", SSE_FRAMING, ids=lambda p: p.stem)
def test_sse_framing_transcript(path, name):
    transcript = load(path)
    text = transcript.expected_text
    events = sse_events(variant(transcript.body, name))
    assert len(events) == int(re.search(r"(\d+) events", text).group(1))
    names = json.loads(re.search(r"event names = (\[[^\]]*\])", text).group(1))
    assert sorted({e.event or "message" for e in events}) == sorted(names)  # WHATWG default: "message"
    payloads = [json.loads(e.data) for e in events]
    assert transcript.expected["every data payload parses as JSON"] is True
    assert transcript.expected["line terminator is CRLF throughout"] == (b"\r\n" in transcript.body)
    if "assembled candidates[0] text" in transcript.expected:
        parts = [p["text"] for d in payloads for p in d["candidates"][0]["content"]["parts"]]
        assert "".join(parts) == transcript.expected["assembled candidates[0] text"]
