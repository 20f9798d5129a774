"""flag > env > file > default, and REVKA_EXTRA_HEADERS parsing."""

from __future__ import annotations

import json

import pytest

from revka_cli.config.env import merge_headers, parse_extra_headers


def show(revka, env=None):
    res = revka("config", "show", "--json", env=env)
    assert res.exit_code == 0, res
    return json.loads(res.stdout), res


def test_env_overrides_file(revka, write_config):
    write_config('default_provider = "vllm"\ndefault_model = "a"\nprovider_timeout_secs = 30\n'
                 '[runtime]\nreasoning_enabled = false\n')
    data, _ = show(revka, {"REVKA_PROVIDER": "sglang", "REVKA_MODEL": "b",
                           "REVKA_PROVIDER_URL": "http://gpu:30000/v1",
                           "REVKA_PROVIDER_TIMEOUT_SECS": "7.5", "REVKA_REASONING_ENABLED": "yes",
                           "REVKA_REASONING_EFFORT": "HIGH"})
    assert (data["default_provider"], data["default_model"]) == ("sglang", "b")
    assert data["api_url"] == "http://gpu:30000/v1" and data["provider_timeout_secs"] == 7.5
    assert data["runtime"] == {"reasoning_enabled": True, "reasoning_effort": "high"}


def test_origins_are_reported(revka, write_config):
    write_config('default_provider = "vllm"\n')
    res = revka("config", "show", env={"REVKA_MODEL": "m"})
    assert "default_provider from file, default_model from env REVKA_MODEL" in res.stdout


@pytest.mark.parametrize("name, value", [
    ("REVKA_PROVIDER_TIMEOUT_SECS", "soon"), ("REVKA_PROVIDER_TIMEOUT_SECS", "-1"),
    ("REVKA_REASONING_ENABLED", "maybe"), ("REVKA_REASONING_EFFORT", "max"),
    ("REVKA_PROVIDER_URL", "localhost:11434"), ("REVKA_PROVIDER", "olama"),
])
def test_bad_env_values_are_config_errors(revka, name, value):
    res = revka("config", "show", env={name: value})
    assert res.exit_code == 3
    assert res.stderr.startswith("revka: error: invalid config:")
    assert name in res.stderr.splitlines()[0]


def test_extra_headers_parsing_rules():
    headers, warnings, errors = parse_extra_headers(
        " X-Title : revka ,X-Empty:, bad ,:novalue,X-Url:http://a:b")
    assert headers == {"X-Title": "revka", "X-Empty": "", "X-Url": "http://a:b"}
    assert warnings == ["skipped entry 3: expected Key:Value",
                        "skipped entry 4: the header name is empty"]
    assert errors == []


def test_env_headers_override_config_headers_case_insensitively(revka, write_config):
    write_config('[extra_headers]\n"X-Title" = "file"\n"X-Keep" = "k"\n')
    data, res = show(revka, {"REVKA_EXTRA_HEADERS": "x-title:env,broken"})
    assert data["extra_headers"] == {"X-Keep": "k", "x-title": "env"}
    assert "REVKA_EXTRA_HEADERS: skipped entry 2: expected Key:Value" in res.stderr
    assert merge_headers({"A": "1"}, {"a": "2"}) == {"a": "2"}


def test_secrets_are_redacted_in_show(revka, write_config):
    canary = "sk-canary-AAAABBBBCCCCDDDD9z9z"
    write_config(f'default_provider = "vllm"\napi_key = "{canary}"\n'
                 f'[extra_headers]\nAuthorization = "Bearer {canary}"\n'
                 f'[providers.sglang]\napi_key = "short"\n'
                 f'[models.custom]\nurl = "http://x/v1"\napi_key = "{canary}"\n')
    for args in (("config", "show"), ("config", "show", "--json")):
        res = revka(*args)
        assert res.exit_code == 0
        assert canary not in res.stdout + res.stderr
        assert canary[:-4] not in res.stdout
    data = json.loads(revka("config", "show", "--json").stdout)
    assert data["api_key"] == "****9z9z" and data["providers"]["sglang"]["api_key"] == "****"


def test_revka_api_key_counts_for_the_default_provider_only(revka, write_config):
    # the same rule as at run time: a fallback never gets REVKA_API_KEY
    write_config('default_provider = "openai"\n[reliability]\nfallback_providers = ["groq"]\n')
    res = revka("config", "validate", "--json", "--strict", env={"REVKA_API_KEY": "sk-x"})
    doc = json.loads(res.stdout)
    assert res.exit_code == 3 and doc["errors"] == []  # an unusable fallback is only a warning
    assert [(w["key"], w["message"].split(":")[0]) for w in doc["warnings"]] == [
        ("reliability.fallback_providers",
         "fallback groq cannot be used")]
