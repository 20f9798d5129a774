"""`--chat` as an SLO gate: TTFT, tokens/s, usage and finish reason, the thresholds from flags and
config, and the CI renderings (--format github, JUnit properties)."""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET

from tests.doctor.conftest import delayed, models_reply
from tests.servers import Reply


def chunk(obj) -> bytes:
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def stream(first_delay: float, pieces: int, gap: float, usage: bool = True) -> Reply:
    body: list = [first_delay]
    for i in range(pieces):
        body += [chunk({"choices": [{"index": 0, "delta": {"content": f" {i + 1}"}}]}), gap]
    body.append(chunk({"choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]}))
    if usage:
        body.append(chunk({"choices": [], "usage": {"prompt_tokens": 9,
                                                    "completion_tokens": pieces,
                                                    "total_tokens": 9 + pieces}}))
    return Reply.sse(body + [b"data: [DONE]\n\n"])


def setup(server, write_config, reply: Reply, extra: str = "") -> None:
    server.route("GET", "/v1/models", models_reply("m"))
    server.route("POST", "/v1/chat/completions", reply)
    write_config(f'default_provider = "vllm"\n[providers.vllm]\napi_url = "{server.url}/v1"\n'
                 f'default_model = "m"\n{extra}')


def doctor(revka, *args):
    res = revka("doctor", "models", "--json", "--chat", *args)
    data = json.loads(res.stdout)
    provider = data["providers"][0]
    return res, provider, {c["name"]: c for c in provider["checks"]}


def test_chat_measures_ttft_tokens_per_second_usage_and_finish(server, write_config, revka):
    setup(server, write_config, stream(0.3, 9, 0.05))
    res, provider, found = doctor(revka)
    assert res.exit_code == 0, res
    figures = provider["figures"]
    assert 300 <= figures["ttft_ms"] < 1500
    # 8 tokens after the first over 8 gaps of 50 ms: about 20 tokens/s (a loaded machine: less)
    assert 5 < figures["tokens_per_s"] <= 21
    assert figures["completion_tokens"] == 9 and figures["usage_reported"] is True
    assert figures["finish_reason"] == "length"
    assert re.search(r"first token in 0\.\d{3} s, \d+\.\d tokens/s, 9 tokens, usage reported, "
                     r"finish length", found["chat"]["detail"])
    body = server.requests[-1].json()
    assert body["max_tokens"] == 16 and body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_chat_says_when_no_usage_was_reported(server, write_config, revka):
    setup(server, write_config, stream(0.0, 4, 0.02, usage=False))
    res, provider, found = doctor(revka)
    assert res.exit_code == 0
    assert provider["figures"]["usage_reported"] is False
    assert "no usage reported" in found["chat"]["detail"]


def test_max_ttft_fails_with_the_figure_and_the_threshold(server, write_config, revka):
    setup(server, write_config, stream(0.4, 3, 0.01))
    res, provider, found = doctor(revka, "--max-ttft", "0.1")
    assert res.exit_code == 1 and provider["readiness"] == "degraded"
    chat = found["chat"]
    assert chat["status"] == "fail"
    assert re.match(r"time to first token 0\.\d{3} s is over --max-ttft 0\.1 s", chat["detail"])
    res, _, found = doctor(revka, "--max-ttft", "0.000001")
    assert "is over --max-ttft 0.000001 s" in found["chat"]["detail"]
    assert doctor(revka, "--max-ttft", "30")[0].exit_code == 0


def test_min_tps_fails_below_the_threshold(server, write_config, revka):
    setup(server, write_config, stream(0.0, 5, 0.1))
    res, _, found = doctor(revka, "--min-tps", "1000")
    assert res.exit_code == 1
    assert re.match(r"\d+\.\d tokens/s is under --min-tps 1000", found["chat"]["detail"])
    assert doctor(revka, "--min-tps", "1")[0].exit_code == 0


def test_config_thresholds_apply_and_the_flag_wins(server, write_config, revka):
    setup(server, write_config, stream(0.3, 3, 0.01),
          "[providers.vllm.doctor]\nmax_ttft = 0.05\n")
    res, _, found = doctor(revka)
    assert res.exit_code == 1
    assert "is over providers.vllm.doctor.max_ttft 0.05 s" in found["chat"]["detail"]
    assert doctor(revka, "--max-ttft", "20")[0].exit_code == 0


def test_format_github_prints_workflow_commands_and_a_job_summary(server, write_config, revka,
                                                                  tmp_path):
    setup(server, write_config, stream(0.3, 3, 0.01))
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    res = revka("doctor", "models", "--chat", "--max-ttft", "0.05", "--format", "github",
                env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert res.exit_code == 1
    errors = [line for line in res.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1
    assert errors[0].startswith("::error title=revka doctor%3A vllm chat::time to first token ")
    assert "(hint: " in errors[0]
    assert "doctor FAILED" in res.stdout  # the usual report follows
    text = summary.read_text()
    assert text.startswith("earlier step\n## revka doctor models")
    assert re.search(r"\| vllm \| degraded \| fail \| 0\.\d{3} s \| \d+\.\d \| chat: time", text)


def test_github_escapes_newlines_and_percent(server, write_config, revka):
    server.route("GET", "/v1/models", Reply.json({"error": {"message": "50% down\r\nnow"}}, 401))
    write_config(f'default_provider = "litellm"\n[providers.litellm]\napi_url = "{server.url}/v1"\n'
                 'api_key = "k"\ndefault_model = "m"\n')
    res = revka("doctor", "models", "--format", "github")
    (line,) = [x for x in res.stdout.splitlines() if x.startswith("::error")]
    assert "50%25 down" in line and "\r" not in line


def test_junit_carries_the_chat_figures_as_properties(server, write_config, revka, tmp_path):
    setup(server, write_config, stream(0.2, 4, 0.02))
    path = tmp_path / "doctor.xml"
    res = revka("doctor", "models", "--chat", "--junit", str(path))
    assert res.exit_code == 0
    case = next(c for c in ET.parse(path).getroot() if c.get("name") == "vllm chat")
    props = {p.get("name"): p.get("value") for p in case.find("properties")}
    assert float(props["ttft_ms"]) >= 200 and float(props["tokens_per_s"]) > 0
    assert props["usage_reported"] == "true" and props["finish_reason"] == "length"
    assert float(case.get("time")) >= 0.2


def test_format_and_json_must_agree(server, write_config, revka):
    setup(server, write_config, stream(0.0, 1, 0.0))
    res = revka("doctor", "models", "--json", "--format", "github")
    assert res.exit_code == 2 and "disagree" in res.stderr
    assert revka("doctor", "models", "--format", "yaml").exit_code == 2


def test_concurrency_bounds_the_probes(servers, write_config, revka):
    urls = []
    for _ in range(4):
        srv = servers().route("GET", "/v1/models", delayed(models_reply("m"), 0.5))
        urls.append(f"custom:{srv.url}/v1")
    tables = "".join(f'[providers."{u}"]\ndefault_model = "m"\n' for u in urls)
    rest = ", ".join(f'"{u}"' for u in urls[1:])
    write_config(f'default_provider = "{urls[0]}"\n[reliability]\nfallback_providers = [{rest}]\n'
                 + tables)
    for flag, low, high in (("1", 1.9, 4.0), ("4", 0.45, 1.4)):
        started = time.monotonic()
        res = revka("doctor", "models", "--concurrency", flag)
        elapsed = time.monotonic() - started
        assert res.exit_code == 0, res
        assert low < elapsed < high, f"--concurrency {flag}: {elapsed:.2f} s"


def test_an_unlisted_name_warns_on_llama_server_and_fails_where_names_route(server, write_config,
                                                                           revka):
    server.route("GET", "/v1/models", models_reply("served"))
    write_config(f'default_provider = "llamacpp"\n[reliability]\nfallback_providers = ["vllm"]\n'
                 f'[providers.llamacpp]\napi_url = "{server.url}/v1"\ndefault_model = "other"\n'
                 f'[providers.vllm]\napi_url = "{server.url}/v1"\ndefault_model = "other"\n')
    res = revka("doctor", "models", "--json")
    by = {p["provider"]: {c["name"]: c for c in p["checks"]}
          for p in json.loads(res.stdout)["providers"]}
    assert by["llamacpp"]["model"]["status"] == "warn"
    assert "answers any name with its one model 'served'" in by["llamacpp"]["model"]["detail"]
    assert by["vllm"]["model"]["status"] == "fail"


TOOL_CALL = [chunk({"choices": [{"index": 0, "delta": {"tool_calls": [{
                 "index": 0, "id": "call_1", "type": "function",
                 "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}}]}),
             chunk({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
             b"data: [DONE]\n\n"]


def test_tools_probe_reports_supported_unsupported_and_failed(server, write_config, revka,
                                                              tmp_path):
    setup(server, write_config, Reply.sse(TOOL_CALL))
    res = revka("doctor", "models", "--json", "--tools", "--junit", str(tmp_path / "j.xml"))
    provider = json.loads(res.stdout)["providers"][0]
    tools = {c["name"]: c for c in provider["checks"]}["tools"]
    assert res.exit_code == 0 and tools["status"] == "ok"
    assert tools["detail"] == "supported: 'm' called get_weather (finish tool_calls)"
    assert provider["figures"] == {"tools": "supported"}
    body = server.requests[-1].json()
    assert body["tools"][0]["function"]["name"] == "get_weather"
    case = next(c for c in ET.parse(tmp_path / "j.xml").getroot() if c.get("name") == "vllm tools")
    assert [(p.get("name"), p.get("value")) for p in case.find("properties")] == \
        [("tools", "supported")]

    refusal = {"error": {"code": 500, "message": "tools param requires --jinja flag",
                         "type": "server_error"}}
    server.route("POST", "/v1/chat/completions", Reply.json(refusal, 500))
    res = revka("doctor", "models", "--json", "--tools")
    provider = json.loads(res.stdout)["providers"][0]
    assert res.exit_code == 0 and provider["figures"]["tools"] == "unsupported"
    assert revka("doctor", "models", "--tools", "--strict").exit_code == 1

    server.route("POST", "/v1/chat/completions", stream(0.0, 3, 0.0))
    res = revka("doctor", "models", "--json", "--tools")
    tools = {c["name"]: c for c in json.loads(res.stdout)["providers"][0]["checks"]}["tools"]
    assert tools["status"] == "warn" and "called no tool" in tools["detail"]

    server.route("POST", "/v1/chat/completions", Reply.json({"error": "boom"}, 502))
    res = revka("doctor", "models", "--json", "--tools")
    provider = json.loads(res.stdout)["providers"][0]
    assert res.exit_code == 1 and provider["figures"]["tools"] == "failed"
