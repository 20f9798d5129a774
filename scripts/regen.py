#!/usr/bin/env python3
"""Regenerate every generated file from the command spec, the Typer app built from it and the
config schema, in one command (run after changing any command, option or help text):

    python scripts/regen.py

completions/ and the fast completer's table (gen_completions), the stored help pages (gen_help),
the man pages (gen_man), the README's config table and option lists (gen_readme). Each file is
drift-tested, so a forgotten run fails the tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATORS = ("gen_completions", "gen_help", "gen_man", "gen_readme")


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    for name in GENERATORS:
        module = load(name)
        if name == "gen_readme":
            module.README.write_text(module.render(module.README.read_text()))
            print(f"wrote {module.README.relative_to(module.REPO)}")
            continue
        outputs = module.generate()
        if isinstance(outputs, str):
            outputs = {module.TARGET: outputs}
        for path, text in outputs.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
                print(f"wrote {path.relative_to(module.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
