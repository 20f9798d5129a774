"""Real bash, zsh and fish complete through the committed scripts in completions/.

The model cache is filled by a real `revka models refresh` against a local FakeServer
(tests/completionkit.py). bash and zsh run interactively on a pseudo-terminal: the test types a
line and TAB, then Ctrl-T, which the test's rc file binds to print the edit buffer, so both what
the shell listed and what it inserted are checked. fish answers `complete -C LINE` directly.
A shell that is not installed is skipped with the reason (.ci/run installs them from Debian).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.completionkit import (ALL, BIN, PROMPT, REPO, cached_catalog, require,  # noqa: F401
                                 shell_env, tab)

COMPLETIONS = REPO / "completions"

BASH_RC = r"""PS1='PROMPT> '
bind 'set enable-bracketed-paste off' 2>/dev/null
bind 'set show-all-if-ambiguous on'
bind 'set completion-query-items 0'
bind 'set page-completions off'
bind 'set completion-display-width 0'
bind -x '"\C-t": printf "LINE<%s>\n" "$READLINE_LINE"'
"""


@pytest.fixture
def files(tmp_path):
    """A working folder with files for the path options."""
    work = tmp_path / "work"
    work.mkdir()
    for name in ("chart.png", "tools.json", "other.toml"):
        (work / name).write_text("x")
    return work


# --- bash ------------------------------------------------------------------------------------------

@pytest.fixture
def bash(cached_catalog, tmp_path, files):
    require("bash")

    def run(line: str, extra_rc: str = "") -> tuple[set[str], str]:
        rc = tmp_path / "bashrc"
        rc.write_text(BASH_RC + f"source '{COMPLETIONS / 'revka.bash'}'\n" + extra_rc)
        shown, buffer = tab(["bash", "--noprofile", "--rcfile", str(rc), "-i"], shell_env(), line,
                            cwd=files)
        lines = shown.split("\n")[1:-1]  # the typed line ... up to LINE<
        listed = {item for item in lines if item and not item.startswith(PROMPT)}
        return listed, buffer

    return run


def test_bash_lists_every_cached_model(bash):
    listed, buffer = bash("revka models set ")
    assert listed == set(ALL)
    assert buffer == "revka models set "


@pytest.mark.parametrize("line,expected", [
    ("revka models set llama3.2:", "revka models set llama3.2:3b "),
    ("revka models set llama3.1", "revka models set llama3.1:8b "),
    ("revka models set ollama/llama3.2:", "revka models set ollama/llama3.2:3b "),
    ("revka chat -m custom/", "revka chat -m custom/qwen2.5-coder-7b "),
    ("revka chat -m vllm/Qwen/", "revka chat -m vllm/Qwen/Qwen2.5-7B-Instruct "),
    ("revka chat --model=llama3.2:", "revka chat --model=llama3.2:3b "),
    ("revka --config other.toml chat -m qwen2.5:", "revka --config other.toml chat -m qwen2.5:7b "),
    ("revka models status -m ollama/qwen", "revka models status -m ollama/qwen2.5:7b "),
    ("revka chat -p lmstu", "revka chat -p lmstudio "),
    ("revka mod", "revka models "),
    ("revka chat --mo", "revka chat --model "),
    ("revka completion install z", "revka completion install zsh "),
    ("revka chat --image cha", "revka chat --image chart.png "),
    ("revka chat --tools too", "revka chat --tools tools.json "),
    ("revka --config oth", "revka --config other.toml "),
    ("revka chat 'a b' --no-s", "revka chat 'a b' --no-stream "),
    ("revka config validate oth", "revka config validate other.toml "),
    ("revka doctor models --jun", "revka doctor models --junit "),
])
def test_bash_completes_the_word(bash, line, expected):
    assert bash(line)[1] == expected


def test_bash_lists_names_with_colons_and_slashes(bash):
    listed, buffer = bash("revka chat -m ollama/lla")
    assert listed == {"ollama/llama3.1:8b", "ollama/llama3.2:3b"}
    assert buffer == "revka chat -m ollama/llama3."
    listed, _ = bash("revka chat -p llama")
    assert listed == {"llama.cpp", "llamacpp"}


def test_bash_without_colon_in_wordbreaks(bash):
    """Users who drop ':' from COMP_WORDBREAKS get the same result."""
    rc = 'COMP_WORDBREAKS=${COMP_WORDBREAKS//:}\n'
    assert bash("revka models set llama3.2:", rc)[1] == "revka models set llama3.2:3b "
    assert bash("revka chat -m ollama/llama3.1:", rc)[1] == "revka chat -m ollama/llama3.1:8b "


# --- zsh -------------------------------------------------------------------------------------------

ZSH_RC = r"""PS1='PROMPT> '
unsetopt zle_bracketed_paste 2>/dev/null
fpath=({completions} $fpath)
autoload -U compinit && compinit -u -D
# record every match zsh accepts, then add it as usual
compadd() {{
  local -a __hits
  builtin compadd -O __hits "$@"
  local h
  for h in $__hits; do print -r -- "CAND<$h>" >&2; done
  builtin compadd "$@"
}}
__print_buffer() {{ print -r -- "" >&2; print -r -- "LINE<$BUFFER>" >&2; }}
zle -N __print_buffer
bindkey '^T' __print_buffer
"""


@pytest.fixture
def zsh(cached_catalog, tmp_path, files):
    require("zsh")
    zdot = tmp_path / "zdot"
    zdot.mkdir()
    (zdot / ".zshrc").write_text(ZSH_RC.format(completions=COMPLETIONS))

    def run(line: str) -> tuple[set[str], str]:
        shown, buffer = tab(["zsh", "-i"], shell_env({"ZDOTDIR": str(zdot)}), line, cwd=files)
        return set(re.findall(r"CAND<(.*?)>", shown)), buffer

    return run


def test_zsh_lists_every_cached_model(zsh):
    listed, buffer = zsh("revka models set ")
    assert listed == set(ALL)
    assert buffer == "revka models set "


@pytest.mark.parametrize("line,expected", [
    ("revka models set llama3.2:", "revka models set llama3.2:3b "),
    ("revka models set ollama/llama3.1", "revka models set ollama/llama3.1:8b "),
    ("revka chat -m custom/", "revka chat -m custom/qwen2.5-coder-7b "),
    ("revka chat -m vllm/Qwen/", "revka chat -m vllm/Qwen/Qwen2.5-7B-Instruct "),
    ("revka chat -p lmstu", "revka chat -p lmstudio "),
    ("revka mod", "revka models "),
    ("revka chat --image cha", "revka chat --image chart.png "),
    ("revka chat --tools too", "revka chat --tools tools.json "),
    ("revka chat \"a b\" --show-r", "revka chat \"a b\" --show-reasoning "),
    ("revka models st", "revka models status "),
    ("revka config validate oth", "revka config validate other.toml "),
])
def test_zsh_completes_the_word(zsh, line, expected):
    assert zsh(line)[1] == expected


def test_zsh_lists_names_with_colons(zsh):
    listed, buffer = zsh("revka chat -m ollama/lla")
    assert listed == {"ollama/llama3.1:8b", "ollama/llama3.2:3b"}
    assert buffer == "revka chat -m ollama/llama3."


# --- fish ------------------------------------------------------------------------------------------

@pytest.fixture
def fish(cached_catalog, files):
    require("fish")

    def run(line: str) -> list[str]:
        script = f"source '{COMPLETIONS / 'revka.fish'}'; complete -C '{line}'"
        proc = subprocess.run(["fish", "--no-config", "-c", script], env=shell_env(), cwd=files,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return [row.split("\t")[0] for row in proc.stdout.splitlines()]

    return run


def test_fish_lists_every_cached_model(fish):
    assert sorted(fish("revka models set ")) == ALL


@pytest.mark.parametrize("line,expected", [
    ("revka models set llama3.2:", ["llama3.2:3b"]),
    ("revka models set lla", ["llama3.1:8b", "llama3.2:3b"]),
    ("revka chat -m custom/", ["custom/qwen2.5-coder-7b"]),
    ("revka chat -m ollama/lla", ["ollama/llama3.1:8b", "ollama/llama3.2:3b"]),
    ("revka chat -m vllm/", ["vllm/Qwen/Qwen2.5-7B-Instruct"]),
    ("revka chat -p lm", ["lm-studio", "lmstudio"]),
    ("revka mod", ["models"]),
    ("revka chat --image cha", ["chart.png"]),
    ("revka --config oth", ["other.toml"]),
    ("revka models list --", ["--help", "--json", "--provider", "--refresh"]),
    ("revka completion ", ["bash", "fish", "install", "zsh"]),
])
def test_fish_completes_the_word(fish, line, expected):
    assert sorted(fish(line)) == expected


# --- the new user's path: install, open a new shell, TAB -------------------------------------------

LOADER = Path("/usr/share/bash-completion/bash_completion")


@pytest.mark.parametrize("how", ["bash-completion", "--rc"])
def test_install_then_a_new_bash_completes_a_cached_model(cached_catalog, tmp_path, how):
    """`revka completion install bash` (the real console script), then a new interactive bash with
    that HOME. With bash-completion installed, the user's ordinary ~/.bashrc (Debian's
    /etc/skel/.bashrc, which loads bash-completion) finds the file on demand; without it, `--rc`
    adds the one line ~/.bashrc needs. Only the prompt and key bindings the test reads are added."""
    require("bash")
    home = cached_catalog
    skel = Path("/etc/skel/.bashrc")
    if how == "bash-completion":
        if not LOADER.exists():
            pytest.skip("bash-completion is not installed (apt-get install bash-completion)")
        user_rc = skel.read_text() if skel.exists() else f". {LOADER}\n"
        args = []
    else:
        user_rc = "# a user's own ~/.bashrc without bash-completion\nalias ll='ls -l'\n"
        args = ["--rc"]
    (home / ".bashrc").write_text(user_rc)
    env = shell_env({"SHELL": "/bin/bash"})
    proc = subprocess.run([str(BIN / "revka"), "completion", "install", *args], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    installed = home / ".local" / "share" / "bash-completion" / "completions" / "revka"
    assert f"bash completion installed in {installed}" in proc.stdout
    assert installed.read_text() == (COMPLETIONS / "revka.bash").read_text()
    if how == "--rc":  # unless the system's bash.bashrc already loads bash-completion
        added = f"added to {home / '.bashrc'}" in proc.stdout
        assert added == (str(installed) in (home / ".bashrc").read_text()), proc.stdout
    with (home / ".bashrc").open("a") as rc:
        rc.write("\n" + BASH_RC)
    shown, buffer = tab(["bash", "-i"], env, "revka models set llama3.2:")
    assert buffer == "revka models set llama3.2:3b ", shown


def test_install_then_a_new_zsh_and_fish_complete(cached_catalog, tmp_path):
    home = cached_catalog
    if shutil.which("zsh"):
        env = shell_env({"SHELL": "/usr/bin/zsh"})
        proc = subprocess.run([str(BIN / "revka"), "completion", "install"], env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 and str(home / ".zfunc" / "_revka") in proc.stdout
        (home / ".zshrc").write_text(ZSH_RC.format(completions=home / ".zfunc"))
        _, buffer = tab(["zsh", "-i"], env, "revka models set llama3.2:")
        assert buffer == "revka models set llama3.2:3b "
    if shutil.which("fish"):
        env = shell_env()
        proc = subprocess.run([str(BIN / "revka"), "completion", "install", "fish"], env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        # a fresh fish with no config of ours autoloads ~/.config/fish/completions/revka.fish
        out = subprocess.run(["fish", "-c", "complete -C 'revka models set llama3.2:'"], env=env,
                             capture_output=True, text=True, timeout=60).stdout
        assert out.split() == ["llama3.2:3b"]
    if not (shutil.which("zsh") or shutil.which("fish")):
        pytest.skip("neither zsh nor fish is installed")
