"""The Typer application: global options, command groups, and the error boundary."""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from revka_cli import __version__
from revka_cli.cli.state import AppState, apply_globals
from revka_cli.cli.surface.spec import GLOBAL
from revka_cli.errors import EXIT_CODES


def exit_code_epilog() -> str:
    rows = "\n".join(f"  {code:<4} {meaning}" for code, meaning in EXIT_CODES)
    return f"\b\nExit status:\n{rows}"


class RevkaGroup(TyperGroup):
    """Runs the command tree inside the one error boundary (cli/boundary.py)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        from revka_cli.cli.boundary import guarded
        from revka_cli.cli.environment import current

        environ = current().environ
        if environ.get("_REVKA_COMPLETE"):  # a TAB press: the same answer as the entry point's
            from revka_cli.cli.fast.complete import answer

            code = answer(environ, current().stdout)
            if standalone_mode:
                sys.exit(code)
            return code
        args = list(sys.argv[1:] if args is None else args)
        if not args:
            args = ["--help"]

        def run() -> int:
            rv = super(RevkaGroup, self).main(args=args, prog_name=prog_name or "revka",
                                              complete_var=complete_var, standalone_mode=False,
                                              **extra)
            return rv if isinstance(rv, int) else 0

        code = guarded(run, args, environ)  # the entry point's boundary, when run from there
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=RevkaGroup,
    name="revka",
    help=GLOBAL.help,
    epilog=exit_code_epilog(),
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> bool:
    if value:
        from revka_cli.cli.environment import current

        current().stdout.write(f"revka {__version__}\n")
        raise typer.Exit(0)
    return value


def bodies() -> dict:
    """{command path: body(state, options)}: what each command of the spec runs."""
    from revka_cli.cli.commands import (
        batch, chat_command, completion, config, doctor, models, providers,
    )

    return {"chat": chat_command.chat, "batch": batch.batch, "config validate": config.validate,
            "config show": config.show, "config path": config.path, "doctor models": doctor.models,
            "models refresh": models.refresh, "models list": models.list_,
            "models set": models.set_, "models status": models.status,
            "providers": providers.providers,
            "completion install": completion.install,
            **{f"completion {shell}": completion.printer(shell) for shell in completion.SHELLS}}


def _register() -> None:
    from revka_cli.cli.surface.typer_build import add_commands, command_function

    app.callback()(command_function("", apply_globals, {
        "version": {"callback": _version, "is_eager": True}}))
    add_commands(app, "", bodies())


_register()


def run(args: list[str]) -> int:
    command = typer.main.get_command(app)
    return command.main(args=args, prog_name="revka", standalone_mode=False)


__all__ = ["app", "run", "AppState"]
