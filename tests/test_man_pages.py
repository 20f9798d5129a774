"""The man pages in man/: generated from the app (drift test), clean under groff, complete."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.scriptkit import load_script

REPO = Path(__file__).resolve().parent.parent
MAN = REPO / "man"
SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "FILES", "EXIT STATUS",
            "EXAMPLES", "SEE ALSO"]


def gen_man():
    return load_script("gen_man")


@pytest.fixture(scope="module")
def generated() -> dict[Path, str]:
    return gen_man().generate()


def pages() -> list[Path]:
    return sorted(MAN.glob("*.1"))


def test_every_page_is_generated_and_current(generated):
    names = {p.name for p in generated}
    assert names == {"revka.1", "revka-chat.1", "revka-batch.1", "revka-models.1", "revka-doctor.1",
                     "revka-config.1", "revka-completion.1", "revka-providers.1"}
    assert {p.name for p in pages()} == names
    for path, text in generated.items():
        assert path.read_text() == text, f"{path.name} drifted: run scripts/gen_man.py"


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.name)
def test_groff_reports_nothing(page):
    if shutil.which("groff") is None:
        pytest.skip("groff is not installed (apt-get install groff; .ci/run does it)")
    proc = subprocess.run(["groff", "-man", "-ww", "-z", str(page)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == "", proc.stderr


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.name)
def test_man_renders_every_section(page):
    if shutil.which("man") is None:
        pytest.skip("man is not installed (apt-get install man-db; .ci/run does it)")
    proc = subprocess.run(["man", "-P", "cat", "-l", str(page)], capture_output=True, text=True,
                          timeout=60, env={"PATH": "/usr/bin:/bin", "MANWIDTH": "80",
                                           "LANG": "C.UTF-8"})
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    headings = [line for line in text.splitlines() if re.fullmatch(r"[A-Z][A-Z ]+", line)]
    assert [h for h in headings if h in SECTIONS] == SECTIONS
    if page.name in ("revka.1", "revka-models.1", "revka-config.1", "revka-doctor.1",
                     "revka-completion.1"):
        assert "COMMANDS" in headings
    assert "\\" not in text.replace("\\e", ""), "an unescaped roff sequence leaked into the text"


def environment_of(roff: str) -> str:
    return roff.split(".SH ENVIRONMENT", 1)[1].split(".SH ", 1)[0].replace("\\-", "-")


def test_environment_lists_every_variable_the_code_reads(generated):
    from revka_cli import specs

    code = "\n".join(p.read_text() for p in (REPO / "revka_cli").rglob("*.py"))
    read = set(re.findall(r"(?<![A-Z_])REVKA_[A-Z_]+", code)) - {"REVKA_COMPLETE"}
    assert {"REVKA_CONFIG", "REVKA_API_KEY", "REVKA_CACHE_DIR"} <= read
    for path, text in generated.items():
        env = environment_of(text)
        missing = sorted(v for v in (*read, *specs.PROVIDER_KEY_ENV_VARS, "NO_COLOR")
                         if f"\\fB{v.replace('_', '_')}\\fR" not in env)
        assert not missing, f"{path.name} ENVIRONMENT lacks {missing}"


def test_exit_status_is_the_full_table(generated):
    from revka_cli.errors import EXIT_CODES

    for path, text in generated.items():
        block = text.split(".SH EXIT STATUS", 1)[1].split(".SH ", 1)[0].replace("\\-", "-")
        for code, meaning in EXIT_CODES:
            assert f"\\fB{code}\\fR\n{meaning}" in block, (path.name, code)


def _invocations(line: str) -> list[list[str]]:
    """The revka command lines in an example line (after pipes, inside <(...))."""
    found = []
    for match in re.finditer(r"(?:^|[|(]\s*|^\S+=\S+\s+)revka(?:\s+[^|)<>]*)?", line):
        text = match.group(0)
        found.append(shlex.split(text[text.index("revka"):]))
    return found


def check_invocation(words: list[str], line: str = "") -> None:
    """`revka ...` names real commands, and options each command (or the root) has."""
    import typer

    from revka_cli.cli.app import app

    assert words[0] == "revka", line
    cmd, rest = typer.main.get_command(app), list(words[1:])
    while rest:
        word = rest.pop(0)
        if word.startswith("-") and word != "-":  # "-" alone: stdin, an argument
            opts = {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)}
            assert word.split("=")[0] in opts | {"--help", "-h"}, (line, word)
            param = next((p for p in cmd.params if word in p.opts), None)
            if param is not None and not getattr(param, "is_flag", True) and rest:
                rest.pop(0)
        elif getattr(cmd, "commands", None):
            assert word in cmd.commands, (line, word)
            cmd = cmd.commands[word]


def test_examples_use_real_commands_and_options():
    checked = 0
    for items in gen_man().EXAMPLES.values():
        for _, command in items:
            for line in command.splitlines():
                for words in _invocations(line):
                    check_invocation(words, line)
                    checked += 1
    assert checked >= 20
