"""Every file in tests/fixtures/configs declares its verdict in its first line; check them all."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "configs"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".toml", ".yaml", ".star"))
_EXPECT = re.compile(r"^# expect: (valid|invalid)(.*)$")
_ITEM = re.compile(r"(warn )?((?:[^@\s]+(?: [^@\s]+)*?)?)@(\d+)(?::(\d+))?")


def expectation(path: Path):
    match = _EXPECT.match(path.read_text().splitlines()[0])
    assert match, f"{path.name} lacks an '# expect:' header"
    errors, warnings = [], []
    for item in _ITEM.finditer(match.group(2)):
        key = (item.group(2).strip(), int(item.group(3)), int(item.group(4)) if item.group(4) else None)
        (warnings if item.group(1) else errors).append(key)
    return match.group(1) == "valid", errors, warnings


def test_corpus_is_large_enough():
    assert len(FILES) >= 25
    assert sum(1 for p in FILES if expectation(p)[0]) >= 8
    assert sum(1 for p in FILES if not expectation(p)[0]) >= 15


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_verdict_location_and_exit_code(path, revka):
    valid, want_errors, want_warnings = expectation(path)
    res = revka("config", "validate", str(path), "--json")
    report = json.loads(res.stdout)
    assert report["valid"] is valid, res
    assert res.exit_code == (0 if valid else 3)
    assert report["file"] == str(path)
    got_errors = [(e["key"], e["line"], e["column"]) for e in report["errors"]]
    for key, line, col in want_errors:
        hits = [g for g in got_errors if g[0] == key and g[1] == line and (col is None or g[2] == col)]
        assert hits, f"expected an error at {key}@{line}:{col}, got {got_errors}"
    got_warnings = [(w["key"], w["line"]) for w in report["warnings"]]
    for key, line, _ in want_warnings:
        assert (key, line) in got_warnings, got_warnings
    if valid:
        assert report["errors"] == []
    for problem in report["errors"] + report["warnings"]:
        assert problem["file"] in (str(path), "environment") and problem["message"]


def test_plain_output_names_file_line_and_key(revka):
    path = CORPUS / "bad_unknown_provider.toml"
    res = revka("config", "validate", str(path))
    assert res.exit_code == 3
    assert f"error: {path}:2:1: default_provider: unknown provider 'olama' (did you mean 'ollama'?)" in res.stdout
    assert res.stderr.startswith("revka: error: invalid config:")
    assert "\nhint: " in res.stderr


def test_custom_models_without_url_uses_the_exact_message(revka):
    res = revka("config", "validate", str(CORPUS / "bad_custom_models_no_url.toml"))
    assert ("models.custom.available_models: declared models [alpha, zeta] require models.custom.url"
            in res.stdout)


def test_unknown_key_suggests_and_fails_only_under_strict(revka):
    path = str(CORPUS / "warn_unknown_key.toml")
    res = revka("config", "validate", path)
    assert res.exit_code == 0
    assert "unknown key 'default_modle' (did you mean 'default_model'?)" in res.stdout
    strict = revka("config", "validate", path, "--strict", "--json")
    assert strict.exit_code == 3
    assert json.loads(strict.stdout)["valid"] is False


def test_clamped_values_show_the_clamped_value(revka):
    res = revka("config", "validate", str(CORPUS / "warn_clamped.toml"))
    assert "multimodal.max_images: 40 is outside 1-16; using 16" in res.stdout
    assert "multimodal.max_image_size_mb: 0.5 is outside 1-20; using 1.0" in res.stdout


def test_syntax_errors_carry_line_and_column(revka):
    res = revka("config", "validate", str(CORPUS / "bad_syntax.toml"), "--json")
    (error,) = json.loads(res.stdout)["errors"]
    assert error["message"].startswith("TOML syntax error")
    assert (error["line"], error["column"]) == (3, 26)
