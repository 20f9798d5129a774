"""Hostile config files (issue 13, §5): alias bombs, huge and deeply nested files are refused with
exit 3 and a located one-line reason, within a second and 100 MB, and never pass `config
validate` only to fail at run time."""

from __future__ import annotations

import json
import time

import pytest

from revka_cli.config.limits import MAX_DEPTH, MAX_VALUES
from tests.config.hostilekit import only_error, probe, validate

# 818 bytes: 30 mappings, each naming the one before twice, expand to 2**30 values
BOMB = "a0: &a0 {k: v}\n" + "".join(f"a{i}: &a{i} {{x: *a{i - 1}, y: *a{i - 1}}}\n" for i in range(1, 30))


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
