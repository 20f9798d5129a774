"""Build Typer commands from the command spec (public typer API only: Typer, Option, Argument,
Context, Exit). Each command's function gets a signature made from the spec's options, so Typer
parses, validates bounds and renders help exactly as for hand-written parameters; the function
hands the parsed values to the command's body as an options record."""

from __future__ import annotations

import inspect
from typing import List, Optional

import typer

from revka_cli.cli.state import get_state
from revka_cli.cli.surface.options import build_options
from revka_cli.cli.surface.spec import BY_PATH, Arg, Opt
from revka_cli.cli.surface.tables import option_help

_ANNOTATIONS = {"str": Optional[str], "int": Optional[int], "float": Optional[float], "flag": bool}


def _annotation(param):
    if isinstance(param, Arg):
        return str if param.required else Optional[str]
    if param.type == "list":
        return List[str] if param.default is not None else Optional[List[str]]
    return _ANNOTATIONS[param.type]


def _number_check(low, high):
    """A callback applying config's number rules: click's FloatRange lets nan through."""
    def check(value):
        from revka_cli.config.numbers import number_problem

        problem = None if value is None else number_problem(value, low, high)
        if problem:
            raise typer.BadParameter(problem)
        return value

    return check


def _typer_default(param, extra: dict):
    kwargs = {"help": param.help}
    if param.metavar:
        kwargs["metavar"] = param.metavar
    if isinstance(param, Arg):
        return typer.Argument(... if param.required else None, **kwargs)
    low, high = param.bounds or (None, None)
    if param.type == "float":
        kwargs["callback"] = _number_check(low, high)
        kwargs["help"] = option_help(param)  # its bounds shown as click shows its own ranges
    else:
        if low is not None:
            kwargs["min"] = low
        if high is not None:
            kwargs["max"] = high
    return typer.Option(param.default, *param.flags, **kwargs, **extra.get(param.field, {}))


def signature(path: str, extra: dict | None = None) -> inspect.Signature:
    """ctx, then one parameter per spec argument and option (Typer lists them in this order)."""
    cmd = BY_PATH[path]
    params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation=typer.Context)]
    for param in (*cmd.args, *cmd.options):
        params.append(inspect.Parameter(param.field, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                        default=_typer_default(param, extra or {}),
                                        annotation=_annotation(param)))
    return inspect.Signature(params)


def command_function(path: str, body, extra: dict | None = None):
    """A Typer-ready function for `path` that runs `body(state, options)`; a non-zero int it
    returns becomes the exit code."""
    def command(ctx: typer.Context, **values):
        code = body(get_state(ctx), build_options(path, values))
        if isinstance(code, int) and code:
            raise typer.Exit(code)

    command.__signature__ = signature(path, extra)
    command.__annotations__ = {}
    command.__name__ = command.__qualname__ = path.replace(" ", "_") or "main"
    return command


def _group_help(ctx: typer.Context) -> None:
    """A group run without a subcommand prints its help to stdout and exits 0, as bare revka."""
    if ctx.invoked_subcommand is None:
        from revka_cli.cli.environment import current

        current().stdout.write(ctx.get_help() + "\n")
        raise typer.Exit(0)


def add_commands(app: typer.Typer, group: str, bodies: dict) -> None:
    """Register every spec command directly under `group` (sub-groups become sub-Typers)."""
    from revka_cli.cli.surface.spec import children

    for cmd in children(group):
        if cmd.group:
            sub = typer.Typer(help=cmd.help, invoke_without_command=True)
            sub.callback()(_group_help)
            add_commands(sub, cmd.path, bodies)
            app.add_typer(sub, name=cmd.name, short_help=cmd.summary)
        else:
            app.command(cmd.name, help=cmd.help, short_help=cmd.summary)(
                command_function(cmd.path, bodies[cmd.path]))


__all__ = ["add_commands", "command_function", "signature", "Opt"]
