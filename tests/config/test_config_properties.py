"""Properties over hostile configs (issue 13, §7): for any config file bytes (TOML or YAML: random
bytes, deep nesting, aliases, hostile numbers and headers) and any REVKA_* values, `config
validate` and `chat` against a loopback server end within a deadline with a documented exit code,
never "internal error" or a traceback; and a config that validates never fails chat with a config
or internal error. In-process runs for the bulk, a few in a fresh interpreter.

REVKA_FUZZ_EXAMPLES raises the example count (default 60 per property; CI runs them all in well
under a minute on 2 cores)."""

from __future__ import annotations

import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revka_cli.errors import EXIT_CODES
from tests.cli.chatkit import openai_text, sse
from tests.servers import FakeServer, Reply

PATH = "/v1/chat/completions"
DOCUMENTED = {code for code, _ in EXIT_CODES}
DEADLINE_SECS = 10.0
EXAMPLES = int(os.environ.get("REVKA_FUZZ_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])

NUMBERS = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "+inf", "1e400", "1e300", "0", "-1", "0.0001",
                     "86400", "86401", "2147483648", "1" * 400, "1" * 5000, "0x10", "1_000",
                     "true", '"5"', "[]", "{}"]),
    st.floats().map(repr), st.integers(-2**70, 2**70).map(str))
TEXTS = st.one_of(st.text(max_size=20), st.sampled_from(
    ["a\r\nX-Evil: 1", "caf\u00e9", "\u20ac", "a\x00b", "\x1b]52;c;SGVsbG8=\x07", " pad ", "\ud800"]))
# what an environment variable can hold: no NUL, no lone surrogate
ENV_TEXTS = TEXTS.filter(lambda t: "\x00" not in t and not any("\ud800" <= c <= "\udfff" for c in t))
NUMBER_KEYS = ["provider_timeout_secs", "default_temperature", "provider_max_tokens",
               "pacing.connect_timeout_secs", "pacing.first_token_timeout_secs",
               "pacing.step_timeout_secs", "providers.vllm.timeout_secs",
               "multimodal.max_images", "multimodal.max_image_size_mb",
               "reliability.provider_backoff_ms"]
HEADER_KEYS = ["extra_headers", "providers.vllm.extra_headers"]
ENV_VALUES = st.fixed_dictionaries({}, optional={
    "REVKA_PROVIDER_TIMEOUT_SECS": st.one_of(NUMBERS, ENV_TEXTS),
    "REVKA_EXTRA_HEADERS": st.one_of(ENV_TEXTS, st.lists(st.tuples(ENV_TEXTS, ENV_TEXTS), max_size=3).map(
        lambda pairs: ",".join(f"{k}:{v}" for k, v in pairs))),
    "REVKA_REASONING_ENABLED": ENV_TEXTS, "REVKA_REASONING_EFFORT": ENV_TEXTS, "REVKA_MODEL": ENV_TEXTS,
    "REVKA_PROVIDER": st.sampled_from(["vllm", "VLLM", "", " ", "olama", "custom:", "custom:ftp://x"]),
    "REVKA_PROVIDER_URL": st.sampled_from(["", "not a url", "http://[::1", "ftp://x", "http://"]),
})


def _quoted(text: str) -> str:
    return json.dumps(text)  # a TOML basic string (a lone surrogate makes it a syntax error)


def _toml(entries: dict[str, str], server_url: str) -> str:
    """Render {dotted key: raw TOML value} under a working base config."""
    top = [f'default_provider = "vllm"', f'api_url = "{server_url}/v1"', 'default_model = "m"',
           "[reliability]", "provider_retries = 0"]
    tables: dict[str, list[str]] = {}
    for key, value in entries.items():
        table, _, leaf = key.rpartition(".")
        tables.setdefault(table, []).append(f"{json.dumps(leaf)} = {value}")
    lines = top[:3] + tables.pop("", [])
    tables.setdefault("reliability", []).append("provider_retries = 0")
    for table, rows in tables.items():
        lines += [f"[{table}]", *rows]
    return "\n".join(lines) + "\n"


HOSTILE_ENTRIES = st.dictionaries(
    st.sampled_from(NUMBER_KEYS + [f"{h}.{n}" for h in HEADER_KEYS
                                   for n in ("X-A", "Authorization", "X B", "X\u00e9")]),
    st.one_of(NUMBERS, TEXTS.map(_quoted)), max_size=4)


def deep_text(kind: str, depth: int) -> str:
    return {"toml_array": "x = " + "[" * depth + "]" * depth,
            "toml_table": "x = " + "{a = " * depth + "1" + "}" * depth,
            "toml_dotted": "a" + ".a" * depth + " = 1",
            "yaml_flow": "x: " + "[" * depth + "]" * depth,
            "yaml_block": "x:\n" + "".join(" " * i + "- \n" for i in range(1, depth)),
            "yaml_bomb": "a0: &a0 {k: v}\n" + "".join(
                f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]\n" for i in range(1, depth % 40 + 2)),
            }[kind] + "\n"


FILES = st.one_of(
    st.tuples(st.sampled_from(["c.toml", "c.yaml"]), st.binary(max_size=300)),
    st.tuples(st.sampled_from(["c.toml", "c.yaml"]),
              st.text(alphabet="[]{}&*:-=,.\"'#\n ab<", max_size=200).map(str.encode)),
    st.builds(lambda kind, depth: (("c.toml" if kind.startswith("toml") else "c.yaml"),
                                   deep_text(kind, depth).encode()),
              st.sampled_from(["toml_array", "toml_table", "toml_dotted", "yaml_flow",
                               "yaml_block", "yaml_bomb"]),
              st.integers(1, 3000)),
)


@pytest.fixture(scope="module")
def answering_server():
    with FakeServer() as srv:
        srv.route("POST", PATH, Reply.sse(sse(*openai_text("ok"))))
        yield srv


def check_run(res, started: float) -> None:
    assert time.monotonic() - started < DEADLINE_SECS, res
    assert res.exit_code in DOCUMENTED, res
    assert "internal error" not in res.stderr and "Traceback" not in res.stderr + res.stdout, res


def validate_then_chat(revka, path, env: dict, *chat_args: str) -> tuple:
    started = time.monotonic()
    checked = revka("config", "validate", str(path), "--json", env=env)
    check_run(checked, started)
    started = time.monotonic()
    chat = revka("--config", str(path), "chat", *chat_args, "hi", env=env)
    check_run(chat, started)
    return checked, chat


def assert_validate_means_chat_works(checked, chat) -> None:
    """validate's promise: a config it passes (here: one that names the answering server and a
    model) does not fail at run time."""
    if checked.exit_code == 0:
        assert chat.exit_code == 0 and chat.stdout == "ok\n", (checked, chat)


@SETTINGS
@given(FILES, ENV_VALUES)
def test_any_config_bytes_and_environment_end_cleanly(tmp_path, revka, answering_server, file, env):
    name, data = file
    path = tmp_path / name
    path.write_bytes(data)
    # the flags keep chat on the loopback server whatever the file or variables say
    validate_then_chat(revka, path, env, "-p", f"custom:{answering_server.url}/v1", "-m", "m")


@SETTINGS
@given(HOSTILE_ENTRIES, ENV_VALUES)
def test_hostile_values_validate_only_when_chat_works(tmp_path, revka, answering_server, entries,
                                                      env):
    path = tmp_path / "c.toml"
    path.write_text(_toml(entries, answering_server.url), encoding="utf-8", errors="surrogatepass")
    assert_validate_means_chat_works(*validate_then_chat(revka, path, env))


@SETTINGS
@given(HOSTILE_ENTRIES)
def test_hostile_values_as_yaml(tmp_path, revka, answering_server, entries):
    import yaml

    nested: dict = {"default_provider": "vllm", "api_url": f"{answering_server.url}/v1",
                    "default_model": "m", "reliability": {"provider_retries": 0}}
    for key, raw in entries.items():
        *tables, leaf = key.split(".")
        node = nested
        for table in tables:
            node = node.setdefault(table, {})
        node[leaf] = _yaml_value(raw)
    path = tmp_path / "c.yaml"
    try:
        path.write_text(yaml.safe_dump(nested), encoding="utf-8")
    except UnicodeEncodeError:  # a lone surrogate: not representable, nothing to test
        return
    assert_validate_means_chat_works(*validate_then_chat(revka, path, {}))


def _yaml_value(raw: str):
    import yaml

    if raw[:1] == '"':
        return json.loads(raw)
    try:
        return yaml.safe_load(raw)
    except (ValueError, yaml.YAMLError):  # e.g. 5000 digits: keep it as text
        return raw


HOSTILE_FILES = [
    ("c.yaml", "a0: &a0 {k: v}\n" + "".join(f"a{i}: &a{i} {{x: *a{i - 1}, y: *a{i - 1}}}\n"
                                            for i in range(1, 30))),
    ("c.toml", "x = " + "[" * 490 + "]" * 490 + "\n"),
    ("c.toml", "provider_timeout_secs = nan\n"),
    ("c.toml", '[extra_headers]\nX-A = "a\\r\\nb"\n'),
]


@pytest.mark.parametrize("name, text", HOSTILE_FILES, ids=["bomb", "deep", "nan", "crlf"])
def test_in_a_fresh_interpreter(tmp_path, revka_proc, name, text):
    path = tmp_path / name
    path.write_text(text)
    for args in (("config", "validate", str(path)), ("--config", str(path), "chat", "hi")):
        started = time.monotonic()
        res = revka_proc(*args, timeout=DEADLINE_SECS)
        check_run(res, started)
        assert res.exit_code == 3 and "revka: error: invalid config" in res.stderr, res
