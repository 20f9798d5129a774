"""The Typer application: global options, command groups, and the error boundary."""

from __future__ import annotations

import os
import sys
from typing import Optional

import typer
from typer.core import TyperGroup

from revka_cli import __version__
from revka_cli.cli.state import AppState, get_state
from revka_cli.errors import EXIT_CODES


def exit_code_epilog() -> str:
    rows = "\n".join(f"  {code:<4} {meaning}" for code, meaning in EXIT_CODES)
    return f"\b\nExit status:\n{rows}"


def _debug_requested(args: list[str]) -> bool:
    head = args[: args.index("--")] if "--" in args else args
    return "--debug" in head or os.environ.get("REVKA_DEBUG", "") not in ("", "0")


class RevkaGroup(TyperGroup):
    """Runs the command tree and maps every exception to stderr and an exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        from revka_cli.cli.errors import report_exception

        args = list(sys.argv[1:] if args is None else args)
        if not args and not os.environ.get("_REVKA_COMPLETE"):
            args = ["--help"]
        try:
            rv = super().main(args=args, prog_name=prog_name or "revka", complete_var=complete_var,
                              standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except typer.Exit as exc:
            code = exc.exit_code
        except (Exception, KeyboardInterrupt) as exc:  # the one error boundary
            code = report_exception(exc, _debug_requested(args))
        _flush_stdout()
        if standalone_mode:
            sys.exit(code)
        return code


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        pass


app = typer.Typer(
    cls=RevkaGroup,
    name="revka",
    help="A command-line client for LLM servers you run yourself: Ollama, llama.cpp, vLLM, SGLang, "
         "LM Studio, Osaurus, and any OpenAI- or Anthropic-compatible URL.",
    epilog=exit_code_epilog(),
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"revka {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Optional[str] = typer.Option(
        None, "--config", metavar="PATH", help="Config file (default: $REVKA_CONFIG, then "
        "$XDG_CONFIG_HOME/revka/config.toml or config.yaml).", envvar=None),
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs on stderr."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors on stderr."),
    no_color: bool = typer.Option(False, "--no-color", help="No colour (also: NO_COLOR=1)."),
) -> None:
    state = get_state(ctx)
    state.config_path, state.debug, state.quiet, state.no_color = config, debug, quiet, no_color
    if debug:
        _enable_debug_log()
    elif "logging" in sys.modules:
        sys.modules["logging"].getLogger("revka").setLevel("WARNING")


def _enable_debug_log() -> None:
    """Debug lines on stderr from revka's own loggers only (they never carry credentials)."""
    import logging

    class CurrentStderr(logging.Handler):  # whatever sys.stderr is when a line is logged
        def emit(self, record: logging.LogRecord) -> None:
            sys.stderr.write(self.format(record) + "\n")

    logger = logging.getLogger("revka")
    if not any(h.get_name() == "revka-debug" for h in logger.handlers):
        handler = CurrentStderr()
        handler.set_name("revka-debug")
        handler.setFormatter(logging.Formatter("revka: debug: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def _register() -> None:
    from revka_cli.cli.commands import chat as chat_cmd
    from revka_cli.cli.commands import completion as completion_cmd
    from revka_cli.cli.commands import config as config_cmd
    from revka_cli.cli.commands import doctor as doctor_cmd
    from revka_cli.cli.commands import models as models_cmd

    app.command(name="chat", help="Send a prompt and stream the answer to stdout.")(chat_cmd.chat)
    app.add_typer(completion_cmd.app, name="completion")
    app.add_typer(config_cmd.app, name="config")
    app.add_typer(doctor_cmd.app, name="doctor")
    app.add_typer(models_cmd.app, name="models")


_register()


def run(args: list[str]) -> int:
    command = typer.main.get_command(app)
    return command.main(args=args, prog_name="revka", standalone_mode=False)


__all__ = ["app", "run", "AppState"]
