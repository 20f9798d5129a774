"""Input lines -> BatchItems: the simple form, the OpenAI Batch request form, plain lines."""

from __future__ import annotations

import json

import pytest

from revka_cli.batch.items import LINES, OPENAI, SIMPLE, LineError, parse_line


def parse(obj, line_no=7, lines_mode=False):
    text = obj if isinstance(obj, str) else json.dumps(obj)
    return parse_line(text, line_no=line_no, index=3, lines_mode=lines_mode)


def test_simple_form_with_every_field_and_options():
    item = parse({"custom_id": "a1", "prompt": "hi", "system": "be brief", "model": "m2",
                  "provider": "vllm", "max_tokens": 9, "temperature": 0.5, "images": ["x.png"],
                  "seed": 4, "options": {"seed": 5}})
    assert (item.form, item.custom_id, item.index, item.line_no) == (SIMPLE, "a1", 3, 7)
    assert item.messages == [("user", "hi", ("x.png",))]
    assert (item.system, item.model, item.provider) == ("be brief", "m2", "vllm")
    assert (item.max_tokens, item.temperature) == (9, 0.5)
    assert item.options == {"seed": 5}  # `options` wins over the top level
    assert item.ignored == ()


def test_missing_custom_id_is_the_line_number_and_numbers_become_strings():
    assert parse({"prompt": "x"}, line_no=12).custom_id == "12"
    assert parse({"prompt": "x", "custom_id": 5}).custom_id == "5"


def test_unknown_top_level_keys_are_reported_and_options_are_sent_as_chat_o():
    item = parse({"prompt": "x", "colour": "red", "options": {"top_k": 3}})
    assert item.ignored == ("colour",) and item.options == {}
    assert item.raw_options == {"top_k": 3}  # as `chat -o top_k=3`


def test_openai_request_form_maps_the_body_onto_the_chat_core():
    line = {"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions", "body": {
        "model": "gpt-4o-mini", "max_completion_tokens": 20, "temperature": 0, "seed": 1,
        "stream": True, "messages": [
            {"role": "system", "content": "sys one"}, {"role": "developer", "content": "sys two"},
            {"role": "user", "content": "first"}, {"role": "assistant", "content": "reply"},
            {"role": "user", "content": [{"type": "text", "text": "look"},
                                         {"type": "image_url",
                                          "image_url": {"url": "data:image/png;base64,AA=="}}]}]}}
    item = parse(line)
    assert item.form == OPENAI and item.custom_id == "r1"
    assert item.system == "sys one\n\nsys two"
    assert item.messages == [("user", "first", ()), ("assistant", "reply", ()),
                             ("user", "look", ("data:image/png;base64,AA==",))]
    assert (item.model, item.max_tokens, item.temperature) == ("gpt-4o-mini", 20, 0.0)
    assert item.options == {"seed": 1} and item.ignored == ()


def test_plain_lines_mode():
    item = parse("just a prompt {not json", line_no=4, lines_mode=True)
    assert (item.form, item.custom_id, item.messages) == (LINES, "4", [("user", "just a prompt "
                                                                                 "{not json", ())])


@pytest.mark.parametrize("line, why", [
    ("not json", "not valid JSON"),
    ("[1, 2]", "must be an object"),
    ({"custom_id": "x"}, "neither the simple form"),
    ({"prompt": 3}, "prompt must be a string"),
    ({"prompt": "x", "max_tokens": "many"}, "max_tokens must be a number"),
    ({"prompt": "x", "custom_id": ""}, "custom_id must be"),
    ({"body": {"messages": [{"role": "user", "content": "x"}]}, "url": "/v1/embeddings"},
     "only POST /v1/chat/completions"),
    ({"body": {"messages": [{"role": "tool", "content": "x"}]}}, "role 'tool'"),
    ({"body": {"messages": [{"role": "assistant", "content": "x"}]}}, "last message"),
    ({"body": {"messages": []}}, "non-empty list"),
    ({"body": {"n": 2, "messages": [{"role": "user", "content": "x"}]}}, "n must be 1"),
])
def test_malformed_lines_say_why(line, why):
    with pytest.raises(LineError, match=why):
        parse(line)


def test_structured_output_keys_become_the_items_schema_or_json_object():
    simple = parse({"prompt": "x", "schema": {"type": "object"}})
    body = parse({"body": {"response_format": {"type": "json_object"}, "tools": [],
                           "messages": [{"role": "user", "content": "x"}]}})
    assert simple.schema == {"type": "object"} and not simple.json_object
    assert body.json_object and body.schema is None and body.ignored == ("tools",)
    assert simple.ignored == () and simple.options == body.options == {}