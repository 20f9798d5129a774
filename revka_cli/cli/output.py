"""Writing to stdout and stderr. stdout carries only a command's answer; the rest goes to stderr."""

from __future__ import annotations

from revka_cli.cli.environment import current
from revka_cli.cli.state import AppState


def out(text: str = "", end: str = "\n") -> None:
    current().stdout.write(text + end)


def out_json(value: object) -> None:
    import json

    from revka_cli.textsafe import json_text

    current().stdout.write(json_text(json.dumps(value, indent=2, ensure_ascii=False)) + "\n")


def err(text: str) -> None:
    current().stderr.write(text + "\n")


def warn(state: AppState | None, text: str) -> None:
    from revka_cli.redact import scrub
    from revka_cli.textsafe import visible

    if state is None or not state.quiet:
        current().stderr.write(f"revka: warning: {visible(scrub(text))}\n")


def report_error(message: str, hint: str | None) -> None:
    """The one error format: `revka: error: …` plus a `hint:` line. No secret in either, and
    server text is shown with its control characters visible (textsafe), on a terminal or not."""
    from revka_cli.redact import scrub
    from revka_cli.textsafe import visible

    stderr = current().stderr
    stderr.write(f"revka: error: {visible(scrub(message))}\n")
    if hint:
        stderr.write(f"hint: {visible(scrub(hint))}\n")


def report_plain_exception(exc: BaseException) -> int:
    """Report any exception that is not typer's own; return the exit code (no traceback)."""
    from revka_cli.errors import EXIT_INTERRUPTED, EXIT_PROVIDER, RevkaError

    if isinstance(exc, RevkaError):
        report_error(exc.message, exc.hint)
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        current().stderr.write("revka: interrupted\n")
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        return 141
    report_error(f"internal error: {type(exc).__name__}: {exc}",
                 "rerun with --debug for a traceback, and report it if it persists")
    return EXIT_PROVIDER
