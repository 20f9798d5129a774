"""Render every help page of the Typer app, exactly as `revka ... --help` prints it at 80 columns.

Used by scripts/gen_help.py (to write revka_cli/cli/generated/helptext.py for the fast path) and by the test
that fails when the generated pages drift from the app.
"""

from __future__ import annotations

import os

WIDTH = 80


def command_paths(command, prefix=()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if getattr(sub, "hidden", False):
            continue
        paths += command_paths(sub, prefix + (name,))
    return paths


def render_all() -> dict[str, str]:
    """{"": top-level help, "config": ..., "config validate": ...}."""
    import typer
    from typer.testing import CliRunner

    from revka_cli.cli.app import app

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(WIDTH)
    try:
        root = typer.main.get_command(app)
        runner = CliRunner()
        pages = {}
        for path in command_paths(root):
            res = runner.invoke(app, [*path, "--help"], env={"COLUMNS": str(WIDTH)})
            assert res.exit_code == 0, (path, res.output)
            pages[" ".join(path)] = res.stdout
        return pages
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
