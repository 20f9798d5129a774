"""Process entry point and its one error boundary. `--version`, `--help` pages, completion and the
fast commands are answered without importing typer; everything else is handed to the Typer app."""

from __future__ import annotations

import os
import sys


def _columns() -> int:
    """The width click will format help for (mirrors shutil.get_terminal_size, without shutil)."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 80
    return columns if columns > 0 else 80


def fast_help(args: list[str]) -> str | None:
    """The stored help page when `args` is exactly `[command...] --help`, else None."""
    if not args:
        key = ""
    elif args[-1] in ("--help", "-h") and not any(a.startswith("-") for a in args[:-1]):
        key = " ".join(args[:-1])
    else:
        return None
    from revka_cli.cli.generated.helptext import PAGES, WIDTH

    if key not in PAGES or _columns() < WIDTH:
        return None
    return PAGES[key]


def _fast_command(args: list[str]) -> int | None:
    """A stored help page, or a command the typer-free fast path answers; None otherwise."""
    page = fast_help(args)
    if page is not None:
        sys.stdout.write(page)
        return 0
    if "--help" in args or "-h" in args:
        return None
    from revka_cli.cli.fast.run import run_fast

    return run_fast(args)


def _dispatch(args: list[str]) -> int:
    if args in (["--version"], ["-V"]):
        from revka_cli import __version__

        sys.stdout.write(f"revka {__version__}\n")
        return 0
    if os.environ.get("_REVKA_COMPLETE"):  # a TAB press: model and provider names without typer
        from revka_cli.cli.fast.complete import answer

        code = answer()
    else:
        code = _fast_command(args)
    if code is not None:
        return code
    from revka_cli.cli.app import run

    return run(args)


def main(argv: list[str] | None = None) -> int:
    """Run one command line inside the one error boundary, whichever parser answers it."""
    from revka_cli.cli.boundary import guarded

    args = sys.argv[1:] if argv is None else list(argv)
    return guarded(lambda: _dispatch(args), args, os.environ)
