"""The I/O environment object: a whole run driven in-process, with its own streams and variables,
prints exactly what the real process prints (the subprocess tests stay as well)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from revka_cli.cli.entry import main
from revka_cli.cli.environment import Environment, current

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "configs"


def run_in_process(args, *, stdin="", environ=None, tty=False, width=None):
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(stdin), stdout=out, stderr=err, tty=tty, width=width,
                      environ=dict(os.environ) if environ is None else environ)
    code = main(list(args), env)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", ["good_full.toml", "bad_types.toml", "warn_unknown_key.toml"])
@pytest.mark.parametrize("flags", [[], ["--json"]])
def test_config_validate_in_process_equals_the_process(revka_proc, name, flags):
    path = str(CORPUS / name)
    proc = revka_proc("config", "validate", path, *flags)
    assert run_in_process(["config", "validate", path, *flags]) == \
        (proc.exit_code, proc.stdout, proc.stderr)


def test_help_and_version_follow_the_environment():
    from revka_cli import __version__
    from revka_cli.cli.generated.helptext import PAGES

    assert run_in_process(["--version"]) == (0, f"revka {__version__}\n", "")
    assert run_in_process(["chat", "--help"], width=120) == (0, PAGES["chat"], "")


def test_chat_in_process_reads_the_environment_stdin(server):
    from tests.cli.chatkit import openai_text, sse
    from tests.servers import Reply

    server.route("POST", "/v1/chat/completions", Reply.sse(sse(*openai_text("hi", " there"))))
    code, out, err = run_in_process(["chat", "-p", f"custom:{server.url}/v1", "-m", "m", "sum"],
                                    stdin="piped text")
    assert (code, out, err) == (0, "hi there\n", "")
    assert server.requests[0].json()["messages"][-1]["content"] == "sum\n\npiped text"


def test_revka_debug_from_the_environment_object(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("default_provider = 42\n")
    code, _, err = run_in_process(["config", "validate", str(bad)],
                                  environ={**os.environ, "REVKA_DEBUG": "1"})
    assert code == 3 and "Traceback" in err
    code, _, err = run_in_process(["config", "validate", str(bad)])
    assert code == 3 and "Traceback" not in err


def test_models_list_on_a_terminal_is_not_the_fast_path(server, revka, write_config):
    from revka_cli.cli.fast.run import run_fast
    from revka_cli.cli.environment import activated
    from tests.servers import Reply

    server.route("GET", "/api/tags", Reply.json({"models": [{"name": "m1", "size": 1}]}))
    write_config(f'api_url = "{server.url}"\n')
    assert revka("models", "refresh").exit_code == 0
    with activated(Environment(stdout=io.StringIO(), tty=True)):
        assert current().stdout_isatty and run_fast(["models", "list"]) is None
    with activated(Environment(stdout=io.StringIO(), tty=False)) as env:
        assert run_fast(["models", "list"]) == 0 and env.stdout.getvalue() == "ollama/m1\n"


def test_provider_completion_in_process():
    environ = {**os.environ, "_REVKA_COMPLETE": "complete_bash", "COMP_WORDS": "revka chat -p oll",
               "COMP_CWORD": "3"}
    code, out, _ = run_in_process([], environ=environ)
    assert code == 0 and out.split() == ["ollama"]
