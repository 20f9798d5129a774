"""Timeouts, loops, Ctrl-C and key commands, end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.cli.chatkit import openai_text, sse
from tests.servers import Reply

PATH = "/v1/chat/completions"


def test_first_token_timeout_names_itself(server, revka, write_config):
    server.route("POST", PATH, Reply(hang=10))
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n'
                 '[pacing]\nfirst_token_timeout_secs = 0.5\n[reliability]\nprovider_retries = 0\n')
    start = time.monotonic()
    res = revka("chat", "hi")
    assert res.exit_code == 6 and "first-token timeout after 0.5s" in res.stderr
    assert time.monotonic() - start < 5


def test_keepalive_comments_do_not_count_as_a_first_token(server, revka, write_config):
    pings = [b": ping\n\n", 0.3] * 6
    server.route("POST", PATH, Reply.sse([*pings, sse(*openai_text("late"))]))
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n'
                 '[pacing]\nfirst_token_timeout_secs = 1\n[reliability]\nprovider_retries = 0\n')
    res = revka("chat", "hi")
    assert res.exit_code == 6 and "first-token timeout" in res.stderr


def test_idle_timeout_between_chunks_keeps_partial(server, revka, write_config):
    head = sse(*openai_text("started")[:2], done=False)
    server.route("POST", PATH, Reply.sse([head, 10.0]))
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n'
                 '[pacing]\nstep_timeout_secs = 0.5\n')
    res = revka("chat", "hi")
    assert res.exit_code == 6 and res.stdout == "started\n"
    assert "idle timeout between chunks after 0.5s" in res.stderr


def test_timeout_flag_and_env_override_the_overall_timeout(server, revka, write_config):
    server.route("POST", PATH, Reply.sse([sse(*openai_text("a")[:2], done=False), 0.4,
                                          sse(*openai_text("b")[1:2], done=False), 10.0]))
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n'
                 'provider_timeout_secs = 60\n')
    res = revka("chat", "--timeout", "1", "hi")
    assert res.exit_code == 6 and "overall timeout after 1s" in res.stderr and res.stdout == "ab\n"
    res = revka("chat", "hi", env={"REVKA_PROVIDER_TIMEOUT_SECS": "0.8"})
    assert "overall timeout after 0.8s" in res.stderr


def test_loop_detection_stops_a_repeating_stream(server, revka, write_config):
    pieces = ["All work and no play makes Jack a dull boy. "] * 300
    server.route("POST", PATH, Reply.sse(sse(*openai_text(*pieces))))
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n')
    res = revka("chat", "hi", "--json")
    assert res.exit_code == 0 and "kept repeating" in res.stderr
    import json

    doc = json.loads(res.stdout)
    assert doc["finish_reason"] == "loop_detected" and len(doc["text"]) < 44 * 100
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n'
                 '[pacing]\nloop_detection = false\n')
    assert len(revka("chat", "hi").stdout) == 44 * 300 + 1


def _interrupted_chat(server, tmp_path, *flags: str):
    """Run `revka chat FLAGS hi` as a process and send it SIGINT once its answer has started;
    (exit code, stdout, stderr)."""
    server.route("POST", PATH, Reply.sse([sse(*openai_text("partial")[:2], done=False), 30.0]))
    env = dict(os.environ, REVKA_CONFIG=str(tmp_path / "c.toml"))
    (tmp_path / "c.toml").write_text(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n')
    proc = subprocess.Popen([sys.executable, "-m", "revka_cli", "chat", *flags, "hi"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.6)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    return proc.returncode, out, err


def test_ctrl_c_exits_130_keeps_partial_and_prints_no_traceback(server, tmp_path):
    code, out, err = _interrupted_chat(server, tmp_path)
    assert code == 130
    assert out == b"partial\n"
    assert b"Traceback" not in err and b"interrupted" in err


def test_ctrl_c_with_json_prints_the_document_with_the_error_and_partial_text(server, tmp_path):
    import json

    code, out, err = _interrupted_chat(server, tmp_path, "--json")
    assert code == 130 and b"Traceback" not in err
    doc = json.loads(out)
    assert doc["text"] == "partial" and doc["model"] == "m"
    assert doc["error"] == {"message": "interrupted", "exit_code": 130, "hint": None,
                            "server_message": None}
    assert err.decode().splitlines() == ["revka: error: interrupted"]


def test_api_key_cmd_supplies_the_key_without_a_shell(server, revka, write_config, tmp_path):
    server.route("POST", PATH, Reply.sse(sse(*openai_text("ok"))))
    script = tmp_path / "getkey"
    script.write_text("#!/bin/sh\necho 'vk-from-cmd'\n")
    script.chmod(0o755)
    write_config(f'default_provider = "vllm"\ndefault_model = "m"\n[providers.vllm]\n'
                 f'api_url = "{server.url}/v1"\napi_key_cmd = ["{script}"]\n')
    assert revka("chat", "hi").exit_code == 0
    assert server.requests[0].headers["authorization"] == "Bearer vk-from-cmd"


@pytest.mark.parametrize("cmd, phrase", [('["/nonexistent/getkey"]', "command not found"),
                                         ('["/bin/sh", "-c", "echo nope >&2; exit 3"]', "exited with status 3: nope"),
                                         ('["/bin/true"]', "printed nothing"),
                                         ('"echo $HOME | tr a b"', None)])
def test_api_key_cmd_failures_are_config_errors(server, revka, write_config, cmd, phrase):
    server.route("POST", PATH, Reply.sse(sse(*openai_text("ok"))))
    write_config(f'default_provider = "vllm"\ndefault_model = "m"\n[providers.vllm]\n'
                 f'api_url = "{server.url}/v1"\napi_key_cmd = {cmd}\n')
    res = revka("chat", "hi")
    if phrase is None:  # no shell: "$HOME", "|" and "tr" are plain arguments to echo
        assert res.exit_code == 0
        assert server.requests[0].headers["authorization"] == "Bearer $HOME | tr a b"
        return
    assert res.exit_code == 3 and phrase in res.stderr and server.requests == []


def _loop_run(server, write_config, *, tty: bool):
    import io

    from revka_cli.cli.entry import main
    from revka_cli.cli.environment import Environment

    pieces = ["All work and no play makes Jack a dull boy. "] * 300
    server.route("POST", PATH, Reply.sse(sse(*openai_text(*pieces))))
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n')
    screen = io.StringIO()  # stdout and stderr on one terminal: one stream, in write order
    pipe_out, pipe_err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(""), stdout=screen if tty else pipe_out,
                      stderr=screen if tty else pipe_err, tty=tty, environ=dict(os.environ))
    assert main(["chat", "hi"], env) == 0
    return screen.getvalue() if tty else (pipe_out.getvalue(), pipe_err.getvalue())


def test_on_a_shared_terminal_the_loop_warning_starts_a_fresh_line(server, write_config):
    shown = _loop_run(server, write_config, tty=True)
    answer, _, note = shown.partition("revka: warning: stopped the stream")
    assert answer.startswith("All work") and answer.endswith("\n") and not answer.endswith("\n\n")
    assert note.endswith("loop_detection = false to allow it)\n")  # no stray blank line after it


def test_to_a_pipe_the_answer_stays_byte_exact(server, write_config):
    out, err = _loop_run(server, write_config, tty=False)
    assert out.startswith("All work") and out.count("\n") == 1 and out.endswith("\n")
    assert err.startswith("revka: warning: stopped the stream")  # no extra newline on stderr
