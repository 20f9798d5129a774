"""Structured output and request options against the real llama-server (SmolLM2-135M-Instruct):
the server turns the schema into a grammar, so even this small model answers valid JSON, and
revka's own validation agrees; a seed makes a sampled answer repeatable."""

from __future__ import annotations

import json

import pytest

from tests.real_server.realkit import TIMEOUT, load_json, provider_config

pytestmark = pytest.mark.real_server

STREAM_MODES = [pytest.param([], id="stream"), pytest.param(["--no-stream"], id="no-stream")]
PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 24},
        "age": {"type": "integer"},
        "mood": {"enum": ["happy", "sad", "calm"]},
    },
    "required": ["name", "age", "mood"],
    "additionalProperties": False,
}
ANSWER_TOKENS = 96  # room for the whole object; the grammar keeps it short


def chat(revka_proc, config, *args: str):
    return revka_proc("--config", str(config), "chat", "--max-tokens", str(ANSWER_TOKENS), *args,
                      timeout=TIMEOUT)


@pytest.mark.parametrize("mode", STREAM_MODES)
def test_a_schema_is_enforced_and_validated(llama_server, revka_proc, tmp_path, mode):
    from jsonschema import validate

    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    res = chat(revka_proc, config, "--json", "--temperature", "0", "--schema", json.dumps(PERSON),
               *mode, "Describe a person as JSON: name, age, mood.")
    assert res.exit_code == 0, res
    doc = load_json(res.stdout)
    validate(doc["parsed"], PERSON)
    assert json.loads(doc["text"]) == doc["parsed"] and doc["error"] is None


def test_a_schema_answer_on_stdout_is_one_json_line(llama_server, revka_proc, tmp_path):
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    res = chat(revka_proc, config, "--temperature", "0", "--schema", json.dumps(PERSON),
               "Describe a person as JSON.")
    assert res.exit_code == 0, res
    lines = res.stdout.splitlines()
    assert len(lines) == 1 and set(json.loads(lines[0])) == {"name", "age", "mood"}


def test_json_object_returns_an_object(llama_server, revka_proc, tmp_path):
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    res = chat(revka_proc, config, "--json", "--temperature", "0", "--json-object",
               "Give a JSON object with one key, colour.")
    assert res.exit_code == 0, res
    assert isinstance(load_json(res.stdout)["parsed"], dict)


def test_a_seed_option_repeats_a_sampled_answer(llama_server, revka_proc, tmp_path):
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    args = ("--json", "--temperature", "1.2", "-o", "seed=1234", "-o", "top_k=50",
            "Write a short sentence about the sea.")
    first, second = (chat(revka_proc, config, *args) for _ in range(2))
    assert first.exit_code == second.exit_code == 0, (first, second)
    text = load_json(first.stdout)["text"]
    assert text.strip() and load_json(second.stdout)["text"] == text
