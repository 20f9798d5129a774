"""`revka doctor models` against a mix of local servers in one run."""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

from tests.doctor.conftest import CANARY, delayed, models_reply, ollama_tags
from tests.servers import Reply, closed_port

TIMEOUT = 1.5
STEPS = ["config", "connect", "ready", "auth", "model"]
# the providers of the mix that answer at once (no hang, no slow answer)
QUICK = ["-p", "ollama", "-p", "vllm", "-p", "litellm", "-p", "sglang", "-p", "llamacpp"]


@pytest.fixture
def mix(servers, write_config):
    """Seven providers: ollama ok, vllm ok, litellm 401, sglang model missing, llamacpp refused,
    osaurus accepting but never answering, custom answering after 0.8 s."""
    ollama = servers().route("GET", "/api/tags", ollama_tags("llama3.2:latest", "qwen2.5:7b"))
    healthy = servers().route("GET", "/v1/models", models_reply("qwen-7b", "other"))
    denied = servers().route("GET", "/v1/models", Reply.json(
        {"error": {"message": f"invalid api key {CANARY}"}}, 401))
    missing = servers().route("GET", "/v1/models", models_reply("something-else"))
    hanging = servers().route("GET", "/v1/models", Reply(hang=30))
    slow = servers().route("GET", "/v1/models", models_reply("slow-model", delay=0.8))
    write_config(f"""
default_provider = "ollama"
default_model = "llama3.2"

[reliability]
fallback_providers = ["vllm", "litellm", "sglang", "llamacpp", "osaurus"]

[providers.ollama]
api_url = "{ollama.url}"

[providers.vllm]
api_url = "{healthy.url}/v1"
default_model = "qwen-7b"

[providers.litellm]
api_url = "{denied.url}/v1"
api_key = "{CANARY}"
default_model = "gpt-x"

[providers.sglang]
api_url = "{missing.url}/v1"
default_model = "qwen-7b"

[providers.llamacpp]
api_url = "http://127.0.0.1:{closed_port()}/v1"
default_model = "m"

[providers.osaurus]
api_url = "{hanging.url}/v1"
default_model = "m"

[models.custom]
url = "{slow.url}/v1"
available_models = {{ "slow-model" = 4096 }}
""")
    return {"ollama": ollama, "vllm": healthy, "litellm": denied, "custom": slow}


def run_json(revka, *args):
    started = time.monotonic()
    res = revka("doctor", "models", "--json", *args)
    elapsed = time.monotonic() - started
    return res, json.loads(res.stdout), elapsed


def statuses(provider: dict) -> dict[str, str]:
    return {c["name"]: c["status"] for c in provider["checks"]}


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text and CANARY[8:] not in text and CANARY[:-4] not in text


def test_mixed_servers_in_one_run(mix, revka):
    res, data, elapsed = run_json(revka, "--timeout", str(TIMEOUT))
    assert res.exit_code == 1 and data["ok"] is False
    by = {p["provider"]: p for p in data["providers"]}
    assert list(by) == ["ollama", "vllm", "litellm", "sglang", "llamacpp", "osaurus", "custom"]
    expected = {
        "ollama": ("ok", 0, None), "vllm": ("ok", 0, None), "custom": ("ok", 0, None),
        "litellm": ("fail", 4, "auth"), "sglang": ("fail", 5, "model"),
        "llamacpp": ("fail", 6, "connect"), "osaurus": ("fail", 6, "auth"),
    }
    for name, (status, code, failed) in expected.items():
        provider = by[name]
        assert (provider["status"], provider["exit_code"]) == (status, code), provider
        checks = statuses(provider)
        assert list(checks) == STEPS
        if failed:
            assert checks[failed] == "fail"
            after = STEPS[STEPS.index(failed) + 1:]
            assert all(checks[s] == "skip" for s in after), checks
    assert by["ollama"]["model"] == "llama3.2" and by["ollama"]["model_count"] == 2
    assert by["custom"]["model_count"] == 1 and by["custom"]["latency_ms"] >= 700
    sglang_model = by["sglang"]["checks"][4]
    assert "'qwen-7b' is not served" in sglang_model["detail"]
    assert sglang_model["hint"] == "revka models list --provider sglang"
    assert "refused" in by["llamacpp"]["checks"][1]["detail"]
    assert by["osaurus"]["latency_ms"] >= TIMEOUT * 1000 * 0.9
    assert elapsed < TIMEOUT + 1.0, f"took {elapsed:.2f} s: probes did not run concurrently"
    assert_clean(res.stdout, res.stderr)


def test_ollama_is_probed_through_api_tags(mix, revka):
    res, data, _ = run_json(revka, "--provider", "ollama")
    assert res.exit_code == 0
    assert [r.path for r in mix["ollama"].requests] == ["/api/version", "/api/tags"]
    assert data["providers"][0]["checks"][4]["detail"] == "serves 'llama3.2' (2 models)"


def test_ten_providers_answering_in_one_second_take_about_one_second(servers, write_config,
                                                                       revka):
    urls, tables = [], ""
    for i in range(10):  # one server each: a real fleet, and no shared listen backlog
        srv = servers().route("GET", f"/p{i}/v1/models",
                              delayed(Reply.json({"data": [{"id": "m"}]}), 1.0))
        urls.append(f"custom:{srv.url}/p{i}/v1")
        tables += f'[providers."{urls[-1]}"]\ndefault_model = "m"\n'
    fallbacks = ", ".join(f'"{u}"' for u in urls[1:])
    write_config(f'default_provider = "{urls[0]}"\n[reliability]\nfallback_providers = '
                 f"[{fallbacks}]\n{tables}")
    res, data, elapsed = run_json(revka)
    assert res.exit_code == 0, res
    assert len(data["providers"]) == 10 and all(p["status"] == "ok" for p in data["providers"])
    assert all(p["latency_ms"] >= 1000 for p in data["providers"])
    assert elapsed < 2.5, f"10 providers took {elapsed:.2f} s"


def test_json_schema(mix, revka):
    res, data, _ = run_json(revka, "--timeout", str(TIMEOUT), "-p", "vllm", "-p", "litellm")
    assert set(data) >= {"revka_version", "timestamp", "ok", "providers"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["timestamp"])
    datetime.fromisoformat(data["timestamp"].replace("Z", "+00:00"))
    for provider in data["providers"]:
        assert set(provider) >= {"provider", "url", "status", "model", "model_count", "latency_ms",
                                 "exit_code", "checks"}
        for check in provider["checks"]:
            assert set(check) == {"name", "status", "latency_ms", "detail", "hint"}
            assert check["status"] in ("ok", "warn", "fail", "skip")
    assert [p["provider"] for p in data["providers"]] == ["vllm", "litellm"]
    assert_clean(res.stdout, res.stderr)


def test_junit_report_parses(mix, revka, tmp_path):
    path = tmp_path / "reports" / "doctor.xml"
    res = revka("doctor", "models", *QUICK, "--junit", str(path))
    assert res.exit_code == 1
    text = path.read_text()
    assert_clean(text)
    suite = ET.fromstring(text)
    assert suite.tag == "testsuite" and suite.get("name") == "revka doctor models"
    cases = suite.findall("testcase")
    assert len(cases) == 5 * len(STEPS) and suite.get("tests") == str(len(cases))
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert failed == {"litellm auth", "sglang model", "llamacpp connect"}
    assert suite.get("failures") == "3"
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert len(skipped) == 1 + 0 + 3 and suite.get("skipped") == "4"  # the steps after a failure
    assert "invalid api key" in next(c for c in cases if c.get("name") == "litellm auth") \
        .find("failure").get("message")


def test_piped_output_is_plain_text(mix, revka):
    res = revka("doctor", "models", *QUICK)
    assert res.exit_code == 1
    assert "\x1b" not in res.stdout
    assert not re.search(r"[\u2500-\u257f]", res.stdout), "box drawing in piped output"
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["PROVIDER", "URL", "STATUS", "LATENCY", "MODELS", "DETAIL"]
    rows = {line.split()[0]: line.split() for line in lines[1:6]}
    assert rows["vllm"][2] == "ok" and rows["litellm"][2] == "fail"
    assert rows["vllm"][5] == "2"  # MODELS
    assert "hint: sglang: revka models list --provider sglang" in lines
    assert lines[-1].startswith("doctor FAILED: 5 providers, 2 ok, 3 fail")
    assert_clean(res.stdout, res.stderr)


def test_allow_fail_lets_optional_providers_fail(mix, revka, tmp_path):
    args = list(QUICK)
    for name in ("litellm", "sglang", "lite-llm"):
        args += ["--allow-fail", name]
    res, data, _ = run_json(revka, *args)
    assert res.exit_code == 1  # llamacpp still fails
    res, data, _ = run_json(revka, *args, "--allow-fail", "llama.cpp", "--junit",
                            str(tmp_path / "j.xml"))
    assert res.exit_code == 0 and data["ok"] is True
    assert {p["provider"] for p in data["providers"] if p["allow_fail"]} == \
        {"litellm", "sglang", "llamacpp"}
    assert [p["status"] for p in data["providers"]] == ["ok", "ok", "fail", "fail", "fail"]
    suite = ET.parse(tmp_path / "j.xml").getroot()
    assert suite.get("failures") == "0"


def test_provider_flag_narrows_the_set(mix, revka):
    res, data, _ = run_json(revka, "--provider", "vllm", "-p", "ollama")
    assert res.exit_code == 0
    assert [p["provider"] for p in data["providers"]] == ["vllm", "ollama"]
    assert not mix["custom"].requests and not mix["litellm"].requests


def test_unknown_provider_flag_is_a_usage_error(mix, revka):
    res = revka("doctor", "models", "--provider", "vllmm")
    assert res.exit_code == 2 and "unknown provider" in res.stderr


def test_invalid_config_exits_3(write_config, revka):
    write_config('default_provider = "nope"\n')
    res = revka("doctor", "models")
    assert res.exit_code == 3 and "invalid config" in res.stderr
    assert res.stdout == ""


def test_warning_passes_unless_strict(servers, write_config, revka):
    srv = servers().route("GET", "/v1/models", models_reply("a", "b"))
    write_config(f'default_provider = "vllm"\n[providers.vllm]\napi_url = "{srv.url}/v1"\n')
    res, data, _ = run_json(revka)
    assert res.exit_code == 0 and data["ok"] is True
    model = data["providers"][0]["checks"][4]
    assert model["status"] == "warn"
    assert model["detail"] == "no model configured for vllm (2 models)"
    res, data, _ = run_json(revka, "--strict")
    assert res.exit_code == 1 and data["ok"] is False
