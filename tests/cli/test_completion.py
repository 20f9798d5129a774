"""`revka completion`, the generated scripts and table, and the typer-free fast path.

The fast path (revka_cli/cli/fast/complete.py) must print exactly what the Typer path (revka's
shell classes in revka_cli/cli/commands/completion.py) prints, for every request it answers.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from revka_cli.cli.commands import completion, completion_install, completion_scripts
from revka_cli.cli.fast import complete as fastcomplete
from tests.completionkit import ALL, REPO, cached_catalog  # noqa: F401
from tests.scriptkit import load_script

# --- generated files ---------------------------------------------------------------------------------


def test_generated_scripts_and_table_match_the_app():
    gen = load_script("gen_completions")
    for path, text in gen.generate().items():
        assert path.read_text() == text, f"{path.name} drifted: run scripts/gen_completions.py"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_command_prints_the_committed_script(revka, shell):
    committed = (REPO / "completions" / completion_scripts.FILE_NAMES[shell]).read_text()
    res = revka("completion", shell)
    assert res.exit_code == 0 and res.stdout == committed


def test_source_instruction_prints_the_same_script(revka_proc):
    res = revka_proc(env={"_REVKA_COMPLETE": "source_zsh"})
    assert res.exit_code == 0
    assert res.stdout == (REPO / "completions" / "_revka").read_text() + "\n"


def test_table_knows_which_options_complete_what():
    from revka_cli.cli.generated.completetable import COMMANDS

    assert COMMANDS["chat"]["options"]["-m"] == "model"
    assert COMMANDS["chat"]["options"]["--provider"] == "provider"
    assert COMMANDS["chat"]["options"]["--image"] is None
    assert COMMANDS["models set"]["args"] == ["model"]
    assert "--force" in COMMANDS["models set"]["flags"]
    assert COMMANDS[""]["options"] == {"--config": None}


# --- fast path == typer path -----------------------------------------------------------------------

def typer_path(env: dict) -> tuple[int, str]:
    """Answer through the Typer app in-process (revka's shell classes), bypassing the fast path."""
    from typer.testing import CliRunner

    from revka_cli.cli.app import app

    from revka_cli.cli.surface.typer_completion import install_completion_classes

    install_completion_classes()
    res = CliRunner().invoke(app, [], env=env)
    return res.exit_code, res.stdout


def fast_path(env: dict) -> tuple[int, str] | None:
    buf = io.StringIO()
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        code = fastcomplete.answer(dict(os.environ), buf)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return None if code is None else (code, buf.getvalue())


def bash_env(*words: str, wordbreaks: str | None = None) -> dict:
    env = {"_REVKA_COMPLETE": "complete_bash", "COMP_WORDS": "\n".join(words),
           "COMP_CWORD": str(len(words) - 1)}
    if wordbreaks is not None:
        env["COMP_WORDBREAKS"] = wordbreaks
    return env


def line_env(shell: str, line: str, action: str = "get-args") -> dict:
    env = {"_REVKA_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}
    if shell == "fish":
        env["_TYPER_COMPLETE_FISH_ACTION"] = action
    return env


NO_COLON = " \t\n\"'><=;|&("
FAST = [
    bash_env("revka", "models", "set", ""),
    bash_env("revka", "models", "set", "lla"),
    bash_env("revka", "models", "set", "llama3.2", ":"),
    bash_env("revka", "models", "set", "llama3.2", ":", "3"),
    bash_env("revka", "models", "set", "ollama/llama3.1", ":"),
    bash_env("revka", "models", "set", "--force", "q"),
    bash_env("revka", "models", "set", "llama3.2:", wordbreaks=NO_COLON),
    bash_env("revka", "chat", "-m", "custom/"),
    bash_env("revka", "chat", "hello", "--model", "=", "lla"),
    bash_env("revka", "chat", "--model", "="),
    bash_env("revka", "chat", "--json", "-m", "vllm/Qwen/"),
    bash_env("revka", "--config", "/nonexistent.toml", "chat", "-m", "qwen"),
    bash_env("revka", "--quiet", "models", "status", "--model", "custom/q"),
    bash_env("revka", "models", "list", "--provider", "lm"),
    bash_env("revka", "models", "list", "-p", "LM"),  # typer's filter is case-sensitive: nothing
    bash_env("revka", "models", "refresh", "-p", "custom", ":"),
    bash_env("revka", "models", "refresh", "-p", "custom", ":", "http"),
    bash_env("revka", "chat", "-p", "zzz"),
    line_env("zsh", "revka models set "),
    line_env("zsh", "revka models set llama3.2:"),
    line_env("zsh", "revka chat -m custom/"),
    line_env("zsh", "revka chat --model=ll"),
    line_env("zsh", "revka chat -p anthropic"),
    line_env("zsh", "revka models set zzz"),
    line_env("fish", "revka models set "),
    line_env("fish", "revka models set llama3.2:"),
    line_env("fish", "revka chat -m ollama/"),
    line_env("fish", "revka models status -p ll"),
    line_env("fish", "revka models set lla", "is-args"),
    line_env("fish", "revka models set zzz", "is-args"),
]
TYPER_ONLY = [
    bash_env("revka", "mo"),
    bash_env("revka", "chat", "--mo"),
    bash_env("revka", "chat", "--image", ""),
    bash_env("revka", "chat", "--system", "-m", ""),
    bash_env("revka", "chat", "--", "-m", ""),
    bash_env("revka", "models", "set", "x", ""),
    bash_env("revka", "doctor", "models", "-p", ""),
    bash_env("revka", "-qm", ""),
    line_env("zsh", "revka "),
    line_env("fish", "revka completion "),
    {"_REVKA_COMPLETE": "source_bash"},
]


def _id(env: dict) -> str:
    words = env.get("COMP_WORDS", env.get("_TYPER_COMPLETE_ARGS", "")).replace("\n", " ")
    return f"{env['_REVKA_COMPLETE']}:{words}:{env.get('_TYPER_COMPLETE_FISH_ACTION', '')}"


@pytest.mark.parametrize("env", FAST, ids=_id)
def test_fast_path_answers_exactly_as_typer(cached_catalog, env):
    fast = fast_path(env)
    assert fast is not None, "the fast path should answer this"
    assert fast == typer_path(env)


@pytest.mark.parametrize("env", TYPER_ONLY, ids=_id)
def test_everything_else_goes_to_typer(cached_catalog, env):
    assert fast_path(env) is None


def test_answers_are_the_cached_names(cached_catalog):
    assert fast_path(bash_env("revka", "models", "set", ""))[1].split() == ALL
    assert fast_path(bash_env("revka", "models", "set", "llama3.2", ":"))[1] == "3b\n"
    assert fast_path(bash_env("revka", "chat", "-m", "custom/"))[1] == "custom/qwen2.5-coder-7b\n"
    assert fast_path(line_env("zsh", "revka models set llama3.2:"))[1] == \
        "_arguments '*: :((\"llama3.2\\\\:3b\"))'\n"
    assert fast_path(line_env("zsh", "revka models set zzz"))[1] == "_files\n"
    assert fast_path(line_env("fish", "revka models set zzz", "is-args")) == (1, "")


def test_split_matches_click():
    from typer._click.shell_completion import split_arg_string

    for text in ["revka models set", "a\tb\nc  d ", "'quoted word' x", 'a "b c', "a\\", "x='y z'"]:
        assert fastcomplete.split_args(text) == split_arg_string(text), text


PROBE = """
import json, sys
from revka_cli.cli.entry import main
code = main([])
sys.stdout.flush()
print(json.dumps([code, sorted({m.split(".")[0] for m in sys.modules})]), file=sys.stderr)
"""
HEAVY = {"typer", "click", "httpx", "rich", "yaml", "diskcache", "tomlkit", "sqlite3", "shellingham"}


@pytest.mark.parametrize("env", [bash_env("revka", "models", "set", "model-42", ":"),
                                 line_env("zsh", "revka chat -m "),
                                 line_env("fish", "revka models status -p ll")], ids=_id)
def test_fast_path_imports_nothing_heavy(cached_catalog, env):
    from revka_cli.catalog.store import NAMES_INDEX_NAME, names_index_text

    big = {"version": 1, "models": {"ollama": [f"model-{i}:7b" for i in range(500)]}}
    (cached_catalog / ".cache" / "revka" / "models-index.json").write_text(json.dumps(big))
    (cached_catalog / ".cache" / "revka" / NAMES_INDEX_NAME).write_text(names_index_text(big))
    proc = subprocess.run([sys.executable, "-c", PROBE], env={**os.environ, **env}, cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    code, modules = json.loads(proc.stderr.strip().splitlines()[-1])
    assert code == 0 and proc.stdout.strip()
    assert not set(modules) & HEAVY, sorted(set(modules) & HEAVY)


# --- revka completion install --------------------------------------------------------------------

def test_install_paths(isolated_env, monkeypatch):
    home = isolated_env
    assert completion_install.install_path("bash") == \
        home / ".local" / "share" / "bash-completion" / "completions" / "revka"
    assert completion_install.install_path("zsh") == home / ".zfunc" / "_revka"
    assert completion_install.install_path("fish") == home / ".config" / "fish" / "completions" / "revka.fish"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert completion_install.install_path("bash") == \
        home / ".local" / "share" / "bash-completion" / "completions" / "revka"
    assert completion_install.install_path("fish") == home / ".config" / "fish" / "completions" / "revka.fish"
    monkeypatch.setenv("BASH_COMPLETION_USER_DIR", str(home / "bc"))
    assert completion_install.install_path("bash") == home / "bc" / "completions" / "revka"


def test_install_detects_the_shell_and_says_where(revka, isolated_env, monkeypatch):
    monkeypatch.setenv("SHELL", "/usr/bin/fish")
    res = revka("completion", "install")
    target = isolated_env / ".config" / "fish" / "completions" / "revka.fish"
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0] == f"fish completion installed in {target}"
    assert target.read_text() == (REPO / "completions" / "revka.fish").read_text()


def test_install_zsh_prints_the_fpath_line_and_edits_nothing(revka, isolated_env):
    res = revka("completion", "install", "zsh")
    assert res.exit_code == 0, res
    assert (isolated_env / ".zfunc" / "_revka").read_text() == \
        (REPO / "completions" / "_revka").read_text()
    assert "fpath+=~/.zfunc; autoload -U compinit; compinit" in res.stdout
    assert not (isolated_env / ".zshrc").exists()
    (isolated_env / ".zshrc").write_text("fpath+=~/.zfunc\nautoload -U compinit; compinit\n")
    res = revka("completion", "install", "zsh")
    assert "fpath" not in res.stdout


def test_install_rc_adds_the_line_once(revka, isolated_env, monkeypatch):
    monkeypatch.setattr(completion_install, "_bash_completion_active", lambda env: False)
    (isolated_env / ".bashrc").write_text("alias ll='ls -l'")
    for _ in range(2):
        res = revka("completion", "install", "bash", "--rc")
        assert res.exit_code == 0, res
    rc = (isolated_env / ".bashrc").read_text()
    target = completion_install.install_path("bash")
    assert rc.startswith("alias ll='ls -l'\n") and rc.count(str(target)) == 2  # one line, 2 mentions
    assert rc.count("revka completion install bash --rc") == 1
    res = revka("completion", "install", "zsh", "--rc")
    assert "fpath+=~/.zfunc" in (isolated_env / ".zshrc").read_text()


def test_install_without_rc_says_what_bash_needs(revka, isolated_env, monkeypatch):
    monkeypatch.setattr(completion_install, "_bash_completion_active", lambda env: False)
    res = revka("completion", "install", "bash")
    target = completion_install.install_path("bash")
    assert f"[ -f '{target}' ] && . '{target}'" in res.stdout
    assert not (isolated_env / ".bashrc").exists()


@pytest.mark.parametrize("shell_var,arg,message", [
    ("", None, "cannot tell which shell"),
    ("/bin/tcsh", None, "cannot tell which shell"),
    ("/bin/bash", "powershell", "no completion for shell 'powershell'"),
])
def test_install_refuses_unknown_shells(revka, monkeypatch, shell_var, arg, message):
    monkeypatch.setenv("SHELL", shell_var)
    res = revka("completion", "install", *([arg] if arg else []))
    assert res.exit_code == 2 and message in res.stderr and "hint:" in res.stderr
