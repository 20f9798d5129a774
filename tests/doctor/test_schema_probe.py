"""`doctor models --schema`: a structured-output probe reporting supported / unsupported /
failed apart from pass/fail, with the request sent as `chat --schema` sends it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from tests.doctor.test_slo import chunk, setup
from tests.servers import Reply


def answer(text: str) -> Reply:
    return Reply.sse([chunk({"choices": [{"index": 0, "delta": {"content": text}}]}),
                      chunk({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
                      b"data: [DONE]\n\n"])


def schema_of(revka, *args):
    res = revka("doctor", "models", "--json", "--schema", *args)
    provider = json.loads(res.stdout)["providers"][0]
    return res, provider, {c["name"]: c for c in provider["checks"]}["schema"]


def test_a_matching_answer_is_supported_and_the_schema_was_sent(server, write_config, revka,
                                                               tmp_path):
    setup(server, write_config, answer('{"answer": "yes"}'))
    res, provider, check = schema_of(revka, "--junit", str(tmp_path / "j.xml"))
    assert res.exit_code == 0 and check["status"] == "ok"
    assert check["detail"] == """supported: 'm' answered {"answer": "yes"}"""
    assert provider["figures"] == {"schema": "supported"}
    sent = server.requests[-1].json()["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["schema"]["required"] == ["answer"]
    case = next(c for c in ET.parse(tmp_path / "j.xml").getroot() if c.get("name") == "vllm schema")
    assert [(p.get("name"), p.get("value")) for p in case.find("properties")] == \
        [("schema", "supported")]


def test_an_unenforced_or_refused_schema_is_unsupported_and_strict_fails(server, write_config,
                                                                        revka):
    setup(server, write_config, answer("Yes, it is blue."))
    res, provider, check = schema_of(revka)
    assert res.exit_code == 0 and check["status"] == "warn"
    assert check["detail"].startswith("unsupported: the answer did not match (the answer is not JSON")
    assert revka("doctor", "models", "--schema", "--strict").exit_code == 1

    server.route("POST", "/v1/chat/completions",
                 Reply.json({"error": {"message": "response_format is not supported"}}, 400))
    res, provider, check = schema_of(revka)
    assert res.exit_code == 0 and provider["figures"]["schema"] == "unsupported"


def test_a_broken_server_is_failed(server, write_config, revka):
    setup(server, write_config, Reply.json({"error": "boom"}, 502))
    res, provider, check = schema_of(revka)
    assert res.exit_code == 1 and check["status"] == "fail"
    assert provider["figures"]["schema"] == "failed"
