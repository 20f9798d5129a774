"""The client-side checks of structured output: schema loading, JSON pointers, fences, verdicts."""

from __future__ import annotations

import pytest

from revka_cli.chat.options import parse_option, parse_options
from revka_cli.chat.structured import check_answer, json_pointer, load_schema, unfenced
from revka_cli.errors import AnswerMismatch, UsageError


@pytest.mark.parametrize("path, pointer", [((), ""), (("a", 0, "b"), "/a/0/b"),
                                           (("x/y", "m~n"), "/x~1y/m~0n")])
def test_json_pointer_escapes_as_rfc_6901(path, pointer):
    assert json_pointer(path) == pointer


@pytest.mark.parametrize("text, body", [
    ('```json\n{"a": 1}\n```', '{"a": 1}'), ("```\n[1]\n```", "[1]"), ('```{"a": 2}```', '{"a": 2}'),
    ('  {"a": 3}\n', '{"a": 3}'), ("```json```", "json"), ('``` {"a": 4} ```', '{"a": 4}'),
])
def test_one_fence_around_the_whole_answer_is_dropped(text, body):
    assert unfenced(text) == body


def test_the_first_failing_pointer_is_the_deepest_relevant_one():
    schema = load_schema('{"type": "object", "properties": {"items": {"type": "array", '
                         '"items": {"type": "integer"}}}}')
    with pytest.raises(AnswerMismatch) as caught:
        check_answer('{"items": [1, "two", 3]}', schema)
    assert caught.value.pointer == "/items/1" and caught.value.exit_code == 8
    assert caught.value.raw == '{"items": [1, "two", 3]}'


def test_a_schema_file_is_read_and_checked(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"type": "object", "required": "name"}')
    with pytest.raises(UsageError, match=r"schema file .* is not a valid JSON Schema at /required"):
        load_schema(str(path))
    path.write_text('{"$schema": "http://json-schema.org/draft-07/schema#", "type": "string"}')
    assert check_answer('"ok"', load_schema(str(path))) == "ok"


def test_json_object_wants_an_object():
    assert check_answer('{"a": null}', None) == {"a": None}
    for text in ('"text"', "3", "null", ""):
        with pytest.raises(AnswerMismatch):
            check_answer(text, None)


@pytest.mark.parametrize("text, pair", [
    ("seed=42", ("seed", 42)), ("x= 1.5", ("x", 1.5)), ('stop=["\\n"]', ("stop", ["\n"])),
    ("keep_alive=5m", ("keep_alive", "5m")), ("a=b=c", ("a", "b=c")), ("k=", ("k", "")),
    ("k=null", ("k", None)), ('m={"a": [1]}', ("m", {"a": [1]})), (" top_k =4", ("top_k", 4)),
])
def test_option_values_are_json_else_text(text, pair):
    assert parse_option(text) == pair


def test_a_later_option_wins_and_deep_values_are_refused():
    assert parse_options(["k=1", "k=2"]) == {"k": 2}
    with pytest.raises(UsageError, match="nested more than"):
        parse_option("k=" + "[" * 40 + "]" * 40)
