"""-o/--option, --top-p, --stop and the config's option tables: where each protocol puts them,
the precedence flag > [providers.<id>.options] > [options], and the keys revka refuses."""

from __future__ import annotations

import json

import pytest

from revka_cli.errors import EXIT_CONFIG, EXIT_USAGE
from tests.cli.chatkit import anthropic_text, ndjson, ollama_text, openai_text, sse
from tests.servers import Reply


def _openai(server, write_config, extra=""):
    server.route("POST", "/v1/chat/completions", Reply.sse(sse(*openai_text("ok"))))
    write_config(f'default_provider = "llamacpp"\napi_url = "{server.url}/v1"\n'
                 f'default_model = "m"\n{extra}')


def _ollama(server, write_config, extra=""):
    server.route("POST", "/api/chat", Reply.ndjson(ndjson(*ollama_text("ok"))))
    write_config(f'default_provider = "ollama"\napi_url = "{server.url}"\ndefault_model = "m"\n'
                 f'{extra}')


def _anthropic(server, write_config):
    server.route("POST", "/v1/messages", Reply.sse(anthropic_text("ok")))
    write_config(f'default_provider = "anthropic-custom:{server.url}"\ndefault_model = "c"\n')


def test_openai_options_go_top_level_with_json_values(server, revka, write_config):
    _openai(server, write_config)
    res = revka("chat", "-o", "seed=42", "-o", 'stop=["\\n"]', "-o", "cache_prompt=true",
                "--option", "grammar=root ::= \"x\"", "-o", "min_p=0.05", "hi")
    assert res.exit_code == 0, res
    body = server.requests[0].json()
    assert {k: body[k] for k in ("seed", "stop", "cache_prompt", "grammar", "min_p")} == {
        "seed": 42, "stop": ["\n"], "cache_prompt": True, "grammar": 'root ::= "x"', "min_p": 0.05}


def test_ollama_options_go_under_options_except_top_level_keys(server, revka, write_config):
    _ollama(server, write_config)
    res = revka("chat", "-o", "num_ctx=8192", "-o", "keep_alive=5m", "-o", "top_k=40",
                "--seed", "7", "--top-p", "0.9", "--stop", "END", "hi")
    assert res.exit_code == 0, res
    assert server.requests[0].json() == {
        "model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}],
        "keep_alive": "5m",
        "options": {"seed": 7, "top_p": 0.9, "stop": ["END"], "num_ctx": 8192, "top_k": 40}}


def test_dedicated_flags_per_protocol(server, revka, write_config):
    _openai(server, write_config)
    assert revka("chat", "--top-p", "0.5", "--stop", "a", "--stop", "b", "hi").exit_code == 0
    body = server.requests[0].json()
    assert body["top_p"] == 0.5 and body["stop"] == ["a", "b"]


def test_anthropic_top_p_stop_sequences_and_options(server, revka, write_config):
    _anthropic(server, write_config)
    res = revka("chat", "--top-p", "0.8", "--stop", "END", "-o", "top_k=5", "hi")
    assert res.exit_code == 0, res
    body = server.requests[0].json()
    assert body["top_p"] == 0.8 and body["stop_sequences"] == ["END"] and body["top_k"] == 5
    assert "stop" not in body


def test_precedence_flag_over_provider_table_over_top_level(server, revka, write_config):
    _openai(server, write_config, '[options]\ntop_k = 10\nmin_p = 0.1\nrepeat_penalty = 1.1\n'
                                  '[providers.llamacpp.options]\ntop_k = 20\nmin_p = 0.2\n')
    assert revka("chat", "-o", "top_k=30", "hi").exit_code == 0
    body = server.requests[0].json()
    assert (body["top_k"], body["min_p"], body["repeat_penalty"]) == (30, 0.2, 1.1)


def test_a_null_option_drops_a_config_default(server, revka, write_config):
    _openai(server, write_config, '[options]\ntop_k = 10\n')
    assert revka("chat", "-o", "top_k=null", "hi").exit_code == 0
    assert "top_k" not in server.requests[0].json()


def test_config_options_yield_to_dedicated_flags(server, revka, write_config):
    _openai(server, write_config, '[options]\nseed = 1\ntop_p = 0.1\n')
    assert revka("chat", "--seed", "5", "hi").exit_code == 0
    body = server.requests[0].json()
    assert body["seed"] == 5 and body["top_p"] == 0.1


def test_other_providers_tables_are_not_sent(server, revka, write_config):
    _openai(server, write_config, '[providers.vllm.options]\ntop_k = 99\n')
    assert revka("chat", "hi").exit_code == 0
    assert "top_k" not in server.requests[0].json()


@pytest.mark.parametrize("option, said", [
    ("temperature=0.5", "'temperature' is set by revka from --temperature"),
    ("max_tokens=9", "--max-tokens"),
    ("model=x", "--model"),
    ("stream=false", "--no-stream"),
    ("messages=[]", "the prompt"),
    ("nokey", "is not KEY=VALUE"),
    ("=1", "is not KEY=VALUE"),
    ("x=NaN", "not a JSON number"),
])
def test_refused_options(server, revka, write_config, option, said):
    _openai(server, write_config)
    res = revka("chat", "-o", option, "hi")
    assert res.exit_code == EXIT_USAGE and said in res.stderr and server.requests == []


@pytest.mark.parametrize("args, said", [
    (("--seed", "3", "-o", "seed=4"), "option 'seed' is also set by revka (from --seed)"),
    (("--top-p", "0.3", "-o", "top_p=0.4"), "(from --top-p)"),
    (("--json-object", "-o", "response_format={}"), "(from --schema or --json-object)"),
])
def test_an_option_a_flag_also_sets_is_refused(server, revka, write_config, args, said):
    _openai(server, write_config)
    res = revka("chat", *args, "hi")
    assert res.exit_code == EXIT_USAGE and said in res.stderr and server.requests == []


def test_ollama_format_option_collides_with_json_object(server, revka, write_config):
    _ollama(server, write_config)
    res = revka("chat", "--json-object", "-o", "format=json", "hi")
    assert res.exit_code == EXIT_USAGE and "(from --schema or --json-object)" in res.stderr
    assert revka("chat", "-o", "format=json", "-o", "think=false", "hi").exit_code == 0
    body = server.requests[-1].json()
    assert body["format"] == "json" and body["think"] is False and "options" not in body


def test_config_refuses_reserved_keys_and_bad_values(revka, write_config):
    write_config('[options]\ntemperature = 0.5\nwhen = 1979-05-27\n'
                 '[providers.ollama.options]\nstream = false\nnum_ctx = 4096\n')
    res = revka("config", "validate", "--json")
    doc = json.loads(res.stdout)
    assert res.exit_code == EXIT_CONFIG
    messages = {p["key"]: p["message"] for p in doc["errors"]}
    assert "default_temperature" in messages["options.temperature"]
    assert "cannot be sent in a request" in messages["options.when"]
    assert "--no-stream" in messages["providers.ollama.options.stream"]
    assert "providers.ollama.options.num_ctx" not in messages


def test_config_show_displays_option_tables(revka, write_config):
    write_config('[options]\ntop_k = 40\nstop = ["\\n\\n"]\n[providers.ollama.options]\n'
                 'num_ctx = 8192\nkeep_alive = "5m"\n')
    doc = json.loads(revka("config", "show", "--json").stdout)
    assert doc["options"] == {"top_k": 40, "stop": ["\n\n"]}
    assert doc["providers"]["ollama"]["options"] == {"num_ctx": 8192, "keep_alive": "5m"}
    text = revka("config", "show").stdout
    assert "[options]" in text and "num_ctx = 8192" in text
