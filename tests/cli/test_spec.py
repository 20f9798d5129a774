"""The command spec is the one source of the command surface: both parsers (the typer-free fast
parser and the Typer app built from the spec) turn every spec option into the same options record,
so neither can cover an option the other lacks."""

from __future__ import annotations

import pytest

from revka_cli.cli.fast.parser import FAST_GLOBALS, parse
from revka_cli.cli.surface.options import build_options
from revka_cli.cli.surface.spec import BY_PATH, COMMANDS, GLOBAL

LEAVES = [c for c in COMMANDS if not c.group]


def sample_words(opt, flag: str) -> list[str]:
    """A command line fragment giving `opt` through `flag`, with a value inside its bounds."""
    low, high = opt.bounds or (None, None)
    if opt.type == "flag":
        return [flag]
    if opt.type == "int":
        return [flag, str(low if low is not None else 7)]
    if opt.type == "float":
        value = high if high is not None else (low or 0) + 1.5
        return [flag, repr(float(value))]
    if opt.type == "list":
        return [flag, "one", f"{flag}=two"] if flag.startswith("--") else [flag, "one", flag, "two"]
    return [f"{flag}=value x"] if flag.startswith("--") else [flag, "value x"]


def required_args(cmd) -> list[str]:
    return ["arg-value" for a in cmd.args if a.required]


def typer_record(path: str, global_words: list[str], words: list[str]):
    """The options records Typer's parser makes for `revka GLOBALS PATH WORDS` (public API:
    typer.main.get_command, then the command objects' make_context)."""
    import typer

    from revka_cli.cli.app import app

    root = typer.main.get_command(app)
    ctx = root.make_context("revka", [*global_words, *path.split(), *words])
    glob = build_options("", ctx.params, {})
    cmd, rest = root, [*path.split(), *words]
    for name in path.split():
        cmd, rest = cmd.get_command(ctx, name), rest[1:]
        ctx = cmd.make_context(name, list(rest), parent=ctx)
    return glob, build_options(path, ctx.params, {})


def fast_record(path: str, global_words: list[str], words: list[str]):
    parsed = parse([*global_words, *path.split(), *words])
    assert parsed is not None, f"the fast parser refused {path} {words}"
    globals_, found, values = parsed
    assert found == path
    return build_options("", globals_, {}), build_options(path, values, {})


CASES = [(cmd.path, opt.field, flag) for cmd in LEAVES for opt in cmd.options for flag in opt.flags]


@pytest.mark.parametrize("path,field,flag", CASES, ids=[f"{p}:{f}" for p, _, f in CASES])
def test_every_option_parses_the_same_in_both_parsers(path, field, flag):
    cmd = BY_PATH[path]
    opt = next(o for o in cmd.options if o.field == field)
    words = [*sample_words(opt, flag), *required_args(cmd)]
    fast, slow = fast_record(path, [], words), typer_record(path, [], words)
    assert fast == slow
    assert getattr(fast[1], field) != opt.default, "the sample did not set the option"


GLOBAL_CASES = [(o.field, f) for o in GLOBAL.options if o.field in FAST_GLOBALS for f in o.flags]


@pytest.mark.parametrize("field,flag", GLOBAL_CASES, ids=[f for _, f in GLOBAL_CASES])
def test_every_fast_global_option_parses_the_same(field, flag):
    opt = next(o for o in GLOBAL.options if o.field == field)
    words = sample_words(opt, flag)
    assert fast_record("config path", words, []) == typer_record("config path", words, [])


@pytest.mark.parametrize("cmd", LEAVES, ids=lambda c: c.path)
def test_arguments_and_defaults_parse_the_same(cmd):
    words = [f"{a.field}-value" for a in cmd.args]
    assert fast_record(cmd.path, [], words) == typer_record(cmd.path, [], words)


def test_the_typer_app_has_exactly_the_spec_options():
    import typer

    from revka_cli.cli.app import app

    root = typer.main.get_command(app)

    def walk(command, path: str):
        ctx = typer.Context(command, info_name=path or "revka")
        params = [p for p in command.get_params(ctx) if p.name != "help"]
        spec = BY_PATH[path]
        assert [p.name for p in params if p.param_type_name == "option"] == \
            [o.field for o in spec.options], path
        assert [p.name for p in params if p.param_type_name == "argument"] == \
            [a.field for a in spec.args], path
        for opt, param in zip(spec.options, [p for p in params if p.param_type_name == "option"]):
            assert sorted([*param.opts, *param.secondary_opts]) == sorted(opt.flags), path
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(root, "")
    assert {c.path for c in COMMANDS} >= {""}


@pytest.mark.parametrize("words", [["chat", "--temperature", "2.5", "hi"], ["chat", "-m"],
                                   ["chat", "--max-tokens", "x", "hi"], ["chat", "--json=1", "hi"],
                                   ["models", "list", "--provider", "a", "-p", "b"],
                                   ["config", "validate", "a", "b"], ["models"], ["nosuch"]])
def test_the_fast_parser_leaves_bad_or_unusual_lines_to_typer(words):
    assert parse(words) is None


def test_regen_runs_every_generator():
    from pathlib import Path

    from tests.scriptkit import load_script

    scripts = Path(__file__).resolve().parents[2] / "scripts"
    assert set(load_script("regen").GENERATORS) == {p.stem for p in scripts.glob("gen_*.py")}


def _command_list(page: str) -> list[str]:
    """The summaries of a help page's "Commands:" section."""
    lines = page.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0].splitlines() \
        if "\nCommands:\n" in page else []
    return [line.split(None, 1)[1] for line in lines if line.strip()]


def test_no_command_summary_is_cut_mid_phrase():
    from revka_cli.cli.generated.helptext import PAGES

    summaries = [s for page in PAGES.values() for s in _command_list(page)]
    assert len(summaries) >= len(BY_PATH) - 1  # every command is listed by its parent
    cut = [s for s in summaries if s.endswith("...") or not s.endswith(".") or s.endswith("(e.g.")]
    assert not cut, f"give these commands a summary= in the spec: {cut}"
