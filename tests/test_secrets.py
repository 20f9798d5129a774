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
