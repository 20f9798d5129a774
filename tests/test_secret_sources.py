"""Secrets at their sources: URL passwords, malformed keys, api_key_cmd bounds, file modes and the
"readable by others" warning. The canary over every command is in test_secrets.py."""

from __future__ import annotations

import json
import os
import stat
import sys
import time

import pytest

from tests.cli.chatkit import openai_text, sse
from tests.servers import Reply

PASSWORD = "pw-Zq8Xv2Lm9Tk4"
CHAT = "/v1/chat/completions"


def _url(server) -> str:
    return f"http://bob:{PASSWORD}@127.0.0.1:{server.port}/v1"


# --- URL passwords ------------------------------------------------------------------------------

def _url_configs(server) -> dict[str, tuple[str, dict]]:
    url = _url(server)
    return {
        "custom provider": (f'default_provider = "custom:{url}"\ndefault_model = "m"\n', {}),
        "api_url": (f'default_provider = "vllm"\ndefault_model = "m"\napi_url = "{url}"\n', {}),
        "providers.x.api_url": (f'default_provider = "vllm"\ndefault_model = "m"\n'
                                f'[providers.vllm]\napi_url = "{url}"\n', {}),
        "models.custom.url": (f'default_provider = "custom"\ndefault_model = "m"\n[models.custom]\n'
                              f'url = "{url}"\navailable_models = {{ "m" = 4096 }}\n', {}),
        "REVKA_PROVIDER_URL": ('default_provider = "vllm"\ndefault_model = "m"\n',
                               {"REVKA_PROVIDER_URL": url}),
    }


@pytest.mark.parametrize("where", ["custom provider", "api_url", "providers.x.api_url",
                                   "models.custom.url", "REVKA_PROVIDER_URL"])
def test_a_url_password_is_never_printed_nor_stored(server, revka, revka_proc, write_config,
                                                    isolated_env, where):
    server.route("GET", "/v1/models", Reply.json({"data": [{"id": "m"}, {"id": "other"}]}))
    server.route("POST", CHAT, Reply.json({"error": {"message": "no such model"}}, 404))
    text, env = _url_configs(server)[where]
    write_config(text)
    for args in (["chat", "hi"], ["chat", "--json", "hi"], ["config", "show"], ["config", "show", "--json"], ["models", "status"],
                 ["models", "status", "--json"], ["models", "refresh"], ["models", "list"],
                 ["models", "list", "--json"], ["config", "validate", "--json"]):
        res = revka(*args, env=env)
        assert PASSWORD not in res.stdout + res.stderr, (args, res)
    shown = revka("config", "show", "--json", env=env).stdout
    assert f"127.0.0.1:{server.port}" in shown and "bob" not in shown  # the host is still shown
    for args in (["models", "list"], ["models", "list", "--json"]):  # the fast path and its memo
        for _ in range(2):
            res = revka_proc(*args, env=env)
            assert res.exit_code == 0 and PASSWORD not in res.stdout + res.stderr, res
    assert server.requests and all("authorization" in r.headers for r in server.requests)
    for path in (isolated_env / ".cache").rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_completion_offers_the_cached_models_of_a_url_with_a_password_but_never_it(
        server, revka, revka_proc, write_config):
    server.route("GET", "/v1/models", Reply.json({"data": [{"id": "qwen-7b"}]}))
    write_config(f'default_provider = "custom:{_url(server)}"\ndefault_model = "qwen-7b"\n')
    assert revka("models", "refresh").exit_code == 0
    for words, wanted in ((["revka", "chat", "-m", "qw"], "qwen-7b"),
                          (["revka", "chat", "-p", "custom:"], f"127.0.0.1:{server.port}/v1")):
        res = revka_proc(env={"_REVKA_COMPLETE": "complete_bash", "COMP_WORDS": "\n".join(words),
                              "COMP_CWORD": str(len(words) - 1)})
        assert wanted in res.stdout and PASSWORD not in res.stdout + res.stderr, res
    assert revka("chat", "-m", "qwen-7b", "--json", "hi").exit_code in (0, 1, 5)  # uses the cache


# --- malformed keys -----------------------------------------------------------------------------

BAD_KEY = "sk-bad-Wk3Rj7Lp\nlogin: bob"
NEWLINE = b"\n"


def _key_cmd(tmp_path, output: bytes) -> str:
    script = tmp_path / "printkey.py"
    script.write_text(f"import sys; sys.stdout.buffer.write({output!r})\n")
    return f'["{sys.executable}", "{script}"]'


@pytest.mark.parametrize("source", ["VLLM_API_KEY", "REVKA_API_KEY", "api_key",
                                    "providers.vllm.api_key", "providers.vllm.api_key_cmd"])
@pytest.mark.parametrize("flags", [[], ["--json"], ["--no-stream", "--json"]])
def test_a_key_with_a_newline_is_a_config_error_naming_its_source(server, revka, write_config,
                                                                   tmp_path, source, flags):
    server.route("POST", CHAT, Reply.sse(sse(*openai_text("ok"))))
    head = f'default_provider = "vllm"\ndefault_model = "m"\napi_url = "{server.url}/v1"\n'
    table, env = "[providers.vllm]\n", {}
    if source in ("VLLM_API_KEY", "REVKA_API_KEY"):
        env[source] = BAD_KEY
    elif source == "api_key":
        head += f"api_key = {json.dumps(BAD_KEY)}\n"
    elif source == "providers.vllm.api_key":
        table += f"api_key = {json.dumps(BAD_KEY)}\n"
    else:
        table += f"api_key_cmd = {_key_cmd(tmp_path, BAD_KEY.encode() + NEWLINE)}\n"
    write_config(head + table)
    res = revka("chat", *flags, "hi", env=env)
    assert res.exit_code == 3, res
    assert source in res.stderr + res.stdout
    for piece in ("sk-bad-Wk3Rj7Lp", "login: bob", "Wk3Rj7Lp"):
        assert piece not in res.stdout + res.stderr
    assert "Illegal header" not in res.stderr and server.requests == []


@pytest.mark.parametrize("output, ok", [(b"sk-good-123456\n", True), (b"sk-good-123456\r\n", True),
                                        (b"sk-good-123456", True), (b"sk-good-123456\n\n", False),
                                        (b"sk-good-123456\nlogin: bob\n", False),
                                        (b"sk-good\x1b[2J123456\n", False)])
def test_api_key_cmd_output_loses_one_trailing_newline_and_nothing_else(
        server, revka, write_config, tmp_path, output, ok):
    server.route("POST", CHAT, Reply.sse(sse(*openai_text("ok"))))
    write_config(f'default_provider = "vllm"\ndefault_model = "m"\n[providers.vllm]\n'
                 f'api_url = "{server.url}/v1"\napi_key_cmd = {_key_cmd(tmp_path, output)}\n')
    res = revka("chat", "hi")
    if ok:
        assert res.exit_code == 0, res
        assert server.requests[0].headers["authorization"] == "Bearer sk-good-123456"
    else:
        assert res.exit_code == 3 and "providers.vllm.api_key_cmd" in res.stderr, res
        assert "123456" not in res.stderr and server.requests == []


def test_config_validate_refuses_a_key_with_a_control_character(revka, write_config):
    write_config(f'default_provider = "openai"\napi_key = {json.dumps(BAD_KEY)}\n')
    res = revka("config", "validate", "--json")
    assert res.exit_code == 3 and '"api_key"' in res.stdout and "login: bob" not in res.stdout, res


# --- api_key_cmd output and time are bounded ----------------------------------------------------

MEASURE = """
import json, resource, subprocess, sys, time
started = time.monotonic()
proc = subprocess.run([sys.executable, "-m", "revka_cli", "chat", "hi"], capture_output=True)
print(json.dumps({"code": proc.returncode, "secs": time.monotonic() - started,
                  "err": proc.stderr.decode("utf-8", "replace")[-2000:],
                  "out_bytes": len(proc.stdout),
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


@pytest.mark.parametrize("cmd, phrase", [
    ('["yes"]', "printed more than 8 KiB on stdout"),
    ('["cat", "/dev/zero"]', "printed more than 8 KiB on stdout"),
    ('["/bin/sh", "-c", "yes error >&2"]', "printed more than 8 KiB on stderr"),
])
def test_a_runaway_api_key_cmd_is_stopped_early_with_exit_3(write_config, server, cmd, phrase):
    import subprocess

    write_config(f'default_provider = "vllm"\ndefault_model = "m"\n[providers.vllm]\n'
                 f'api_url = "{server.url}/v1"\napi_key_cmd = {cmd}\n')
    proc = subprocess.run([sys.executable, "-c", MEASURE], capture_output=True, timeout=60,
                          env=dict(os.environ))
    got = json.loads(proc.stdout)
    assert got["code"] == 3 and phrase in got["err"], got
    assert got["peak_mb"] < 100 and got["secs"] < 5, got
    assert "Traceback" not in got["err"] and "internal error" not in got["err"]
    print(f"\n{cmd}: exit 3 at {got['peak_mb']:.0f} MB peak, in {got['secs']:.2f} s")


def test_the_key_cmd_time_limit_covers_the_whole_call_and_is_a_parameter():
    from revka_cli.errors import ConfigError
    from revka_cli.providers.keycmd import run_key_command

    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:  # prints a little, then hangs with stdout open
        run_key_command(("/bin/sh", "-c", "printf sk-part; sleep 30"), "vllm", timeout=0.5)
    assert time.monotonic() - started < 3
    assert "did not finish within 0.5s" in caught.value.message and "sk-part" not in caught.value.message
    assert caught.value.exit_code == 3
    started = time.monotonic()
    with pytest.raises(ConfigError):  # the child's own children are stopped too
        run_key_command(("/bin/sh", "-c", "sleep 30 & sleep 30"), "vllm", timeout=0.3)
    assert time.monotonic() - started < 3


# --- file modes, and the "readable by others" warning -------------------------------------------

def test_cache_files_are_0600_in_a_0700_folder(server, revka, revka_proc, write_config, isolated_env):
    server.route("GET", "/v1/models", Reply.json({"data": [{"id": "m"}]}))
    write_config(f'default_provider = "vllm"\ndefault_model = "m"\napi_url = "{server.url}/v1"\n')
    old = os.umask(0o022)
    try:
        assert revka("models", "refresh").exit_code == 0
        assert revka_proc("models", "list").exit_code == 0  # writes the memo
    finally:
        os.umask(old)
    root = isolated_env / ".cache" / "revka"
    names = {p.name for p in root.rglob("*") if p.is_file()}
    assert {"models-index.json", "models-index.txt", "list-memo.txt", "cache.db"} <= names, names
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE((root / "catalog").stat().st_mode) == 0o700
    for path in root.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


KEYED = {
    "api_key": 'api_key = "sk-file-0123456789"\n',
    "extra_headers Authorization": '[extra_headers]\nAuthorization = "Bearer sk-hdr-0123456789"\n',
    "extra_headers x-api-key": '[extra_headers]\nx-api-key = "sk-hdr-0123456789"\n',
    "providers.x.extra_headers cookie": '[providers.vllm.extra_headers]\ncookie = "sid=0123456789"\n',
}
READERS = [["chat", "hi"], ["models", "refresh"], ["models", "list"], ["models", "list", "--json"],
           ["models", "status"], ["config", "show"], ["doctor", "models"]]


@pytest.mark.parametrize("secret", list(KEYED))
def test_every_command_that_reads_a_keyed_config_warns_when_others_can_read_it(
        server, revka, revka_proc, write_config, secret):
    server.route("GET", "/v1/models", Reply.json({"data": [{"id": "m"}]}))
    server.route("POST", CHAT, Reply.sse(sse(*openai_text("ok"))))
    path = write_config(f'default_provider = "vllm"\ndefault_model = "m"\n'
                        f'api_url = "{server.url}/v1"\n' + KEYED[secret])
    path.chmod(0o644)
    for args in READERS:
        res = revka(*args)
        assert "readable by others" in res.stderr, (args, res)
    for _ in range(2):  # the typer-free fast path too, memo or not
        assert "readable by others" in revka_proc("models", "list").stderr
    path.chmod(0o600)
    for args in READERS:
        assert "readable by others" not in revka(*args).stderr


@pytest.mark.parametrize("flags", [["chat"], ["chat", "--json"], ["--debug", "chat"],
                                   ["--debug", "chat", "--json"]])
def test_a_secret_header_that_http_refuses_is_not_quoted_even_in_a_traceback(
        server, revka, write_config, flags):
    server.route("POST", CHAT, Reply.sse(sse(*openai_text("ok"))))
    write_config(f'default_provider = "vllm"\ndefault_model = "m"\napi_url = "{server.url}/v1"\n'
                 '[extra_headers]\nAuthorization = "Bearer sk-hdr-Pq7Wm2Xc9\\nX-Evil: 1"\n')
    res = revka(*flags, "hi")
    assert res.exit_code != 0 and "Traceback" not in res.stdout, res
    for piece in ("sk-hdr-Pq7Wm2Xc9", "Pq7Wm2Xc9"):
        assert piece not in res.stdout + res.stderr, res
