"""Where the config comes from, and what happens with files that cannot be used."""

from __future__ import annotations

import json
import os

import pytest


def validate_json(revka, *args):
    res = revka("config", "validate", *args, "--json")
    return res, json.loads(res.stdout)


@pytest.mark.parametrize("content, phrase", [
    (b"", "is empty"),
    (b"   \n\n", "is empty"),
    (b"\x00\x01binary\x00", "looks binary"),
    (b"default_provider = \"caf\xe9\"\n", "is not valid UTF-8"),
    (b"a" * (1024 * 1024 + 10), "is too large"),
])
def test_unusable_files_fail_with_one_clear_problem(tmp_path, revka, content, phrase):
    path = tmp_path / "config.toml"
    path.write_bytes(content)
    res, report = validate_json(revka, str(path))
    assert res.exit_code == 3 and report["valid"] is False
    assert len(report["errors"]) == 1 and phrase in report["errors"][0]["message"]


def test_invalid_utf8_points_at_line_and_column(tmp_path, revka):
    path = tmp_path / "config.toml"
    path.write_bytes(b"# ok\nx = \"\xff\"\n")
    _, report = validate_json(revka, str(path))
    assert (report["errors"][0]["line"], report["errors"][0]["column"]) == (2, 6)


def test_directory_and_missing_file(tmp_path, revka):
    _, report = validate_json(revka, str(tmp_path))
    assert "is a directory" in report["errors"][0]["message"]
    res = revka("--config", str(tmp_path / "nope.toml"), "config", "show")
    assert res.exit_code == 3
    assert res.stderr.splitlines()[0].startswith("revka: error: invalid config:")
    assert "does not exist" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path, revka):
    path = tmp_path / "config.toml"
    path.write_text('default_provider = "ollama"\n')
    path.chmod(0)
    _, report = validate_json(revka, str(path))
    assert "permission denied" in report["errors"][0]["message"]


def test_no_file_means_defaults(revka):
    res, report = validate_json(revka)
    assert res.exit_code == 0 and report == {"valid": True, "file": None, "errors": [], "warnings": []}
    shown = json.loads(revka("config", "show", "--json").stdout)
    assert shown["default_provider"] == "ollama"


def test_lookup_order_flag_then_env_then_xdg(tmp_path, revka, write_config, monkeypatch):
    xdg = write_config('default_provider = "vllm"\n')
    env_file = tmp_path / "env.toml"
    env_file.write_text('default_provider = "sglang"\n')
    flag_file = tmp_path / "flag.yaml"
    flag_file.write_text("default_provider: osaurus\n")

    def provider(*args):
        return json.loads(revka(*args, "config", "show", "--json").stdout)["default_provider"]

    assert provider() == "vllm"
    monkeypatch.setenv("REVKA_CONFIG", str(env_file))
    assert provider() == "sglang"
    assert provider("--config", str(flag_file)) == "osaurus"
    res = revka("config", "path")
    assert res.stdout.strip() == str(env_file) and "REVKA_CONFIG" in res.stderr
    assert xdg.exists()


def test_toml_wins_over_yaml_with_a_warning(revka, write_config):
    toml = write_config('default_provider = "vllm"\n')
    yaml = write_config("default_provider: sglang\n", "config.yaml")
    res = revka("config", "show", "--json")
    assert json.loads(res.stdout)["default_provider"] == "vllm"
    assert "config.toml" in res.stderr and "config.yaml" in res.stderr and "warning" in res.stderr
    path = json.loads(revka("config", "path", "--json").stdout)
    assert path["path"] == str(toml) and path["shadowed"] == str(yaml)


def test_yaml_alone_is_used(revka, write_config):
    write_config("default_provider: vllm\ndefault_model: Qwen/Qwen2.5-7B-Instruct\n", "config.yaml")
    shown = json.loads(revka("config", "show", "--json").stdout)
    assert shown["default_model"] == "Qwen/Qwen2.5-7B-Instruct"


def test_world_readable_config_with_keys_warns(revka, write_config):
    path = write_config('default_provider = "vllm"\napi_key = "sk-canary-0123456789abcdef"\n')
    path.chmod(0o644)
    res = revka("config", "validate")
    assert res.exit_code == 0 and "readable by others" in res.stdout and "chmod 600" in res.stdout
