"""Fuzz the config loader: whatever the file holds, it reports problems and never raises."""

from __future__ import annotations

import json
import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revka_cli.config import load_config
from revka_cli.config.schema import SCHEMA, Table

KEYS = sorted(set(SCHEMA.fields) | {k for t in SCHEMA.fields.values() if isinstance(t, Table)
                                    for k in t.fields} | {"vllm", "ollama", "custom:http://x",
                                                          "available_models", "qwen:7b"})
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                    st.sampled_from(["ollama", "custom:", "custom:http://h/v1", "anthropic-custom:ftp://",
                                     "x:cloud", "custom/qwen", "high", "http://localhost:1/api"]))
KEY = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=12))
TREE = st.recursive(SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                     st.dictionaries(KEY, kids, max_size=5)),
                    max_leaves=25)
SETTINGS = settings(max_examples=int(os.environ.get("REVKA_FUZZ_EXAMPLES", "250")), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def check(path):
    result = load_config(str(path), env={})
    for problem in result.problems:
        assert problem.message and problem.severity in ("error", "warning")
    return result


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(tmp_path, data):
    for name in ("c.toml", "c.yaml"):
        path = tmp_path / name
        path.write_bytes(data)
        check(path)


@SETTINGS
@given(st.dictionaries(KEY, TREE, max_size=8))
def test_arbitrary_structures_as_yaml_never_raise(tmp_path, data):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    check(path)


def _toml_safe(value):
    if isinstance(value, dict):
        return {str(k): _toml_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_toml_safe(v) for v in value if v is not None]
    return value


@SETTINGS
@given(st.dictionaries(KEY, TREE, max_size=8))
def test_arbitrary_structures_as_toml_never_raise(tmp_path, data):
    import tomlkit

    path = tmp_path / "c.toml"
    try:
        text = tomlkit.dumps(_toml_safe(data))
    except Exception:  # noqa: BLE001 - mixed-type arrays etc. that TOML cannot express
        text = json.dumps(data)  # then it's a syntax error for the loader: still must not raise
    path.write_text(text)
    check(path)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["REVKA_PROVIDER", "REVKA_MODEL", "REVKA_PROVIDER_URL",
                                        "REVKA_PROVIDER_TIMEOUT_SECS", "REVKA_REASONING_ENABLED",
                                        "REVKA_REASONING_EFFORT", "REVKA_EXTRA_HEADERS"]),
                       st.text(max_size=40), max_size=7))
def test_arbitrary_environment_never_raises(tmp_path, env):
    result = load_config(str(tmp_path / "missing.toml"), env=env)
    assert result.problems  # the missing file at least
