"""scripts/llama_server.py, loaded by path for the real-server benchmarks (scripts/ is not a
package): its LlamaServer starts the cached, verified build."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "llama_server.py"


def load_llama_server():
    spec = importlib.util.spec_from_file_location("llama_server", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
