"""`revka completion`, the generated scripts and table, and the typer-free completer's wire format.

Every `_REVKA_COMPLETE` request is answered by revka_cli/cli/fast/complete.py; what it offers for
each command of the spec is walked in tests/cli/test_completion_spec.py.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revka_cli.cli.commands import completion_install, completion_scripts
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

    chat = {flags: (arity, kind) for flags, arity, kind, _ in COMMANDS["chat"]["options"]}
    assert chat[("--model", "-m")] == ("value", "model")
    assert chat[("--provider", "-p")] == ("value", "provider")
    assert chat[("--image",)] == ("list", "path")
    assert chat[("--json",)] == ("flag", None)
    assert COMMANDS["models set"]["args"] == ["model"]
    assert COMMANDS["completion install"]["args"] == [("bash", "zsh", "fish")]
    assert [o[0] for o in COMMANDS[""]["options"]][0] == ("--config",)
    assert COMMANDS["models"]["commands"] == ["refresh", "list", "set", "status"]


# --- the wire format each script reads -------------------------------------------------------------

def fast_path(env: dict) -> tuple[int, str]:
    buf = io.StringIO()
    code = fastcomplete.answer({**os.environ, **env}, buf)
    return code, buf.getvalue()


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


def _id(env: dict) -> str:
    words = env.get("COMP_WORDS", env.get("_TYPER_COMPLETE_ARGS", "")).replace("\n", " ")
    return f"{env['_REVKA_COMPLETE']}:{words}:{env.get('_TYPER_COMPLETE_FISH_ACTION', '')}"


NO_COLON = " \t\n\"'><=;|&("


def test_answers_are_the_cached_names(cached_catalog):
    assert fast_path(bash_env("revka", "models", "set", ""))[1].split() == ALL
    assert fast_path(bash_env("revka", "models", "set", "llama3.2", ":"))[1] == "3b\n"
    assert fast_path(bash_env("revka", "chat", "-m", "custom/"))[1] == "custom/qwen2.5-coder-7b\n"
    assert fast_path(line_env("zsh", "revka models set llama3.2:"))[1] == \
        "_arguments '*: :((\"llama3.2\\\\:3b\"))'\n"
    assert fast_path(line_env("zsh", "revka models set zzz"))[1] == "_files\n"
    assert fast_path(line_env("fish", "revka models set zzz", "is-args")) == (1, "")
    assert fast_path(line_env("fish", "revka models set lla", "is-args")) == (0, "")


@pytest.mark.parametrize("env,expected", [
    (bash_env("revka", "models", "set", "llama3.2:", wordbreaks=NO_COLON), ["llama3.2:3b"]),
    (bash_env("revka", "models", "set", "ollama/llama3.1", ":"), ["8b"]),
    (bash_env("revka", "chat", "hello", "--model", "=", "llama3.1"), ["llama3.1:8b"]),
    (bash_env("revka", "chat", "--model", "="), ALL),
    (bash_env("revka", "chat", "--model=llama3.1:"), ["8b"]),  # ':' and '=' break words in bash
    (bash_env("revka", "chat", "--model=llama3.1:", wordbreaks=NO_COLON), ["llama3.1:8b"]),
    (bash_env("revka", "models", "list", "-p", "LM"), []),  # prefixes match case-sensitively
    (bash_env("revka", "models", "refresh", "-p", "lmstu"), ["lmstudio"]),
    (bash_env("revka", "chat", "'hello world'", "-m", "qwen2.5:"), ["7b"]),
], ids=lambda v: _id(v) if isinstance(v, dict) else "")
def test_bash_replies_are_what_readline_replaces(cached_catalog, env, expected):
    code, text = fast_path(env)
    assert code == 0 and text.endswith("\n") and text[:-1].split("\n") == (expected or [""])


def test_zsh_and_fish_show_summaries_escaped():
    code, text = fast_path(line_env("zsh", "revka models "))
    assert code == 0 and '"set":"Make NAME the default model\\\\: writes..."' in text
    assert text.startswith("_arguments '*: :((") and text.endswith("))'\n")
    code, text = fast_path(line_env("zsh", "revka models list --"))
    assert "\"--provider\":\"Only this provider''s models.\"" in text  # ' doubled inside '...'
    code, text = fast_path(line_env("fish", "revka models set --f"))
    from revka_cli.cli.surface.spec import BY_PATH

    (force,) = [o for o in BY_PATH["models set"].options if o.field == "force"]
    assert text == f"--force\t{' '.join(force.help.split())}\n"


@pytest.mark.parametrize("value,code,printed", [
    ("source_zsh", 0, True), ("source_fish", 0, True), ("complete_powershell", 1, False),
    ("source_tcsh", 1, False), ("bogus", 1, False),
])
def test_other_instructions(value, code, printed):
    got, text = fast_path({"_REVKA_COMPLETE": value})
    assert got == code and bool(text) == printed
    if printed:
        shell = value.split("_")[1]
        assert text == completion_scripts.script(shell) + "\n"


def test_the_typer_app_answers_a_tab_press_as_the_entry_point(cached_catalog):
    """Run directly (CliRunner, an embedding program), the app gives the same answer."""
    from typer.testing import CliRunner

    from revka_cli.cli.app import app

    for env in (bash_env("revka", "chat", "-m", "llama"), line_env("zsh", "revka mo"),
                line_env("fish", "revka chat --mo")):
        res = CliRunner().invoke(app, [], env=env)
        assert (res.exit_code, res.stdout) == fast_path(env)


def shlex_split(text: str) -> list[str]:
    """The reference rule: shlex in POSIX mode, keeping a trailing unfinished word (click's
    split_arg_string)."""
    import shlex

    lex = shlex.shlex(text, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    words: list[str] = []
    try:
        words.extend(lex)
    except ValueError:
        words.append(lex.token)
    return words


@given(st.text(alphabet="ab \t\n'\"\\$=:-", max_size=14))
@settings(max_examples=3000, deadline=None)
def test_split_matches_shlex(text):
    assert fastcomplete.split_args(text) == shlex_split(text)


def test_split_examples():
    for text in ["revka models set", "a\tb\nc  d ", "'quoted word' x", 'a "b c', "a\\", "x='y z'",
                 'say "a \\" b" \'c\'']:
        assert fastcomplete.split_args(text) == shlex_split(text), text


PROBE = """
import sys
from revka_cli.cli.entry import main
code = main([])
sys.stdout.flush()
modules = sorted({m.split(".")[0] for m in sys.modules})  # before json, which imports re
import json
print(json.dumps([code, modules]), file=sys.stderr)
"""
HEAVY = {"typer", "click", "httpx", "rich", "yaml", "diskcache", "tomlkit", "sqlite3", "shellingham"}
# `re` (and shlex, which imports it) costs half a bare interpreter: only model names, which may read
# the config's declared models with tomllib, can pull it in
NO_RE = HEAVY | {"re", "shlex"}


@pytest.mark.parametrize("env,banned", [
    (bash_env("revka", "models", "set", "model-42", ":"), HEAVY),
    (line_env("zsh", "revka chat -m "), HEAVY),
    (line_env("fish", "revka models status -p ll"), NO_RE),
    (bash_env("revka", "mo"), NO_RE),
    (line_env("zsh", "revka chat --"), NO_RE),
    (line_env("fish", "revka 'chat' \"--mo"), NO_RE),
    (bash_env("revka", "chat", "'a b'", "--image", ""), NO_RE),
    (line_env("zsh", "revka completion install "), NO_RE),
], ids=lambda v: _id(v) if isinstance(v, dict) else "")
def test_fast_path_imports_nothing_heavy(cached_catalog, env, banned):
    from revka_cli.catalog.store import NAMES_INDEX_NAME, names_index_text

    big = {"version": 1, "models": {"ollama": [f"model-{i}:7b" for i in range(500)]}}
    (cached_catalog / ".cache" / "revka" / "models-index.json").write_text(json.dumps(big))
    (cached_catalog / ".cache" / "revka" / NAMES_INDEX_NAME).write_text(names_index_text(big))
    proc = subprocess.run([sys.executable, "-c", PROBE], env={**os.environ, **env}, cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    code, modules = json.loads(proc.stderr.strip().splitlines()[-1])
    assert code == 0 and proc.stdout
    assert not set(modules) & banned, sorted(set(modules) & banned)


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
