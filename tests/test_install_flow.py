"""The new user's path, end to end: `pip install .`, `revka completion install bash`, a new shell
that tab-completes a cached model name, and `man revka-chat`.

Slow (a real wheel build and install): pip installs this checkout with --no-deps into a fresh venv
(`pip --python`, so the test venv itself is never touched); the dependencies come from the test
venv through PYTHONPATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.cli.test_completion_shells import BASH_RC, LOADER
from tests.completionkit import REPO, cached_catalog, require, shell_env, tab  # noqa: F401

pytestmark = pytest.mark.slow

SHARED = ["share/man/man1/revka.1", "share/man/man1/revka-chat.1", "share/man/man1/revka-batch.1",
          "share/man/man1/revka-models.1",
          "share/man/man1/revka-doctor.1", "share/man/man1/revka-config.1",
          "share/man/man1/revka-completion.1", "share/man/man1/revka-providers.1",
          "share/bash-completion/completions/revka",
          "share/zsh/site-functions/_revka", "share/fish/vendor_completions.d/revka.fish"]


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    """A new venv (no pip of its own) with revka installed from this checkout by the test venv's
    pip. Returns the venv's root."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True,
                   timeout=120)
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(root / "bin" / "python"),
                           "install", "--no-deps", "--disable-pip-version-check", "-q", str(REPO)],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"pip install failed:\n{proc.stdout}\n{proc.stderr}")
    return root


def test_pip_install_puts_man_pages_and_completions_in_place(prefix):
    for rel in SHARED:
        installed = prefix / rel
        assert installed.is_file(), rel
    assert (prefix / "share/man/man1/revka-chat.1").read_text() == \
        (REPO / "man" / "revka-chat.1").read_text()
    assert (prefix / "share/bash-completion/completions/revka").read_text() == \
        (REPO / "completions" / "revka.bash").read_text()


def test_new_user_flow(prefix, cached_catalog):
    require("bash")
    home = cached_catalog
    env = shell_env({"PATH": f"{prefix / 'bin'}{os.pathsep}/usr/bin:/bin",
                     "PYTHONPATH": sysconfig.get_paths()["purelib"],  # the dependencies
                     "SHELL": "/bin/bash", "MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "80"})
    revka = str(prefix / "bin" / "revka")
    where = subprocess.run([str(prefix / "bin" / "python"), "-c",
                            "import revka_cli; print(revka_cli.__file__)"],
                           env=env, cwd=home, capture_output=True, text=True, timeout=60).stdout
    assert where.startswith(str(prefix)), where  # the installed copy, not the checkout

    # 1. revka completion install bash; a user ~/.bashrc as Debian ships it (loads bash-completion)
    #    or, without bash-completion, the line --rc adds
    loader = LOADER.exists()
    (home / ".bashrc").write_text(Path("/etc/skel/.bashrc").read_text()
                                  if loader and Path("/etc/skel/.bashrc").exists()
                                  else (f". {LOADER}\n" if loader else ""))
    proc = subprocess.run([revka, "completion", "install", "bash", *([] if loader else ["--rc"])],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "bash completion installed in" in proc.stdout, proc

    # 2. a new shell completes a cached model name with a ':'
    with (home / ".bashrc").open("a") as rc:
        rc.write("\n" + BASH_RC)
    _, buffer = tab(["bash", "-i"], env, "revka models set llama3.2:")
    assert buffer == "revka models set llama3.2:3b "

    # 3. man revka-chat finds the installed page (man-db maps <bin>/../share/man from PATH)
    if shutil.which("man") is None:
        pytest.skip("man is not installed (apt-get install man-db)")
    located = subprocess.run(["man", "-w", "revka-chat"], env=env, capture_output=True, text=True,
                             timeout=60)
    assert located.stdout.strip() == str(prefix / "share/man/man1/revka-chat.1"), located
    page = subprocess.run(["man", "revka-chat"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert page.returncode == 0 and "revka-chat - send a prompt" in page.stdout, page.stderr


def test_bash_completion_finds_the_pip_installed_script(prefix, cached_catalog):
    """Without `revka completion install`: bash-completion looks in $XDG_DATA_DIRS (where a
    /usr/local or --user install puts share/bash-completion/completions/revka)."""
    require("bash")
    if not LOADER.exists():
        pytest.skip("bash-completion is not installed (apt-get install bash-completion)")
    home = cached_catalog
    env = shell_env({"XDG_DATA_DIRS": f"{prefix / 'share'}:/usr/local/share:/usr/share"})
    (home / ".bashrc").write_text(f". {LOADER}\n" + BASH_RC)
    _, buffer = tab(["bash", "-i"], env, "revka chat -m custom/")
    assert buffer == "revka chat -m custom/qwen2.5-coder-7b "


def _quick_start_block(first_word: str) -> str:
    from tests.test_docs import readme_commands

    return next(b for b in readme_commands() if b.startswith(first_word))


def test_quick_start_path_steps_work_as_pasted(prefix, tmp_path):
    """The README's two ways to put revka and its man pages on PATH, run in bash from a folder
    whose .venv is the installed prefix; the first-chat block starts with the activation."""
    require("bash")
    if shutil.which("man") is None:
        pytest.skip("man is not installed (apt-get install man-db)")
    from tests.test_readme import section

    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / ".venv").symlink_to(prefix)
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": f"{home / '.local/bin'}{os.pathsep}/usr/bin:/bin",
           "PYTHONPATH": sysconfig.get_paths()["purelib"], "LC_ALL": "C.UTF-8"}
    activate = _quick_start_block(". .venv/bin/activate")
    run = subprocess.run(["bash", "-c", activate], cwd=clone, env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run
    assert run.stdout.startswith("revka ") and run.stdout.rstrip().endswith("man1/revka.1"), run
    link = _quick_start_block("mkdir -p ~/.local/bin")
    assert subprocess.run(["bash", "-c", link], cwd=clone, env=env, timeout=60).returncode == 0
    later = subprocess.run(["bash", "-c", ". ~/.bashrc; cd /; revka --version && man -w revka"],
                           env=env, capture_output=True, text=True, timeout=60)
    assert later.returncode == 0 and later.stdout.startswith("revka "), later
    assert later.stdout.rstrip().endswith("share/man/man1/revka.1"), later
    first_chat = section("Your first chat, against a local Ollama").split("```sh\n", 1)[1]
    assert first_chat.startswith(". .venv/bin/activate ")
