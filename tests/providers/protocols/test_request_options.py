"""Where each protocol object puts -o options and the config's option tables, and what it
refuses: the body builders and `with_options`, without any HTTP."""

from __future__ import annotations

import pytest

from revka_cli.errors import UsageError
from revka_cli.providers import protocols
from revka_cli.providers.request import ChatRequest, Message

HI = (Message("user", "hi"),)


def body(protocol: str, **fields) -> dict:
    return protocols.get(protocol).body(ChatRequest(model="m", messages=HI, **fields))


def test_flag_options_beat_config_options_and_null_drops_them():
    got = body("openai", options={"top_k": 3, "min_p": None},
               default_options={"top_k": 9, "min_p": 0.1, "typical_p": 0.5})
    assert (got["top_k"], got["typical_p"]) == (3, 0.5) and "min_p" not in got


def test_config_options_yield_to_what_revka_set():
    got = body("ollama", seed=5, max_tokens=10,
               default_options={"seed": 1, "num_predict": 99, "num_ctx": 2048})
    assert got["options"] == {"seed": 5, "num_predict": 10, "num_ctx": 2048}


@pytest.mark.parametrize("protocol, fields, key, source", [
    ("openai", {"seed": 1}, "seed", "--seed"),
    ("openai", {"json_object": True}, "response_format", "--schema or --json-object"),
    ("ollama", {"max_tokens": 5}, "num_predict", "--max-tokens"),
    ("ollama", {"reasoning_enabled": True}, "think", "[runtime] reasoning_enabled"),
    ("anthropic", {"system": "s"}, "system", "--system"),
    ("anthropic", {"json_object": True}, "tool_choice", "--schema or --json-object"),
])
def test_an_option_revka_already_set_is_refused(protocol, fields, key, source):
    with pytest.raises(UsageError, match=f"option '{key}' is also set by revka") as caught:
        body(protocol, options={key: 1}, **fields)
    assert source in caught.value.message


def test_ollama_top_level_keys_and_no_empty_options():
    got = body("ollama", options={"keep_alive": "1m", "think": False, "format": "json",
                                  "gone": None})
    assert got == {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}],
                   "keep_alive": "1m", "think": False, "format": "json"}


def test_anthropic_structured_output_drops_thinking():
    got = body("anthropic", json_object=True, reasoning_enabled=True, max_tokens=8192)
    assert "thinking" not in got and got["tool_choice"] == {"type": "tool", "name": "answer"}
