"""Process entry point. Answers `--version` without importing typer, then hands over to the app."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args in (["--version"], ["-V"]):
        from revka_cli import __version__

        sys.stdout.write(f"revka {__version__}\n")
        return 0
    from revka_cli.cli.app import run

    return run(args)
