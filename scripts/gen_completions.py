#!/usr/bin/env python3
"""Regenerate the shell completion scripts and the fast path's command table from the command spec:

    completions/revka.bash, completions/_revka (zsh), completions/revka.fish
    revka_cli/cli/generated/completetable.py

Run after changing any command or option (tests/cli/test_completion.py fails when they drift)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TABLE = REPO / "revka_cli" / "cli" / "generated" / "completetable.py"


def generate() -> dict[Path, str]:
    """{path: content} for every generated file."""
    sys.path.insert(0, str(REPO))
    from revka_cli.cli.fast.complete import SHELLS
    from revka_cli.cli.commands.completion_scripts import FILE_NAMES, script

    files = {REPO / "completions" / FILE_NAMES[shell]: script(shell) for shell in SHELLS}
    from revka_cli.cli.surface.tables import render_completion_table

    files[TABLE] = render_completion_table()
    return files


if __name__ == "__main__":
    for path, text in generate().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(REPO)}")
