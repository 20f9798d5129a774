"""Answer the hottest commands without importing typer: one-shot `chat`, `config validate`,
`models list` for a pipe or --json, and `providers`. The command line is parsed from the command spec
(`fast/parser.py`) into the same options record Typer builds, and handed to the same command
bodies. Anything unusual (other flags, --debug, a bad value, the REPL, a refresh) returns None and
goes to Typer. Errors are reported by the entry point's one boundary."""

from __future__ import annotations

from revka_cli.cli.environment import current
from revka_cli.cli.state import AppState, apply_globals
from revka_cli.cli.surface.options import build_options


def _config_validate(state: AppState, opts) -> int | None:
    from revka_cli.cli.commands.config import validate

    return validate(state, opts)


def _models_list(state: AppState, opts) -> int | None:
    if opts.do_refresh or (not opts.as_json and current().stdout_isatty):
        return None
    from revka_cli.cli.commands.models_cached import print_cached_listing, print_memo

    if print_memo(state, opts.provider, as_json=opts.as_json):
        return 0
    return 0 if print_cached_listing(state, opts.provider, as_json=opts.as_json) else None


def _chat(state: AppState, opts) -> int | None:
    from revka_cli.cli.commands.chat_command import chat, wants_repl

    if wants_repl(opts.prompt):
        return None  # the REPL is interactive: start-up time does not matter there
    return chat(state, opts)


def _providers(state: AppState, opts) -> int | None:
    from revka_cli.cli.commands.providers import providers

    providers(state, opts)
    return 0


FAST_COMMANDS = {"chat": _chat, "config validate": _config_validate, "models list": _models_list,
                 "providers": _providers}


def run_fast(args: list[str]) -> int | None:
    """The exit code when a fast path handled `args`, else None (exceptions propagate to the
    entry point's boundary)."""
    from revka_cli.cli.fast.parser import parse

    parsed = parse(args)
    if parsed is None or parsed[1] not in FAST_COMMANDS:
        return None
    globals_, path, values = parsed
    state = apply_globals(AppState(), build_options("", globals_))
    return FAST_COMMANDS[path](state, build_options(path, values))
