"""Structural guards: import direction, and nothing heavy on the start-up path."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "revka_cli"
HEAVY = ("httpx", "rich", "yaml", "diskcache", "tomlkit")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def package_files():
    return [p for p in PKG.rglob("*.py")]


@pytest.mark.parametrize("path", package_files(), ids=lambda p: str(p.relative_to(PKG)))
def test_only_cli_imports_typer_or_rich_and_nobody_imports_click(path):
    mods = imported_modules(path)
    assert not any(m == "click" or m.startswith("click.") for m in mods)
    if "cli" not in path.relative_to(PKG).parts:
        assert not any(m.split(".")[0] in ("typer", "rich") for m in mods), path


LAYERS = ["cli", "catalog_doctor", "providers", "transport", "config", "base"]


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "revka_cli" or len(parts) == 1:
        return None
    head = parts[1]
    if head in ("cli", "__main__"):
        return "cli"
    if head in ("catalog", "doctor", "completion_index"):
        return "catalog_doctor"
    if head in ("providers", "chat"):
        return "providers"
    if head in ("transport",):
        return "transport"
    if head in ("config",):
        return "config"
    return "base"  # errors, paths, specs, urls: leaves every layer may use


@pytest.mark.parametrize("path", package_files(), ids=lambda p: str(p.relative_to(PKG)))
def test_imports_point_one_way(path):
    rel = path.relative_to(PKG.parent).with_suffix("")
    own = layer_of(".".join(rel.parts))
    if own is None:
        return
    for mod in imported_modules(path):
        other = layer_of(mod)
        if other is None or other == own:
            continue
        assert LAYERS.index(other) > LAYERS.index(own), f"{rel} ({own}) imports {mod} ({other})"


PROBE = """
import sys, json
from revka_cli.cli.entry import main
sys.argv = ["revka"] + {args!r}
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stdout.flush()
print(json.dumps(sorted(m for m in sys.modules)), file=sys.stderr)
"""


def probe_modules(args: list[str]) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True,
                          text=True, timeout=60)
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_models_list_from_cache_imports_nothing_heavy(server, revka, write_config):
    from tests.servers import Reply

    server.route("GET", "/api/tags", Reply.json({"models": [{"name": "llama3.2:3b", "size": 1}]}))
    write_config(f'api_url = "{server.url}"\n')
    assert revka("models", "refresh").exit_code == 0
    loaded = {m.split(".")[0] for m in probe_modules(["models", "list"])}
    assert not loaded & (set(HEAVY) | {"typer"}), sorted(loaded & (set(HEAVY) | {"typer"}))


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["config", "--help"], ["config", "path"],
                                  ["config", "validate"]])
def test_startup_path_imports_nothing_heavy(args):
    modules = probe_modules(args)
    loaded = sorted({m.split(".")[0] for m in modules} & set(HEAVY))
    assert loaded == [], f"revka {' '.join(args)} imported {loaded}"
    if args != ["config", "path"]:  # every other probe is answered by a fast path
        assert "typer" not in {m.split(".")[0] for m in modules}
