"""Hostile values (issue 13, §5): nan, infinity and out-of-range numbers, unsendable headers, and
unusable files at the default config location are refused where they enter (file with line,
variable, flag), and whatever validates works at run time against a loopback server."""

from __future__ import annotations

import json
import os

import pytest

from tests.cli.chatkit import openai_text, sse
from tests.config.hostilekit import only_error, probe
from tests.servers import Reply

PATH = "/v1/chat/completions"


# --- 3. numbers ------------------------------------------------------------------------------

NUMBER_KEYS = [("provider_timeout_secs", ""), ("connect_timeout_secs", "[pacing]\n"),
               ("first_token_timeout_secs", "[pacing]\n"), ("step_timeout_secs", "[pacing]\n"),
               ("timeout_secs", "[providers.vllm]\n"), ("default_temperature", ""),
               ("max_image_size_mb", "[multimodal]\n"), ("max_ttft", "[providers.vllm.doctor]\n"),
               ("min_tps", "[providers.vllm.doctor]\n")]


@pytest.mark.parametrize("key, table", NUMBER_KEYS)
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
def test_nan_and_infinity_are_refused_in_every_number_field(tmp_path, revka, key, table, value):
    path = tmp_path / "config.toml"
    path.write_text(f'default_provider = "vllm"\n{table}{key} = {value}\n')
    error = only_error(revka, path, "must be a finite number", 2 if not table else 3)
    assert error["key"].endswith(key)


@pytest.mark.parametrize("text, key", [
    ("provider_timeout_secs = 1e300\n", "provider_timeout_secs"),
    ("[pacing]\nconnect_timeout_secs = 100000\n", "pacing.connect_timeout_secs"),
    ("provider_max_tokens = 99999999999999999999\n", "provider_max_tokens"),
    ("[reliability]\nprovider_backoff_ms = 99999999999999999999\n", "reliability.provider_backoff_ms"),
    ("[providers.vllm.doctor]\nmax_ttft = 1e300\n", "providers.vllm.doctor.max_ttft"),
])
def test_numbers_past_their_range_are_refused(tmp_path, revka, text, key):
    path = tmp_path / "config.toml"
    path.write_text(text)
    error = only_error(revka, path, "must be at most")
    assert error["key"] == key


@pytest.mark.parametrize("name, value", [("config.yaml", ".nan"), ("config.yaml", ".inf")])
def test_yaml_nan_and_infinity_are_refused(tmp_path, revka, name, value):
    path = tmp_path / name
    path.write_text(f"pacing:\n  step_timeout_secs: {value}\n")
    only_error(revka, path, "must be a finite number", 2)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "1e300", "0", "-1", "ten"])
def test_timeout_variable_is_checked(revka, value):
    res = revka("config", "validate", env={"REVKA_PROVIDER_TIMEOUT_SECS": value})
    assert res.exit_code == 3 and "REVKA_PROVIDER_TIMEOUT_SECS" in res.stdout, res
    assert "internal" not in res.stderr


@pytest.mark.parametrize("flag, value", [("--timeout", "nan"), ("--timeout", "inf"),
                                         ("--timeout", "1e300"), ("--temperature", "nan"),
                                         ("--max-tokens", "99999999999999")])
def test_number_flags_are_usage_errors(server, revka, write_config, flag, value):
    write_config(f'default_provider = "vllm"\napi_url = "{server.url}/v1"\ndefault_model = "m"\n')
    res = revka("chat", flag, value, "hi")
    assert res.exit_code == 2 and flag in res.stderr and "internal" not in res.stderr, res
    assert server.requests == []


def test_number_flags_in_the_fast_path_fall_back_to_the_same_usage_error(tmp_path):
    code, _, _, stderr = probe(["chat", "--timeout", "nan", "hi"], tmp_path)
    assert code == 2 and "must be a finite number" in stderr and "internal" not in stderr


def test_doctor_timeout_flag_is_checked(revka):
    res = revka("doctor", "models", "--timeout", "inf")
    assert res.exit_code == 2 and "must be a finite number" in res.stderr


def test_numbers_that_validate_work_at_run_time(server, revka, write_config):
    server.route("POST", PATH, Reply.sse(sse(*openai_text("fine"))))
    write_config(f'default_provider = "vllm"\napi_url = "{server.url}/v1"\ndefault_model = "m"\n'
                 'provider_timeout_secs = 86400\nprovider_max_tokens = 2147483647\n'
                 '[pacing]\nconnect_timeout_secs = 86400\nstep_timeout_secs = 86400\n'
                 'first_token_timeout_secs = 86400\n')
    assert revka("config", "validate").exit_code == 0
    res = revka("chat", "--timeout", "86400", "hi")
    assert res.exit_code == 0 and res.stdout.startswith("fine"), res


# --- 4. headers ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, phrase", [
    ("a\\r\\nX-Injected: 1", "line break"), ("a\\nb", "line break"), ("a\\u0000b", "control"),
    ("caf\\u00e9", "non-ASCII"), ("\\u20ac", "non-ASCII"), ("a\\u007fb", "control"),
])
@pytest.mark.parametrize("table", ["[extra_headers]", "[providers.vllm.extra_headers]"])
def test_unsendable_header_values_are_refused_without_showing_them(tmp_path, revka, value, phrase,
                                                                   table):
    path = tmp_path / "config.toml"
    path.write_text(f'{table}\nAuthorization = "Bearer sk-secret-{value}"\n')
    error = only_error(revka, path, phrase, 2)
    assert "'Authorization'" in error["message"]
    res = revka("--config", str(path), "chat", "hi")
    assert res.exit_code == 3 and "sk-secret" not in res.stdout + res.stderr


@pytest.mark.parametrize("text, phrase", [
    ("X-A:a\u00e9b", "non-ASCII"), ("Authorization:Bearer sk-secret-\u20ac", "non-ASCII"),
    ("X B:1", "not a valid HTTP header name"), ("X-A:a\rb", "line break"),
    ("X\u00e9:1", "not a valid HTTP header name"),
])
def test_unsendable_headers_in_the_variable_are_refused(revka, text, phrase):
    res = revka("config", "validate", env={"REVKA_EXTRA_HEADERS": text})
    assert res.exit_code == 3 and phrase in res.stdout and "REVKA_EXTRA_HEADERS" in res.stdout, res
    assert "sk-secret" not in res.stdout + res.stderr
    chat = revka("chat", "hi", env={"REVKA_EXTRA_HEADERS": text})
    assert chat.exit_code == 3 and "internal" not in chat.stderr


def test_sendable_headers_arrive_trimmed(server, revka, write_config):
    server.route("POST", PATH, Reply.sse(sse(*openai_text("ok"))))
    write_config(f'default_provider = "vllm"\napi_url = "{server.url}/v1"\ndefault_model = "m"\n'
                 '[extra_headers]\nX-Pad = "  padded\\tvalue  "\nX-Empty = ""\n')
    assert revka("config", "validate").exit_code == 0
    res = revka("chat", "hi", env={"REVKA_EXTRA_HEADERS": "X-Env: e v "})
    assert res.exit_code == 0, res
    sent = server.requests[-1].headers
    assert sent["x-pad"] == "padded\tvalue" and sent["x-env"] == "e v" and sent["x-empty"] == ""


# --- 5. files that cannot be used at the default location --------------------------------------

def _default(isolated_env, name="config.toml"):
    folder = isolated_env / ".config" / "revka"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


@pytest.mark.parametrize("kind, phrase", [
    ("loop", "symbolic link loop"), ("dangling", "which does not exist"),
    ("folder", "is a directory"), ("fifo", "is empty"), ("device", "not a regular file"),
])
@pytest.mark.parametrize("name", ["config.toml", "config.yaml"])
def test_unusable_default_config_is_an_error_not_defaults(isolated_env, revka, kind, phrase, name):
    path = _default(isolated_env, name)
    if kind == "loop":
        path.symlink_to(path.name)
    elif kind == "dangling":
        path.symlink_to(isolated_env / "gone.toml")
    elif kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/null")
    res = revka("config", "validate", "--json")
    report = json.loads(res.stdout)
    assert res.exit_code == 3 and report["file"] == str(path), res
    assert phrase in report["errors"][0]["message"]
    chat = revka("chat", "hi")
    assert chat.exit_code == 3 and phrase in chat.stderr and "internal" not in chat.stderr


def test_tab_completion_does_not_block_on_a_pipe_at_the_config_path(isolated_env):
    import subprocess
    import sys

    os.mkfifo(_default(isolated_env, "config.toml"))
    code = ("from revka_cli.catalog.complete import read_config; "
            "print(read_config(None, needles=('available_models',)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20,
                          env=dict(os.environ))
    assert proc.returncode == 0 and proc.stdout.strip() == "{}", proc


def test_doctor_thresholds_validate_and_reach_the_settings(tmp_path, revka):
    from revka_cli.config import require_config

    path = tmp_path / "config.toml"
    path.write_text('[providers.vllm.doctor]\nmax_ttft = 0\n')
    only_error(revka, path, "must be at least")
    path.write_text('[providers.vllm.doctor]\nmax_ttft = 2.5\nmin_tps = 10\nmin_ttft = 1\n')
    path.chmod(0o600)
    loaded = require_config(str(path))
    assert loaded.config.providers["vllm"].doctor.max_ttft == 2.5
    assert loaded.config.providers["vllm"].doctor.min_tps == 10
    assert any("unknown key 'min_ttft'" in w.format() for w in loaded.warnings)
