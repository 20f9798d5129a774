"""Answer the hottest commands without importing typer: one-shot `chat`, `config validate`, and
`models list` for a pipe or --json. Anything unusual (other flags, --debug, a bad value, the REPL,
a refresh) returns None and goes to Typer, which runs the very same implementation functions."""

from __future__ import annotations

import math
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
    from revka_cli.cli.models_cached import print_cached_listing, print_memo

    provider = values.get("--provider") or values.get("-p")
    if print_memo(state, provider, as_json=as_json):
        return 0
    return 0 if print_cached_listing(state, provider, as_json=as_json) else None


def run_fast(args: list[str]) -> int | None:
    """The exit code when a fast path handled `args`, else None."""
    split = _globals(args)
    if split is None:
        return None
    state, rest = split
    handler = {("config", "validate"): _config_validate,
               ("models", "list"): _models_list}.get(tuple(rest[:2]))
    if handler is None and rest[:1] == ["chat"]:
        return _run_reporting(_chat, state, rest[1:])
    if handler is None:
        return None
    return _run_reporting(handler, state, rest[2:])


def _run_reporting(handler, state: AppState, rest: list[str]) -> int | None:
    """Run a fast-path handler with the same error reporting as the Typer boundary."""
    try:
        return handler(state, rest)
    except (Exception, KeyboardInterrupt) as exc:  # the fast path's error boundary
        from revka_cli.cli.output import report_plain_exception

        return report_plain_exception(exc)


_CHAT_VALUES = {"--provider": "provider", "-p": "provider", "--model": "model", "-m": "model",
                "--system": "system", "-s": "system", "--temperature": "temperature",
                "--max-tokens": "max_tokens", "--image": "images", "--tools": "tools",
                "--api-key": "api_key", "--timeout": "timeout"}
_CHAT_FLAGS = {"--no-stream": "no_stream", "--json": "as_json", "--show-reasoning": "show_reasoning"}


def _chat_args(rest: list[str]) -> dict | None:
    """The chat options in `rest`, or None for anything the fast path leaves to Typer."""
    values: dict = {"images": []}
    prompt = None
    i = 0
    while i < len(rest):
        arg = rest[i]
        name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _CHAT_VALUES:
            if eq:
                value = inline
            elif i + 1 < len(rest):
                value, i = rest[i + 1], i + 1
            else:
                return None
            key = _CHAT_VALUES[name]
            if key == "images":
                values["images"].append(value)
            elif key in values:
                return None  # repeated: let Typer decide
            else:
                values[key] = value
        elif arg in _CHAT_FLAGS and not eq:
            values[_CHAT_FLAGS[arg]] = True
        elif arg.startswith("-") or prompt is not None:
            return None
        else:
            prompt = arg
        i += 1
    values["prompt"] = prompt
    return values


def _number(text: str | None, kind, low: float, high: float | None = None):
    """A parsed number within bounds; raises ValueError (the caller falls back to Typer)."""
    if text is None:
        return None
    value = kind(text)
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        raise ValueError(text)
    return value


def _chat(state: AppState, rest: list[str]) -> int | None:
    args = _chat_args(rest)
    if args is None:
        return None
    from revka_cli.config.numbers import MAX_COUNT, MAX_SECONDS

    try:
        temperature = _number(args.get("temperature"), float, 0.0, 2.0)
        max_tokens = _number(args.get("max_tokens"), int, 1, MAX_COUNT)
        timeout = _number(args.get("timeout"), float, 0.001, MAX_SECONDS)
    except ValueError:
        return None
    from revka_cli.cli.chat_command import run_chat_command, wants_repl
    from revka_cli.cli.chat_run import ChatOptions

    if wants_repl(args["prompt"]):
        return None  # the REPL is interactive: start-up time does not matter there
    opts = ChatOptions(args.get("provider"), args.get("model"), args.get("system"), temperature,
                       max_tokens, not args.get("no_stream"), args["images"],
                       bool(args.get("as_json")), bool(args.get("show_reasoning")),
                       args.get("tools"), args.get("api_key"), timeout)
    return run_chat_command(state, opts, args["prompt"])
