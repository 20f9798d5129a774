"""A canary key must never appear in any output, log or error, whatever happens."""

from __future__ import annotations

import pytest

from tests.cli.chatkit import openai_text, sse
from tests.servers import Reply

CANARY = "sk-canary-5ecret-Q9Z8Y7X6W5V4"


@pytest.fixture
def canary_config(server, write_config):
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n'
                 f'api_key = "{CANARY}"\n[extra_headers]\nX-Api-Token = "{CANARY}"\n'
                 f'[providers.vllm]\napi_key = "{CANARY}"\napi_url = "{server.url}/v1"\n')
    return server


def assert_clean(res):
    blob = res.stdout + res.stderr
    assert CANARY not in blob and CANARY[8:] not in blob and CANARY[:-4] not in blob, blob


@pytest.mark.parametrize("reply", [
    Reply.sse(sse(*openai_text("fine"))),
    Reply.json({"error": {"message": "invalid key"}}, 401),
    Reply.json({"error": {"message": "down"}}, 500),
    Reply.sse([sse(*openai_text("x")[:2], done=False)], cut=True),
])
@pytest.mark.parametrize("flags", [[], ["--json"], ["--debug"], ["--debug", "--json"]])
def test_chat_never_shows_the_key(canary_config, revka, reply, flags):
    canary_config.route("POST", "/v1/chat/completions", reply)
    debug = [f for f in flags if f == "--debug"]
    rest = [f for f in flags if f != "--debug"]
    res = revka(*debug, "chat", *rest, "hi", env={"OPENAI_API_KEY": CANARY})
    assert_clean(res)
    assert canary_config.requests[-1].headers["authorization"] == f"Bearer {CANARY}"


def test_debug_log_shows_requests_with_credentials_redacted(canary_config, revka):
    canary_config.route("POST", "/v1/chat/completions", Reply.sse(sse(*openai_text("ok"))))
    res = revka("--debug", "chat", "hi")
    assert "revka: debug: POST" in res.stderr and "<redacted>" in res.stderr
    assert_clean(res)


@pytest.mark.parametrize("args", [["config", "show"], ["config", "show", "--json"],
                                  ["config", "validate"], ["config", "validate", "--json"],
                                  ["config", "path"]])
def test_config_commands_never_show_the_key(canary_config, revka, args):
    assert_clean(revka(*args))


def test_rejected_key_over_plain_http_is_not_echoed(revka):
    res = revka("chat", "-p", "custom:http://gpu.example:8000/v1", "-m", "m", "hi",
                env={"REVKA_API_KEY": CANARY})
    assert res.exit_code == 3
    assert_clean(res)


@pytest.mark.parametrize("reply", [Reply.json({"data": [{"id": "m"}]}),
                                   Reply.json({"error": {"message": "bad key"}}, 401)])
@pytest.mark.parametrize("args", [["models", "refresh"], ["models", "list"], ["models", "list", "--json"],
                                  ["models", "status"], ["models", "set", "m", "--force"],
                                  ["doctor", "models"], ["doctor", "models", "--json"],
                                  ["--debug", "models", "refresh", "--force"]])
def test_models_and_doctor_never_show_the_key(canary_config, revka, reply, args):
    canary_config.route("GET", "/v1/models", reply)
    res = revka(*args, env={"VLLM_API_KEY": CANARY})
    assert_clean(res)


def test_completion_and_help_never_show_the_key(canary_config, revka_proc):
    for args in (["--help"], ["chat", "--help"], ["completion", "bash"]):
        assert_clean(revka_proc(*args, env={"REVKA_API_KEY": CANARY}))


USERINFO = "bob:sk-canary-5ecret-Q9Z8Y7X6W5V4"


@pytest.mark.parametrize("flags", [["--json"], []])
def test_a_password_in_a_custom_url_never_shows(server, revka, write_config, flags):
    server.route("POST", "/v1/chat/completions", Reply.json({"error": {"message": "nope"}}, 401))
    server.route("GET", "/v1/models", Reply.json({"data": [{"id": "m"}]}))
    provider = f"custom:http://{USERINFO}@127.0.0.1:{server.port}/v1"
    write_config(f'default_provider = "{provider}"\ndefault_model = "m"\n'
                 f'[reliability]\nfallback_providers = ["custom:http://{USERINFO}@127.0.0.1:9/v1"]\n')
    res = revka("chat", "hi", *flags)
    assert res.exit_code in (4, 6) and "bob:****" not in res.stdout + res.stderr
    assert_clean(res)
    for args in (["models", "refresh"], ["models", "list"], ["models", "list", "--json"],
                 ["doctor", "models", "--json"]):
        assert_clean(revka(*args))


def test_the_plain_http_refusal_hides_a_password_in_the_url(revka):
    res = revka("chat", "-p", f"custom:http://{USERINFO}@gpu.example:8000/v1", "-m", "m", "hi",
                env={"REVKA_API_KEY": "k"})
    assert res.exit_code == 3 and "plain http" in res.stderr
    assert_clean(res)


# --- one canary per place a secret can live, over every command and every output ---------------

SOURCES = {  # where the secret lives -> its own canary, so that one source cannot hide another
    "env": "sk-canary-envvar-A1B2C3D4E5F6", "config": "sk-canary-config-G7H8I9J0K1L2",
    "cmd": "sk-canary-keycmd-M3N4O5P6Q7R8", "revka_env": "sk-canary-revkaenv-S9T0U1V2",
    "url": "canary-url-pass-W3X4Y5Z6", "header": "sk-canary-header-B7C8D9E0F1G2",
    "cookie": "canary-cookie-H3I4J5K6L7M8", "custom": "sk-canary-custom-N9O0P1Q2R3S4",
}


def forms(secret: str) -> list[str]:
    """A secret and the pieces of it that would still betray it (base64 for URL userinfo)."""
    import base64

    out = [secret, secret[6:], secret[:-4]]
    if secret == SOURCES["url"]:
        out.append(base64.b64encode(f"bob:{secret}".encode()).decode())
    return out


def leaked(text: str) -> list[str]:
    return [name for name, secret in SOURCES.items() if any(f in text for f in forms(secret))]


def echo(status: int):
    """A server that copies every request header into its error body and its headers."""
    def reply(rec):
        sent = "; ".join(f"{k}: {v}" for k, v in rec.headers.items())
        return Reply.json({"error": {"message": f"rejected: {sent}", "type": "auth"}}, status,
                          headers={"X-Echo": sent.encode("latin-1", "replace").decode("latin-1")})
    return reply


@pytest.fixture
def planted(server, write_config, isolated_env, tmp_path):
    """A config with a canary in every place a key can live, and an echoing server."""
    import sys

    script = tmp_path / "key.py"
    script.write_text(f"print({SOURCES['cmd']!r})\n")
    plain, userinfo = f"{server.url}/v1", f"http://bob:{SOURCES['url']}@127.0.0.1:{server.port}/v1"
    write_config(
        f'default_provider = "custom:{plain}"\ndefault_model = "m"\napi_key = "{SOURCES["config"]}"\n'
        f'[reliability]\nprovider_retries = 0\n'
        f'fallback_providers = ["vllm", "openai", "sglang", "llamacpp", "custom"]\n'
        f'[extra_headers]\nx-api-key = "{SOURCES["header"]}"\napi-key = "{SOURCES["header"]}"\n'
        f'Cookie = "session={SOURCES["cookie"]}"\n'
        f'[providers.vllm]\napi_url = "{plain}"\napi_key_cmd = ["{sys.executable}", "{script}"]\n'
        f'[providers.openai]\napi_url = "{plain}"\nallow_insecure_http = true\n'
        f'[providers.sglang]\napi_url = "{userinfo}"\n'
        f'[providers.llamacpp]\napi_url = "{plain}"\n'
        f'[providers.llamacpp.extra_headers]\nAuthorization = "Bearer {SOURCES["header"]}-2"\n'
        f'[models.custom]\nurl = "{plain}"\napi_key = "{SOURCES["custom"]}"\n'
        f'available_models = {{ "m" = 4096 }}\n')
    server.env = {"OPENAI_API_KEY": SOURCES["env"], "REVKA_API_KEY": SOURCES["revka_env"]}
    return server


def files_under(root) -> str:
    """Every file revka may have written under the cache and config folders (not the config
    file itself, which holds the keys by design), read as text."""
    from pathlib import Path

    blob = []
    for path in Path(root).rglob("*"):
        if path.is_file() and path.name != "config.toml":
            blob.append(path.read_bytes().decode("latin-1"))
    return "\n".join(blob)


COMMANDS = [
    ["chat", "hi"], ["chat", "--json", "hi"], ["chat", "--no-stream", "hi"],
    ["chat", "--no-stream", "--json", "hi"], ["--debug", "chat", "hi"],
    ["--debug", "chat", "--json", "hi"],
    ["models", "refresh"], ["models", "refresh", "--force"], ["--debug", "models", "refresh", "--force"],
    ["models", "list"], ["models", "list", "--json"], ["models", "list", "--refresh"],
    ["models", "status"], ["models", "status", "--json"],
    ["config", "show"], ["config", "show", "--json"], ["config", "validate"],
    ["config", "validate", "--json"],
    ["doctor", "models"], ["doctor", "models", "--json"], ["--debug", "doctor", "models", "--json"],
]


@pytest.mark.parametrize("status", [401, 500])
def test_no_canary_anywhere_after_every_command(planted, revka, revka_proc, isolated_env, tmp_path,
                                                status):
    good = Reply.json({"data": [{"id": "m"}]})
    planted.route("GET", "/v1/models", good, echo(status))  # a good refresh first, then the echo
    planted.route("POST", "/v1/chat/completions", echo(status))
    assert revka("models", "refresh", env=planted.env).exit_code in (0, 1, 4, 7)
    seen = []
    for args in COMMANDS:
        res = revka(*args, env=planted.env)
        seen.append(res.exit_code)
        assert not leaked(res.stdout + res.stderr), (args, leaked(res.stdout + res.stderr), res)
    junit = tmp_path / "doctor.xml"
    revka("doctor", "models", "--junit", str(junit), env=planted.env)
    assert junit.read_text() and not leaked(junit.read_text())
    for args in (["models", "list"], ["models", "list", "--json"]):  # the typer-free fast path
        res = revka_proc(*args, env=planted.env)
        assert not leaked(res.stdout + res.stderr), (args, res)
    for words in (["revka", "chat", "-p", ""], ["revka", "chat", "-m", ""]):
        res = revka_proc(env={**planted.env, "_REVKA_COMPLETE": "complete_bash",
                              "COMP_WORDS": "\n".join(words), "COMP_CWORD": str(len(words) - 1)})
        assert res.exit_code == 0 and not leaked(res.stdout + res.stderr), res
    assert not leaked(files_under(isolated_env / ".cache")), "a canary reached the cache"
    assert not leaked(files_under(isolated_env / ".config")), "a canary reached the config folder"
    assert 4 in seen or 7 in seen  # the server's refusal really was reported
    sent = " ".join(" ".join(r.headers.values()) for r in planted.requests)
    assert set(leaked(sent)) >= {"url", "header", "cookie", "cmd", "env", "config"}  # all were sent


def test_a_refused_refresh_after_a_good_one_stores_no_echoed_key(planted, revka, isolated_env):
    refused = []  # providers refresh concurrently: every one gets the good list, then the echo
    planted.route("GET", "/v1/models",
                  lambda rec: echo(401)(rec) if refused else Reply.json({"data": [{"id": "m"}]}))
    assert revka("models", "refresh", env=planted.env).exit_code == 0
    refused.append(True)
    res = revka("models", "refresh", "--force", env=planted.env)
    assert "<redacted>" in res.stderr + res.stdout and not leaked(res.stdout + res.stderr), res
    index = (isolated_env / ".cache" / "revka" / "models-index.json").read_text()
    assert "last_error" in index and "<redacted>" in index and not leaked(index)
    status = revka("models", "status", "--json", env=planted.env)
    assert "<redacted>" in status.stdout and not leaked(status.stdout), status
