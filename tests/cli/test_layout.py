"""cli/ is grouped (commands/, fast/, generated/, surface/) and its modules import without cycles:
no module-level import path leads from a module back to itself."""

from __future__ import annotations

from pathlib import Path

from tests.test_architecture import imported_modules

CLI = Path(__file__).resolve().parents[2] / "revka_cli" / "cli"


def module_name(path: Path) -> str:
    rel = path.relative_to(CLI.parent.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def top_level_imports(path: Path) -> set[str]:
    """Imports at module level only (function-level imports are lazy and cannot form cycles at
    import time)."""
    import ast

    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_cli_has_no_import_cycle():
    files = {module_name(p): p for p in CLI.rglob("*.py")}
    graph = {name: {m for m in top_level_imports(p) if m in files and m != name}
             for name, p in files.items()}
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        assert state.get(name) != 1, " -> ".join([*trail, name])
        state[name] = 1
        for dep in sorted(graph[name]):
            visit(dep, [*trail, name])
        state[name] = 2

    for name in sorted(graph):
        visit(name, [])


def test_command_modules_never_import_the_app_or_typer():
    for path in (CLI / "commands").glob("*.py"):
        mods = imported_modules(path)
        assert "revka_cli.cli.app" not in mods, path
        assert not any(m.split(".")[0] == "typer" for m in mods), path


def test_layout_groups_the_cli():
    assert {p.name for p in CLI.iterdir() if p.is_dir() and p.name != "__pycache__"} == \
        {"commands", "fast", "generated", "surface"}
    assert sorted(p.name for p in (CLI / "generated").glob("*.py")) == \
        ["__init__.py", "completetable.py", "helptext.py"]
