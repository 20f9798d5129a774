"""The one place that turns an exception into stderr lines and an exit code."""

from __future__ import annotations

import sys
import traceback

import typer

from revka_cli.cli.output import report_error as _write
from revka_cli.cli.output import report_plain_exception
from revka_cli.errors import EXIT_INTERRUPTED, EXIT_USAGE


def report_exception(exc: BaseException, debug: bool) -> int:
    """Print what happened and return the exit code. Tracebacks only with --debug."""
    if debug and not isinstance(exc, (KeyboardInterrupt, typer.Exit)):
        from revka_cli.redact import scrub  # a chained library error may quote a header

        sys.stderr.write(scrub("".join(traceback.format_exception(type(exc), exc, exc.__traceback__))))
    if isinstance(exc, typer.Abort):
        sys.stderr.write("revka: interrupted\n")
        return EXIT_INTERRUPTED
    if isinstance(exc, typer.TyperException):  # click usage errors live under this
        code = getattr(exc, "exit_code", EXIT_USAGE)
        ctx = getattr(exc, "ctx", None)
        path = ctx.command_path if ctx is not None else "revka"
        _write(exc.format_message(), f"see '{path} --help'")
        return code
    return report_plain_exception(exc)
