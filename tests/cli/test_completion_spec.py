"""Walk the command spec: for every command, a TAB press offers exactly what the spec declares.

The expectations are read from revka_cli/cli/surface/spec.py itself (not from the generated
table the completer reads), in each shell's wire format: subcommands with their summaries, option
names with their help (the help option last), model and provider names for those options, the
choices of an argument, and nothing (the shell then completes file names) for a path or a free
value.
"""

from __future__ import annotations

import io
import os

import pytest

from revka_cli.cli.fast import complete as fastcomplete
from revka_cli.cli.surface.spec import COMMANDS, children
from tests.completionkit import ALL, cached_catalog  # noqa: F401

SHELLS = ("bash", "zsh", "fish")
HELP = ["-h", "--help"]
NO_FILES_MARK = {"bash": "", "zsh": "_files", "fish": ""}


def ask(shell: str, words: list[str], incomplete: str) -> list[tuple[str, str | None]]:
    """(value, help) pairs revka offers, parsed back from the shell's wire format."""
    if shell == "bash":
        env = {"COMP_WORDS": "\n".join(["revka", *words, incomplete]),
               "COMP_CWORD": str(len(words) + 1), "COMP_WORDBREAKS": " \t\n"}
    else:
        env = {"_TYPER_COMPLETE_ARGS": " ".join(["revka", *words, incomplete])
               + (" " if not incomplete else ""), "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    buf = io.StringIO()
    code = fastcomplete.answer({**os.environ, **env, "_REVKA_COMPLETE": f"complete_{shell}"}, buf)
    text = buf.getvalue()
    assert code == 0 and text.endswith("\n")
    text = text[:-1]
    if text == NO_FILES_MARK[shell]:
        return []
    if shell == "bash":
        return [(line, None) for line in text.split("\n")]
    if shell == "fish":
        return [tuple(line.split("\t", 1)) if "\t" in line else (line, None)
                for line in text.split("\n")]
    assert text.startswith("_arguments '*: :((") and text.endswith("))'")
    return [_zsh_pair(line) for line in text[len("_arguments '*: :(("):-3].split("\n")]


def _zsh_unescape(text: str) -> str:
    return (text.replace("\\\\:", ":").replace("\\$", "$").replace("\\`", "`").replace("''", "'")
            .replace('""', '"'))


def _zsh_pair(item: str) -> tuple[str, str | None]:
    value, sep, help_text = item.partition('":"')
    if not sep:
        return _zsh_unescape(value.strip('"')), None
    return _zsh_unescape(value[1:]), _zsh_unescape(help_text[:-1])


def values_of(pairs) -> list[str]:
    return [v for v, _ in pairs]


def option_flags(cmd, given=()) -> list[str]:
    return [f for o in cmd.options if o.type == "list" or o not in given for f in o.flags] + HELP


IDS = [c.path or "(revka)" for c in COMMANDS]


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("cmd", COMMANDS, ids=IDS)
def test_tab_after_a_command_offers_its_subcommands_or_its_argument(cached_catalog, cmd, shell):
    got = ask(shell, cmd.path.split(), "")
    if cmd.group:
        subs = children(cmd.path)
        assert values_of(got) == [c.name for c in subs]
        for (_, shown), sub in zip(got, subs):
            if shell == "bash":
                continue
            assert len(shown) <= 48 and sub.help.startswith(shown.removesuffix("...")), shown
    elif cmd.args and cmd.args[0].complete == "model":
        assert values_of(got) == ALL
    elif cmd.args and cmd.args[0].complete == "shell":
        assert values_of(got) == list(SHELLS)
    else:  # a path, a free word or no argument: the shell completes file names
        assert got == []


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("cmd", COMMANDS, ids=IDS)
def test_a_dash_offers_exactly_the_spec_options_with_their_help(cmd, shell):
    got = ask(shell, cmd.path.split(), "-")
    assert values_of(got) == option_flags(cmd)
    if shell != "bash":
        helps = [o.help for o in cmd.options for _ in o.flags] + ["Show this message and exit."] * 2
        assert all(" ".join(shown.split()).startswith(" ".join(want.split()))
                   for (_, shown), want in zip(got, helps))
    long_only = ask(shell, cmd.path.split(), "--")
    assert values_of(long_only) == [f for f in option_flags(cmd) if f.startswith("--")]


def value_options():
    return [(cmd, opt, flag) for cmd in COMMANDS for opt in cmd.options if opt.takes_value
            for flag in opt.flags]


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("cmd,opt,flag", value_options(),
                         ids=[f"{c.path} {f}".strip() for c, _, f in value_options()])
def test_an_option_value_is_completed_by_its_kind(cached_catalog, cmd, opt, flag, shell):
    got = values_of(ask(shell, [*cmd.path.split(), flag], ""))
    if opt.complete == "model":
        assert got == ALL
    elif opt.complete == "provider":
        assert {"ollama", "vllm", "lmstudio", "custom:"} <= set(got), got
        assert ask(shell, [*cmd.path.split(), flag], "vl") == [("vllm", None)]
    else:  # path, number, free text: nothing, so the shell completes file names
        assert got == []


@pytest.mark.parametrize("cmd,opt,flag", value_options(),
                         ids=[f"{c.path} {f}".strip() for c, _, f in value_options()])
def test_an_option_given_once_is_not_offered_again_unless_repeatable(cmd, opt, flag):
    got = values_of(ask("fish", [*cmd.path.split(), flag, "x"], "-"))
    assert got == option_flags(cmd, given=[opt])


@pytest.mark.parametrize("cmd", [c for c in COMMANDS if c.options and not c.group],
                         ids=lambda c: c.path)
def test_after_a_double_dash_no_option_names(cmd):
    assert ask("bash", [*cmd.path.split(), "--"], "-") == []
    assert values_of(ask("bash", cmd.path.split(), "--")) == \
        [f for f in option_flags(cmd) if f.startswith("--")]


def test_flags_given_are_not_offered_again():
    got = values_of(ask("zsh", ["--quiet", "models", "list", "--json"], "-"))
    assert got == ["--provider", "-p", "--refresh", *HELP]
    assert values_of(ask("zsh", ["-q"], "-")) == ["--config", "--version", "-V", "--debug",
                                                  "--no-color", *HELP]


def test_unknown_subcommands_and_extra_words_offer_nothing():
    assert ask("bash", ["modles"], "") == []
    assert ask("zsh", ["models", "lsit"], "-") == []
    assert ask("fish", ["chat", "--model", "x", "hi"], "") == []  # the one prompt is given
