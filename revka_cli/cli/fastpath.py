"""Answer the hottest commands without importing typer: `config validate` and `models list` for a
pipe or --json. Anything unusual (other flags, --debug, a refresh) returns None and goes to Typer,
which runs the very same implementation functions."""

from __future__ import annotations

import sys

from revka_cli.cli.state import AppState


def _globals(args: list[str]) -> tuple[AppState, list[str]] | None:
    state = AppState()
    i = 0
    while i < len(args) and args[i].startswith("-"):
        arg = args[i]
        if arg == "--config" and i + 1 < len(args):
            state.config_path, i = args[i + 1], i + 2
        elif arg.startswith("--config="):
            state.config_path, i = arg.split("=", 1)[1], i + 1
        elif arg in ("--quiet", "-q"):
            state.quiet, i = True, i + 1
        elif arg == "--no-color":
            state.no_color, i = True, i + 1
        else:
            return None
    return state, args[i:]


def _flags(args: list[str], allowed: set[str], with_value: set[str], max_positional: int):
    flags, values, positional = set(), {}, []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in allowed:
            flags.add(arg)
        elif arg in with_value and i + 1 < len(args) and not args[i + 1].startswith("-"):
            values[arg] = args[i + 1]
            i += 1
        elif arg.startswith("-") or len(positional) >= max_positional:
            return None
        else:
            positional.append(arg)
        i += 1
    return flags, values, positional


def _config_validate(state: AppState, rest: list[str]) -> int | None:
    parsed = _flags(rest, {"--json", "--strict"}, set(), 1)
    if parsed is None:
        return None
    flags, _, positional = parsed
    from revka_cli.cli.config_validate import run_validate

    return run_validate(state, positional[0] if positional else None, as_json="--json" in flags,
                        strict="--strict" in flags)


def _models_list(state: AppState, rest: list[str]) -> int | None:
    parsed = _flags(rest, {"--json"}, {"--provider", "-p"}, 0)
    if parsed is None:
        return None
    flags, values, _ = parsed
    as_json = "--json" in flags
    if not as_json and sys.stdout.isatty():
        return None
    from revka_cli.cli.models_cached import print_cached_listing

    provider = values.get("--provider") or values.get("-p")
    return 0 if print_cached_listing(state, provider, as_json=as_json) else None


def run_fast(args: list[str]) -> int | None:
    """The exit code when a fast path handled `args`, else None."""
    split = _globals(args)
    if split is None:
        return None
    state, rest = split
    handler = {("config", "validate"): _config_validate,
               ("models", "list"): _models_list}.get(tuple(rest[:2]))
    if handler is None:
        return None
    from revka_cli.errors import RevkaError

    try:
        return handler(state, rest[2:])
    except RevkaError as exc:
        from revka_cli.cli.output import report_error

        report_error(exc.message, exc.hint)
        return exc.exit_code
