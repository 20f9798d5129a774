"""Structural guards: import direction, and nothing heavy on the start-up path."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "revka_cli"
HEAVY = ("httpx", "rich", "yaml", "diskcache", "tomlkit", "starlark")


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


def typer_private(path: Path) -> list[str]:
    """typer's private modules (typer._click, typer._completion_classes, ...) a file imports."""
    tree = ast.parse(path.read_text())
    found = [m for m in imported_modules(path) if m.split(".")[0] == "typer"
             and any(part.startswith("_") for part in m.split(".")[1:])]
    found += [f"typer.{a.name}" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
              and node.module == "typer" for a in node.names if a.name.startswith("_")]
    found += [f"typer.{node.attr}" for node in ast.walk(tree) if isinstance(node, ast.Attribute)
              and isinstance(node.value, ast.Name) and node.value.id == "typer"
              and node.attr.startswith("_")]
    return found


ROOT = PKG.parent


@pytest.mark.parametrize("path", [p for folder in ("revka_cli", "scripts", "bench", "tests")
                                  for p in (ROOT / folder).rglob("*.py")],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_only_public_typer_api(path):
    """typer is unpinned (pyproject.toml): nothing may lean on its private modules."""
    assert not typer_private(path), path


def test_the_private_typer_check_can_fail(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import typer._click\nfrom typer import _completion_classes\n"
                     "from typer._click.shell_completion import split_arg_string\n"
                     "x = typer._completion_shared\n")
    assert sorted(typer_private(probe)) == ["typer._click", "typer._click.shell_completion",
                                            "typer._completion_classes",
                                            "typer._completion_shared"]


LAYERS = ["cli", "batch_doctor_catalog", "chat", "providers", "transport", "config", "base"]
# The leaf modules, in the order they may import each other (each only from those after it).
LEAVES = ["errors", "redact", "paths", "specs", "urls", "textsafe", "textfix", "limits", "records"]


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "revka_cli" or len(parts) == 1:
        return None
    head = parts[1]
    if head in ("cli", "__main__"):
        return "cli"
    if head in ("batch", "catalog", "doctor"):
        return "batch_doctor_catalog"
    if head == "chat":
        return "chat"
    if head == "providers":
        return "providers"
    if head in ("transport",):
        return "transport"
    if head in ("config",):
        return "config"
    return "base"  # errors, paths, specs, urls, ...: leaves every layer may use


def test_every_package_and_leaf_the_rules_name_exists():
    for head in ("cli", "batch", "catalog", "doctor", "chat", "providers", "transport", "config"):
        if head == "batch" and not (PKG / "batch").exists():
            continue  # the batch command's package, once it lands
        assert (PKG / head / "__init__.py").is_file(), head
    assert (PKG / "providers" / "protocols" / "__init__.py").is_file()
    leaves = {p.stem for p in PKG.glob("*.py")} - {"__init__", "__main__"}
    assert leaves == set(LEAVES), sorted(leaves ^ set(LEAVES))


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


@pytest.mark.parametrize("leaf", LEAVES)
def test_leaf_modules_import_only_leaves_after_them(leaf):
    for mod in imported_modules(PKG / f"{leaf}.py") | _from_package_imports(PKG / f"{leaf}.py"):
        parts = mod.split(".")
        if parts[0] != "revka_cli" or len(parts) == 1:
            continue
        assert parts[1] in LEAVES and LEAVES.index(parts[1]) > LEAVES.index(leaf), f"{leaf} imports {mod}"


def _from_package_imports(path: Path) -> set[str]:
    """`from revka_cli import specs` names the module specs."""
    tree = ast.parse(path.read_text())
    return {f"revka_cli.{alias.name}" for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "revka_cli"
            for alias in node.names}


PROTOCOL_NAMES = ("openai", "ollama", "anthropic")


def _compares_protocol(node: ast.Compare) -> bool:
    """`x == "ollama"`, `x != specs.OLLAMA`, `x in (specs.OPENAI, ...)` and the like."""
    def is_name(expr) -> bool:
        if isinstance(expr, ast.Constant) and expr.value in PROTOCOL_NAMES:
            return True
        if isinstance(expr, ast.Attribute) and expr.attr in ("OPENAI", "OLLAMA", "ANTHROPIC"):
            return True
        if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
            return any(is_name(e) for e in expr.elts)
        return False
    return any(is_name(e) for e in (node.left, *node.comparators))


def _mentions_protocol(node: ast.Compare) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "protocol" for n in ast.walk(node))


@pytest.mark.parametrize("path", package_files(), ids=lambda p: str(p.relative_to(PKG)))
def test_no_protocol_name_comparisons_outside_the_registry(path):
    """Behaviour per wire protocol lives in revka_cli/providers/protocols/: nothing else compares
    a protocol's name (provider ids such as "ollama" may still be compared, but not `.protocol`
    or the OPENAI/OLLAMA/ANTHROPIC names)."""
    if path.parent.name == "protocols":
        return
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare) and _compares_protocol(node):
            attr_names = any(isinstance(n, ast.Attribute) and n.attr in ("OPENAI", "OLLAMA", "ANTHROPIC")
                             for n in ast.walk(node))
            assert not (attr_names or _mentions_protocol(node)), \
                f"{path.relative_to(PKG)}:{node.lineno} compares a protocol name"


def test_the_protocol_guard_catches_a_comparison():
    sample = ast.parse('if endpoint.protocol == "ollama": pass\nif p != specs.ANTHROPIC: pass')
    found = [n for n in ast.walk(sample) if isinstance(n, ast.Compare) and _compares_protocol(n)]
    assert len(found) == 2 and all(_mentions_protocol(n) or n.lineno == 2 for n in found)


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
