"""The typer-free command-line parser, driven by the command spec.

It accepts the plain shapes (long and short options, `--opt=value`, repeatable lists, flags,
positional arguments) and converts and bounds-checks values as Typer does. Anything else (an
unknown or repeated option, a value that looks like an option, `--`, a bad or out-of-range value)
gives None, and the caller hands the command line to Typer, which reports it."""

from __future__ import annotations

import math

from revka_cli.cli.surface.spec import BY_PATH, GLOBAL

FAST_GLOBALS = ("config_path", "quiet", "no_color")  # --debug and --version go to Typer
_CONVERT = {"int": int, "float": float, "str": str, "list": str}


def convert(opt, text: str):
    """The option's value from `text`, or raise ValueError (wrong type or out of bounds)."""
    value = _CONVERT[opt.type](text)
    low, high = opt.bounds or (None, None)
    if opt.type == "float" and not math.isfinite(value):
        raise ValueError(text)  # nan and inf: every comparison below would let them through
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(text)
    return value


def _take_option(opt, arg: str, args: list[str], i: int, values: dict) -> int | None:
    """Store one option's value; the index of the next word, or None to give up."""
    name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
    if not opt.takes_value:
        if eq:
            return None
        values[opt.field] = True
        return i + 1
    if eq:
        text, nxt = inline, i + 1
    elif i + 1 < len(args) and not args[i + 1].startswith("-"):
        text, nxt = args[i + 1], i + 2
    else:
        return None
    try:
        value = convert(opt, text)
    except ValueError:
        return None
    if opt.type == "list":
        values.setdefault(opt.field, []).append(value)
    elif opt.field in values:
        return None  # repeated: let Typer decide
    else:
        values[opt.field] = value
    return nxt


def _flag_table(cmd, allowed=None) -> dict:
    return {flag: o for o in cmd.options if allowed is None or o.field in allowed
            for flag in o.flags}


def parse_options(cmd, args: list[str]) -> dict | None:
    """{field: value} for the options and arguments of `cmd` in `args`, or None."""
    flags, values, positional = _flag_table(cmd), {}, []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("-") and arg != "-":
            opt = flags.get(arg.partition("=")[0] if arg.startswith("--") else arg)
            i = None if opt is None else _take_option(opt, arg, args, i, values)
            if i is None:
                return None
            continue
        if len(positional) >= len(cmd.args):
            return None
        positional.append(arg)
        i += 1
    values.update(zip((a.field for a in cmd.args), positional))
    if any(a.required and a.field not in values for a in cmd.args):
        return None
    return values


def parse(args: list[str]) -> tuple[dict, str, dict] | None:
    """(global values, command path, command values) for a command line, or None."""
    flags, globals_ = _flag_table(GLOBAL, FAST_GLOBALS), {}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        name = args[i].partition("=")[0] if args[i].startswith("--") else args[i]
        opt = flags.get(name)
        i = None if opt is None else _take_option(opt, args[i], args, i, globals_)
        if i is None:
            return None
    path = ""
    while i < len(args) and f"{path} {args[i]}".strip() in BY_PATH:
        path, i = f"{path} {args[i]}".strip(), i + 1
    cmd = BY_PATH[path]
    if cmd.group:
        return None
    values = parse_options(cmd, args[i:])
    return None if values is None else (globals_, path, values)
