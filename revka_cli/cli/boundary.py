"""The one error boundary: every command line, whichever parser answers it (the fast path or
Typer), runs inside `guarded`, which turns an exception into stderr lines and an exit code.

`--debug` or REVKA_DEBUG (any value but empty or 0) adds tracebacks, and debug log lines from
revka's own loggers. Typer's exceptions are recognised only when typer was imported (the fast path
never imports it)."""

from __future__ import annotations

import sys

from revka_cli.cli.environment import current

DEBUG_ENV = "REVKA_DEBUG"
_depth = [0]  # guarded calls in progress: an inner one (Typer's group) lets errors through


def env_flag(environ, name: str | None) -> bool:
    return bool(name) and environ.get(name, "") not in ("", "0")


def debug_requested(args: list[str], environ) -> bool:
    head = args[: args.index("--")] if "--" in args else args
    return "--debug" in head or env_flag(environ, DEBUG_ENV)


def _typer_exit(exc: BaseException) -> int | None:
    typer = sys.modules.get("typer")
    if typer is not None and isinstance(exc, typer.Exit):
        return exc.exit_code
    return None


def report_exception(exc: BaseException, debug: bool) -> int:
    """Print what happened and return the exit code. Tracebacks only with --debug."""
    from revka_cli.cli.output import report_error as _write
    from revka_cli.cli.output import report_plain_exception
    from revka_cli.errors import EXIT_INTERRUPTED, EXIT_USAGE

    code = _typer_exit(exc)
    if code is not None:
        return code
    if debug and not isinstance(exc, KeyboardInterrupt):
        import traceback

        from revka_cli.redact import scrub  # a chained library error may quote a header

        current().stderr.write(scrub("".join(traceback.format_exception(type(exc), exc,
                                                                        exc.__traceback__))))
    typer = sys.modules.get("typer")
    if typer is not None and isinstance(exc, typer.Abort):
        current().stderr.write("revka: interrupted\n")
        return EXIT_INTERRUPTED
    if typer is not None and isinstance(exc, typer.TyperException):  # click usage errors
        ctx = getattr(exc, "ctx", None)
        _write(exc.format_message(), f"see '{ctx.command_path if ctx is not None else 'revka'} --help'")
        return getattr(exc, "exit_code", EXIT_USAGE)
    return report_plain_exception(exc)


def enable_debug_log() -> None:
    """Debug lines on stderr from revka's own loggers only (they never carry credentials)."""
    import logging

    class CurrentStderr(logging.Handler):  # the run's stderr when a line is logged
        def emit(self, record: logging.LogRecord) -> None:
            from revka_cli.redact import scrub

            current().stderr.write(scrub(self.format(record)) + "\n")

    logger = logging.getLogger("revka")
    if not any(h.get_name() == "revka-debug" for h in logger.handlers):
        handler = CurrentStderr()
        handler.set_name("revka-debug")
        handler.setFormatter(logging.Formatter("revka: debug: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def flush_stdout() -> None:
    try:
        current().stdout.flush()
    except (BrokenPipeError, ValueError):
        pass


def guarded(run, args: list[str], environ):
    """`run()`'s result (an exit code, or None for "not handled"), or the exit code of the
    exception it raised, reported once. Nested calls let exceptions reach the outermost one."""
    if _depth[0]:
        return run()
    redact = sys.modules.get("revka_cli.redact")  # not imported yet: nothing learnt to forget
    if redact is not None:
        redact.SESSION.clear()  # one command, one set of secrets (tests run many in-process)
    _depth[0] += 1
    try:
        return run()
    except (Exception, KeyboardInterrupt) as exc:  # the one error boundary
        return report_exception(exc, debug_requested(args, environ))
    finally:
        _depth[0] -= 1
        flush_stdout()
