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


def load_llama_server():
    """scripts/llama_server.py, loaded once; it puts scripts/ on sys.path for its sibling modules
    (llama_build, llama_model, llama_process, llama_common), which tests may then import."""
    import sys

    name = "revka_dev_llama_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SCRIPTS / "llama_server.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
