"""The typer-free fast paths print exactly what the Typer commands print."""

from __future__ import annotations

from pathlib import Path

import pytest

from revka_cli.cli.fast.run import run_fast

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "configs"
SAMPLES = ["good_full.toml", "good_product_page.yaml", "warn_unknown_key.toml", "bad_types.toml",
           "bad_syntax.yaml", "bad_custom_models_no_url.toml"]


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("flags", [[], ["--json"], ["--strict"], ["--json", "--strict"]])
def test_config_validate_fast_equals_typer(revka, revka_proc, name, flags):
    path = str(CORPUS / name)
    fast = revka_proc("config", "validate", path, *flags)
    typer_run = revka("config", "validate", path, *flags)
    assert (fast.exit_code, fast.stdout, fast.stderr) == \
        (typer_run.exit_code, typer_run.stdout, typer_run.stderr)


def test_config_validate_fast_with_global_config_flag(revka, revka_proc):
    path = str(CORPUS / "bad_unknown_provider.toml")
    fast = revka_proc("--config", path, "--quiet", "config", "validate")
    slow = revka("--config", path, "--quiet", "config", "validate")
    assert (fast.exit_code, fast.stdout, fast.stderr) == (slow.exit_code, slow.stdout, slow.stderr)


def test_models_list_fast_equals_typer(server, revka, revka_proc, write_config):
    from tests.servers import Reply

    server.route("GET", "/api/tags", Reply.json({"models": [
        {"name": "llama3.2:3b", "model": "llama3.2:3b", "size": 2019393189, "details": {}},
        {"name": "qwen2.5-coder:7b", "model": "qwen2.5-coder:7b", "size": 4683087332, "details": {}}]}))
    write_config(f'api_url = "{server.url}"\n[models.custom]\nurl = "http://x/v1"\n'
                 '[models.custom.available_models]\n"my-model" = 8192\n')
    assert revka("models", "refresh").exit_code == 0
    for flags in ([], ["--json"], ["--provider", "ollama"], ["-p", "custom"]):
        fast = revka_proc("models", "list", *flags)
        slow = revka("models", "list", *flags)
        assert fast.exit_code == slow.exit_code == 0
        assert fast.stdout == slow.stdout and fast.stderr == slow.stderr
    assert revka_proc("models", "list").stdout.splitlines() == [
        "ollama/llama3.2:3b", "ollama/qwen2.5-coder:7b", "custom/my-model"]


def test_unusual_arguments_fall_back_to_typer():
    assert run_fast(["--debug", "config", "validate"]) is None
    assert run_fast(["config", "validate", "--bogus"]) is None
    assert run_fast(["config", "validate", "a", "b"]) is None
    assert run_fast(["models", "list", "--refresh"]) is None
    for args in (["chat", "--bogus", "hi"], ["chat", "--temperature", "5", "hi"], ["chat", "a", "b"],
                 ["chat", "-m"], ["chat", "--max-tokens", "0", "hi"], ["chat", "-m", "a", "-m", "b", "hi"],
                 ["--debug", "chat", "hi"], ["chat", "--", "-x"]):
        assert run_fast(args) is None, args


CHAT_CASES = [
    [],
    ["--json"],
    ["-s", "be brief", "--temperature", "0.5", "--max-tokens", "7", "--no-stream"],
    ["--system=sys", "--json", "--show-reasoning", "--timeout", "30"],
    ["--model", "other", "--api-key", "k-123"],
]


@pytest.mark.parametrize("flags", CHAT_CASES)
def test_chat_fast_equals_typer(server, revka, revka_proc, write_config, flags):
    from tests.cli.chatkit import openai_text, sse
    from tests.servers import Reply

    chunks = [{"choices": [{"index": 0, "delta": {"reasoning_content": "hm"}}]}, *openai_text("hi", " there")]
    whole = Reply.json({"choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": "hi there"}}]})
    server.route("POST", "/v1/chat/completions",
                 lambda rec: Reply.sse(sse(*chunks)) if rec.json()["stream"] else whole)
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n')
    fast = revka_proc("chat", "prompt", *flags, input="piped")
    slow = revka("chat", "prompt", *flags, input="piped")
    assert fast.exit_code == slow.exit_code == 0
    strip = lambda out: "\n".join(l for l in out.splitlines() if "_s\":" not in l)  # latency
    assert strip(fast.stdout) == strip(slow.stdout) and fast.stderr == slow.stderr
    first, second = server.requests[-2:]
    assert first.json() == second.json()
    assert first.headers.get("authorization") == second.headers.get("authorization")


def test_chat_fast_path_errors_match_typer(revka, revka_proc):
    for args in (["chat", "hi"], ["chat", "-p", "nope", "-m", "m", "hi"], ["chat", "-p", "vllm"]):
        fast, slow = revka_proc(*args, input=""), revka(*args, input="")
        assert (fast.exit_code, fast.stderr) == (slow.exit_code, slow.stderr), args


def test_models_list_memo_is_exact_and_invalidated_by_every_input(server, revka, revka_proc,
                                                                   write_config, isolated_env):
    from tests.servers import Reply

    tags = {"models": [{"name": "llama3.2:3b", "size": 1}]}
    server.route("GET", "/api/tags", Reply.json(tags))
    config = write_config(f'api_url = "{server.url}"\n')
    assert revka("models", "refresh").exit_code == 0
    memo = isolated_env / ".cache" / "revka" / "list-memo.txt"
    first = revka_proc("models", "list", env={"REVKA_API_KEY": "sk-canary-memo-secret"})
    assert first.stdout == "ollama/llama3.2:3b\n" and memo.exists()
    assert "sk-canary-memo-secret" not in memo.read_text()
    assert revka_proc("models", "list").stdout == first.stdout  # served from the memo
    # a refresh that finds another model rewrites the index: the memo no longer applies
    tags["models"].append({"name": "qwen3:8b", "size": 1})
    server.route("GET", "/api/tags", Reply.json(tags))
    assert revka("models", "refresh", "--force").exit_code == 0
    assert revka_proc("models", "list").stdout == "ollama/llama3.2:3b\nollama/qwen3:8b\n"
    # the config changes: a declared custom catalog appears
    config.write_text(f'api_url = "{server.url}"\n[models.custom]\nurl = "http://x/v1"\n'
                      '[models.custom.available_models]\nmine = 1\n')
    assert revka_proc("models", "list").stdout.endswith("custom/mine\n")
    # a listing variable changes: another provider is the default, with nothing cached for it
    res = revka_proc("models", "list", "--json", env={"REVKA_PROVIDER_URL": "http://127.0.0.1:9"})
    assert "llama3.2:3b" not in res.stdout


def test_models_list_memo_keys_on_every_environment_input(server, revka, revka_proc, write_config,
                                                          isolated_env):
    """A memo on disk never hides an error the full path would report (issue 14)."""
    from revka_cli.config.env import ENV_VARS
    from tests.servers import Reply

    server.route("GET", "/api/tags", Reply.json({"models": [{"name": "llama3.2:3b", "size": 1}]}))
    write_config(f'api_url = "{server.url}"\n')
    assert revka("models", "refresh").exit_code == 0
    assert revka_proc("models", "list").exit_code == 0  # writes the memo
    memo = isolated_env / ".cache" / "revka" / "list-memo.txt"
    assert memo.exists()
    bad = {"REVKA_PROVIDER_TIMEOUT_SECS": "abc"}
    fast, slow = revka_proc("models", "list", env=bad), revka("models", "list", env=bad)
    assert fast.exit_code == slow.exit_code == 3 and fast.stderr == slow.stderr
    from revka_cli.cli.commands.models_cached import env_key

    for name, _ in ENV_VARS:
        if name.startswith("REVKA_"):
            assert env_key({}) != env_key({name: "x"}), name


def test_models_list_memo_never_holds_a_key(revka_proc, server, revka, write_config, isolated_env):
    from revka_cli.cli.commands.models_cached import env_key
    from tests.servers import Reply

    server.route("GET", "/api/tags", Reply.json({"models": [{"name": "m1", "size": 1}]}))
    write_config(f'api_url = "{server.url}"\n')
    assert revka("models", "refresh").exit_code == 0
    secret = "sk-canary-memo-key-0123"
    for name in ("REVKA_API_KEY", "OLLAMA_API_KEY", "OPENAI_API_KEY"):
        assert revka_proc("models", "list", env={name: secret}).exit_code == 0
        memo = (isolated_env / ".cache" / "revka" / "list-memo.txt").read_text()
        assert secret not in memo and f"{name}:set" in memo
    assert env_key({"OPENAI_API_KEY": "a"}) != env_key({})


def test_revka_debug_gives_tracebacks_on_every_path(revka_proc, tmp_path):
    """REVKA_DEBUG=1 used to be ignored by the fast path (issue 14): one boundary serves both."""
    bad = tmp_path / "bad.toml"
    bad.write_text("default_provider = 42\n")
    for args in (["config", "validate", str(bad)],  # answered by the fast path
                 ["--config", str(bad), "config", "show"]):  # by Typer
        plain = revka_proc(*args)
        debug = revka_proc(*args, env={"REVKA_DEBUG": "1"})
        flag = revka_proc("--debug", *args)
        assert plain.exit_code == debug.exit_code == flag.exit_code == 3, args
        assert "Traceback" not in plain.stderr and "Traceback" in debug.stderr, args
        assert "Traceback" in flag.stderr, args
    assert "Traceback" not in revka_proc(*args, env={"REVKA_DEBUG": "0"}).stderr


def test_json_error_document_is_the_same_on_both_paths(revka, revka_proc, write_config):
    import json

    write_config("[reliability]\nprovider_retries = 0\n")
    args = ["chat", "--json", "-p", "custom:http://127.0.0.1:9/v1", "-m", "m", "hi"]
    fast, slow = revka_proc(*args, input=""), revka(*args, input="")
    assert fast.exit_code == slow.exit_code == 6
    docs = [json.loads(fast.stdout), json.loads(slow.stdout)]
    for doc in docs:  # measured times differ run to run; their presence and type must not
        doc["latency"] = {k: type(v).__name__ for k, v in doc["latency"].items()}
    assert docs[0] == docs[1] and fast.stderr == slow.stderr
    assert docs[0]["error"]["exit_code"] == 6
