"""Recorded streams of the LiteLLM proxy (tests/fixtures/gateways), through the real decoders and
parsers, whole and in 1-byte and random pieces."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.providers.corpus import chunkings, load, run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gateways"


@pytest.mark.parametrize("how", ["whole", "bytes", "random"])
def test_litellm_anthropic_stream_double_message_start_usage_from_message_delta(how):
    transcript = load(FIXTURES / "litellm_anthropic_messages_stream.sse")
    outcome = run("anthropic", chunkings(transcript.body)[how])
    assert outcome.error is None
    result = outcome.choice()
    assert result.text and result.finish_reason in ("stop", "end_turn")
    assert outcome.usage is not None
    assert (outcome.usage.prompt_tokens, outcome.usage.completion_tokens) == (32, 8)


@pytest.mark.parametrize("how", ["whole", "bytes", "random"])
def test_litellm_openai_usage_chunk_with_non_empty_choices(how):
    transcript = load(FIXTURES / "litellm_openai_stream_usage_chunk.sse")
    outcome = run("openai", chunkings(transcript.body)[how])
    assert outcome.error is None
    result = outcome.choice()
    assert result.text and result.finish_reason == "length"
    assert (outcome.usage.prompt_tokens, outcome.usage.completion_tokens) == (32, 8)


@pytest.mark.parametrize("how", ["whole", "bytes", "random"])
def test_llamacpppython_tool_deltas_repeat_id_and_name_and_carry_function_call(how):
    transcript = load(FIXTURES / "llamacpppython_tool_call_stream.sse")
    outcome = run("openai", chunkings(transcript.body)[how])
    assert outcome.error is None
    result = outcome.choice()
    (call,) = result.tool_calls  # one call, not one per delta, and no second one from function_call
    assert (call.name, call.complete) == ("get_weather", True)
    assert call.arguments == '{"city": "Paris", "unit": "celsius"}'
    assert call.id.startswith("call__0_get_weather_") and result.finish_reason == "tool_calls"
    assert result.text == ""
