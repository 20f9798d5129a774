"""Load a generator from scripts/ (gen_help, gen_man, gen_completions, gen_readme) for drift tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def load_script(name: str):
    """scripts/<name>.py as a module, loaded by path (no sys.path changes)."""
    spec = importlib.util.spec_from_file_location(f"revka_scripts_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
