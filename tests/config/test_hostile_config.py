"""Hostile config files, variables and flags (issue 13, §5): each is refused with exit 3 (exit 2
for a flag) and a located one-line reason, quickly, and never passes `config validate` only to
fail at run time. Chat runs go to a real loopback server."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

from revka_cli.config.limits import MAX_DEPTH, MAX_VALUES
from tests.cli.chatkit import openai_text, sse
from tests.servers import Reply

PATH = "/v1/chat/completions"

# 818 bytes: 30 mappings, each naming the one before twice, expand to 2**30 values
BOMB = "a0: &a0 {k: v}\n" + "".join(f"a{i}: &a{i} {{x: *a{i - 1}, y: *a{i - 1}}}\n" for i in range(1, 30))

PROBE = """
import resource, sys, time
from revka_cli.cli.entry import main
start = time.monotonic()
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write(f"\\nPROBE {code} {time.monotonic() - start:.3f} {peak}\\n")
"""


def probe(args, tmp_path, timeout=20):
    """Run revka in a fresh interpreter: (exit code, seconds in main, peak RSS in KB, output)."""
    import subprocess

    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, timeout=timeout,
                          env=env, text=True)
    code, secs, peak = proc.stderr.rsplit("\nPROBE ", 1)[1].split()
    return int(code), float(secs), int(peak), proc.stdout + proc.stderr


def validate(revka, path):
    res = revka("config", "validate", str(path), "--json")
    return res, json.loads(res.stdout)


def only_error(revka, path, phrase, line=None):
    res, report = validate(revka, path)
    assert res.exit_code == 3 and report["valid"] is False, res
    (error,) = report["errors"]
    assert phrase in error["message"] and error["file"] == str(path)
    if line is not None:
        assert error["line"] == line, error
    return error


# --- 1. alias bombs and sizes ---------------------------------------------------------------

def test_alias_bomb_is_refused_fast_and_small(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(BOMB)
    assert len(BOMB) < 925
    for args in (["config", "validate", str(path)], ["--config", str(path), "chat", "hi"]):
        code, secs, peak_kb, stderr = probe(args, tmp_path)
        assert code == 3 and "too many values" in stderr and "internal error" not in stderr
        assert secs < 1.0 and peak_kb < 100 * 1024, (secs, peak_kb)


@pytest.mark.parametrize("text, phrase", [
    ("a: &a [*a]\n", "refers to a node that contains it"),
    ("base: &b {x: 1}\nlist: [" + ", ".join(["*b"] * (MAX_VALUES // 3)) + "]\n", "too many values"),
    ("m: &m {a: 1, b: 2}\n" + "".join(f"m{i}: &m{i} {{<<: [*m{i - 1 if i > 1 else ''}, "
                                      f"*m{i - 1 if i > 1 else ''}]}}\n" for i in range(1, 24)),
     "too many values"),
])
def test_alias_siblings_are_refused(tmp_path, revka, text, phrase):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    only_error(revka, path, phrase)


def test_aliases_within_the_limit_still_work(tmp_path, revka):
    path = tmp_path / "config.yaml"
    path.write_text("h: &h {X-Team: ml}\nproviders:\n  vllm: {extra_headers: *h}\n"
                    "  sglang: {extra_headers: *h}\n")
    res, report = validate(revka, path)
    assert res.exit_code == 0 and report["errors"] == []
    shown = json.loads(revka("--config", str(path), "config", "show", "--json").stdout)
    assert shown["providers"]["sglang"]["extra_headers"] == {"X-Team": "ml"}


@pytest.mark.parametrize("name", ["config.toml", "config.yaml"])
def test_a_one_megabyte_config_loads_or_is_refused_within_a_second(tmp_path, name):
    line = "k{} = {}\n" if name.endswith(".toml") else "k{}: {}\n"
    text, i = "", 0
    parts = []
    size = 0
    while size < 1000 * 1000:
        part = line.format(i, i)
        parts.append(part)
        size += len(part)
        i += 1
    text = "".join(parts)
    path = tmp_path / name
    path.write_text(text)
    code, secs, peak_kb, stderr = probe(["config", "validate", str(path)], tmp_path)
    assert code == 3 and "too many values" in stderr
    assert secs < 1.0 and peak_kb < 100 * 1024, (secs, peak_kb)


def test_oversized_file_is_refused_unread(tmp_path, revka):
    path = tmp_path / "config.toml"
    path.write_bytes(b"# " + b"x" * (1024 * 1024) + b"\n")
    only_error(revka, path, "is too large")


# --- 2. nesting ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, text, line", [
    ("config.toml", "# deep\nx = " + "[" * 490 + "]" * 490 + "\n", 2),
    ("config.toml", "x = " + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n", 1),
    ("config.toml", "a" + ".a" * 20_000 + " = 1\n", 1),
    ("config.toml", "[a" + ".a" * 100 + "]\nb = 1\n", 1),
    ("config.yaml", "x: " + "[" * 5000 + "]" * 5000 + "\n", 1),
    ("config.yaml", "x:\n" + "".join(" " * i + "- \n" for i in range(1, 200)), None),
    ("config.yaml", "x: " + "{a: " * 990 + "1" + "}" * 990 + "\n", 1),
    ("config.yaml", "d: &d " + "[" * 40 + "]" * 40 + "\ne: " + "[" * 40 + "*d" + "]" * 40 + "\n", 2),
])
def test_deep_nesting_is_refused_with_file_and_line(tmp_path, revka, name, text, line):
    path = tmp_path / name
    path.write_text(text)
    start = time.monotonic()
    only_error(revka, path, "nested too deeply", line)
    assert time.monotonic() - start < 2
    res = revka("--config", str(path), "chat", "hi")
    assert res.exit_code == 3 and "nested too deeply" in res.stderr and "internal" not in res.stderr


def test_nesting_at_the_limit_is_fine(tmp_path, revka):
    path = tmp_path / "config.toml"
    path.write_text("x = " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")
    res, report = validate(revka, path)
    assert res.exit_code == 0 and report["errors"] == []


def test_brackets_inside_strings_and_comments_do_not_count(tmp_path, revka):
    path = tmp_path / "config.toml"
    deep = "[" * 200 + "." * 200
    path.write_text(f'# {deep}\ndefault_model = "{deep}"\napi_path = \'{deep}\'\n'
                    f'default_provider = """{deep}\n{deep}"""\n')
    res, report = validate(revka, path)
    assert not any("nested" in e["message"] for e in report["errors"]), report


@pytest.mark.parametrize("name, text", [
    ("config.toml", "provider_max_tokens = " + "1" * 5000 + "\n"),
    ("config.yaml", "provider_max_tokens: " + "1" * 5000 + "\n"),
])
def test_numbers_with_thousands_of_digits_are_config_errors(tmp_path, revka, name, text):
    path = tmp_path / name
    path.write_text(text)
    only_error(revka, path, "too many digits", 1)


def test_impossible_yaml_date_is_a_config_error(tmp_path, revka):
    path = tmp_path / "config.yaml"
    path.write_text("default_model: 2024-13-45\n")
    only_error(revka, path, "YAML value error")


# --- 3. numbers ------------------------------------------------------------------------------

NUMBER_KEYS = [("provider_timeout_secs", ""), ("connect_timeout_secs", "[pacing]\n"),
               ("first_token_timeout_secs", "[pacing]\n"), ("step_timeout_secs", "[pacing]\n"),
               ("timeout_secs", "[providers.vllm]\n"), ("default_temperature", ""),
               ("max_image_size_mb", "[multimodal]\n")]


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
