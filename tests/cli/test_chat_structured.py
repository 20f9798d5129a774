"""--schema and --json-object end to end over loopback: the exact body per protocol, and each
validation outcome (valid, not JSON, JSON failing the schema, a schema the server refuses)."""

from __future__ import annotations

import json

import pytest

from revka_cli.errors import EXIT_SCHEMA, EXIT_USAGE
from tests.cli.chatkit import ndjson, ollama_text, openai_text, sse
from tests.servers import Reply

SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                                           "mood": {"enum": ["happy", "sad"]}},
          "required": ["name", "age", "mood"]}
VALID = '{"name": "Ada", "age": 36, "mood": "happy"}'
OPENAI_PATH = "/v1/chat/completions"


def _openai(server, write_config, *answer_pieces, provider="vllm"):
    server.route("POST", OPENAI_PATH, Reply.sse(sse(*openai_text(*answer_pieces))))
    write_config(f'default_provider = "{provider}"\napi_url = "{server.url}/v1"\n'
                 'default_model = "m"\n')


def _ollama(server, write_config, *answer_pieces):
    server.route("POST", "/api/chat", Reply.ndjson(ndjson(*ollama_text(*answer_pieces))))
    write_config(f'default_provider = "ollama"\napi_url = "{server.url}"\ndefault_model = "m"\n')


def test_openai_schema_body_and_one_line_answer(server, revka, write_config):
    _openai(server, write_config, '{"name": "Ada",', ' "age": 36, "mood": "happy"}')
    res = revka("chat", "--schema", json.dumps(SCHEMA), "who?")
    assert res.exit_code == 0, res
    assert res.stdout == json.dumps(json.loads(VALID), ensure_ascii=False) + "\n"
    assert server.requests[0].json() == {
        "model": "m", "stream": True, "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": "who?"}],
        "response_format": {"type": "json_schema", "json_schema": {
            "name": "answer", "schema": SCHEMA, "strict": True}}}


def test_schema_from_a_file_and_json_object_for_ollama(server, revka, write_config, tmp_path):
    _ollama(server, write_config, VALID)
    path = tmp_path / "person.json"
    path.write_text(json.dumps(SCHEMA))
    assert revka("chat", "--schema", str(path), "who?").exit_code == 0
    assert revka("chat", "--json-object", "who?").exit_code == 0
    first, second = (r.json() for r in server.requests)
    messages = [{"role": "user", "content": "who?"}]
    assert first == {"model": "m", "stream": True, "messages": messages, "format": SCHEMA}
    assert second == {"model": "m", "stream": True, "messages": messages, "format": "json"}


def test_json_object_for_openai_compatible(server, revka, write_config):
    _openai(server, write_config, '{"ok": true}')
    res = revka("chat", "--json-object", "hi")
    assert res.exit_code == 0 and json.loads(res.stdout) == {"ok": True}
    assert server.requests[0].json()["response_format"] == {"type": "json_object"}


def test_json_document_has_parsed(server, revka, write_config):
    _openai(server, write_config, VALID)
    res = revka("chat", "--json", "--schema", json.dumps(SCHEMA), "who?")
    doc = json.loads(res.stdout)
    assert res.exit_code == 0 and doc["parsed"] == json.loads(VALID) and doc["text"] == VALID


def test_plain_chat_json_document_has_null_parsed(server, revka, write_config):
    _openai(server, write_config, "hello")
    doc = json.loads(revka("chat", "--json", "hi").stdout)
    assert doc["parsed"] is None and doc["text"] == "hello"


def test_a_fenced_answer_is_accepted(server, revka, write_config):
    _openai(server, write_config, "```json\n" + VALID + "\n```")
    res = revka("chat", "--schema", json.dumps(SCHEMA), "who?")
    assert res.exit_code == 0 and json.loads(res.stdout) == json.loads(VALID)


@pytest.mark.parametrize("answer, said, pointer", [
    ("Ada is 36 and happy.", "is not JSON (line 1, column 1", None),
    ('{"name": "Ada", "age": "36", "mood": "happy"}', "at /age: '36' is not of type 'integer'",
     "/age"),
    ('{"name": "Ada", "age": 36, "mood": "meh"}', "at /mood: 'meh' is not one of", "/mood"),
    ('{"name": "Ada", "age": 36}', "'mood' is a required property", ""),
])
def test_an_answer_that_does_not_match_exits_8(server, revka, write_config, answer, said, pointer):
    _openai(server, write_config, answer)
    res = revka("chat", "--schema", json.dumps(SCHEMA), "who?")
    assert res.exit_code == EXIT_SCHEMA == 8
    assert said in res.stderr and res.stdout == ""
    doc = json.loads(revka("chat", "--json", "--schema", json.dumps(SCHEMA), "who?").stdout)
    assert doc["parsed"] is None and doc["text"] == answer
    assert doc["error"]["exit_code"] == 8 and said in doc["error"]["message"]


def test_debug_shows_the_raw_answer_on_stderr(server, revka, write_config):
    _openai(server, write_config, "not json at all")
    res = revka("--debug", "chat", "--json-object", "hi")
    assert res.exit_code == 8 and "raw answer follows\nnot json at all\n" in res.stderr
    assert "not json at all" not in revka("chat", "--json-object", "hi").stderr


def test_json_object_refuses_an_array(server, revka, write_config):
    _openai(server, write_config, "[1, 2]")
    res = revka("chat", "--json-object", "hi")
    assert res.exit_code == 8 and "not an object" in res.stderr


def test_a_schema_the_server_refuses_is_explained(server, revka, write_config):
    server.route("POST", OPENAI_PATH, Reply.json(
        {"error": {"message": "response_format json_schema is not supported", "code": 400}},
        status=400))
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n')
    res = revka("chat", "--schema", json.dumps(SCHEMA), "who?")
    assert res.exit_code == 1 and "HTTP 400" in res.stderr
    assert "may not support structured output" in res.stderr and "--json-object" in res.stderr


def test_a_provider_without_schemas_is_refused_before_sending(server, revka, write_config):
    write_config(f'[providers.deepseek]\napi_url = "{server.url}/v1"\n')
    res = revka("chat", "-p", "deepseek", "-m", "deepseek-chat", "--schema", json.dumps(SCHEMA),
                "x", env={"DEEPSEEK_API_KEY": "sk-test"})
    assert res.exit_code == EXIT_USAGE and "JSON mode only" in res.stderr
    assert "--json-object" in res.stderr and server.requests == []


@pytest.mark.parametrize("args, said", [
    (("--schema", '{"type": 12}'), "not a valid JSON Schema at /type"),
    (("--schema", "{not json"), "the inline --schema is not valid JSON"),
    (("--schema", "/nonexistent/schema.json"), "schema file not found"),
    (("--schema", "[1]"), "must be a JSON object"),
    (("--schema", "{}", "--json-object"), "--schema and --json-object"),
])
def test_bad_schemas_are_usage_errors(server, revka, write_config, args, said):
    _openai(server, write_config, "{}")
    res = revka("chat", *args, "hi")
    assert res.exit_code == EXIT_USAGE and said in res.stderr and server.requests == []


def test_a_cut_off_answer_says_so(server, revka, write_config):
    server.route("POST", OPENAI_PATH, Reply.sse(sse(*openai_text('{"name": "Ad', finish="length"))))
    write_config(f'default_provider = "vllm"\napi_url = "{server.url}/v1"\ndefault_model = "m"\n')
    res = revka("chat", "--schema", json.dumps(SCHEMA), "who?")
    assert res.exit_code == 8 and "raise --max-tokens" in res.stderr
