"""The size rule: modules under 300 lines and functions under 60, in the package, scripts/ and
bench/ alike (Python files, and the Python scripts without a suffix)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def python_files() -> list[Path]:
    files = [p for top in ("revka_cli", "scripts", "bench") for p in (ROOT / top).rglob("*.py")]
    for top in ("scripts", "bench"):
        for p in (ROOT / top).iterdir():
            head = p.read_bytes()[:40] if p.is_file() and not p.suffix else b""
            if head.startswith(b"#!") and b"python" in head:
                files.append(p)
    return sorted(files)


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_and_function_sizes(path):
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n") + (not text.endswith("\n"))
    assert lines < MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 >= MAX_FUNCTION_LINES]
    assert not long, f"{path.relative_to(ROOT)}: {long}"
