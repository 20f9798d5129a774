"""The README's reference parts that must follow the code: the config table, the troubleshooting
entry for every hint revka prints, the demo section, and the revka commands it shows."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

from tests.scriptkit import load_script

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"


def readme() -> str:
    return README.read_text()


def section(title: str) -> str:
    text = readme()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def test_config_table_is_generated_from_the_schema():
    gen = load_script("gen_readme")
    assert readme() == gen.render(readme()), "the config table or an option list drifted: run scripts/regen.py"
    from revka_cli.config.schema import iter_fields

    table = readme().split(gen.BEGIN, 1)[1].split(gen.END, 1)[0]
    for key, _ in iter_fields():
        assert f"| `{key}` |" in table


# --- every hint has a troubleshooting entry ---------------------------------------------------------

ELLIPSIS = "…"  # a part of the hint only known at run time


def collect(pkg: Path) -> dict[str, list[str]]:
    """{hint: [file:line, ...]} for every hint revka can print: each `default_hint`, each hint
    given to a RevkaError subclass (second argument or hint=), and each module-level *_HINT
    constant. Whitespace is normalised; a run-time part of an f-string becomes "…"."""
    trees = {p: ast.parse(p.read_text()) for p in sorted(pkg.rglob("*.py"))}
    errors = {"RevkaError"}
    grew = True
    while grew:  # every subclass, across modules
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in errors and any(
                        _name(b) in errors for b in node.bases):
                    errors.add(node.name)
                    grew = True
    found: dict[str, list[str]] = {}

    def add(text: str | None, where: str) -> None:
        if text and text.strip():
            found.setdefault(" ".join(text.split()), []).append(where)

    for path, tree in trees.items():
        consts = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign)
                  for t in n.targets if isinstance(t, ast.Name)}
        rel = path.relative_to(pkg.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if any(n.endswith("_HINT") or n == "default_hint" for n in names):
                    add(_text(node.value, consts), f"{rel}:{node.lineno}")
            elif isinstance(node, ast.Call) and _name(node.func) in errors:
                hint = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg == "hint"), None)
                if hint is not None:
                    add(_text(hint, consts), f"{rel}:{node.lineno}")
    return found


def _name(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _text(node, consts: dict, depth: int = 0) -> str | None:
    """The hint as printed, "…" for each run-time part; None when it is not literal at all."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value)
                continue
            plain = value.conversion == -1 and value.format_spec is None
            text = _text(value.value, consts, depth + 1) \
                if plain and isinstance(value.value, ast.Name) else None
            parts.append(ELLIPSIS if text is None else text)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left, consts, depth), _text(node.right, consts, depth)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Name) and node.id in consts and depth < 5:
        return _text(consts[node.id], consts, depth + 1)
    return None


def test_every_hint_has_a_troubleshooting_entry():
    hints = collect(REPO / "revka_cli")
    assert len(hints) > 40  # the collector still finds them
    assert "check the path" in hints and "rerun with --debug for details" in hints
    entries = " ".join(section("Troubleshooting").split())
    missing = {hint: where for hint, where in hints.items() if f"`{hint}`" not in entries}
    assert not missing, "hints without a README troubleshooting entry:\n" + "\n".join(
        f"  {hint!r}  ({', '.join(where)})" for hint, where in missing.items())


def test_hint_collector_reads_fstrings_and_constants(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "mod.py").write_text(
        'X_HINT = "from a constant"\nTAIL = "tail"\n'
        "class RevkaError(Exception):\n    default_hint = 'base'\n"
        "class Mine(RevkaError):\n    default_hint = f'kept; {TAIL}'\n"
        "def f(name):\n    raise Mine('m', f'use {name} now')\n"
        "def g():\n    raise Mine('m', hint='a' 'b')\n")
    assert set(collect(pkg)) == {"from a constant", "base", "kept; tail", "use … now", "ab"}


# --- the rest --------------------------------------------------------------------------------------

def test_demo_section_names_the_demo_and_its_model():
    demo = section("Demo: revka end to end on a machine with no LLM server")
    assert "scripts/demo" in demo and "SmolLM2-135M-Instruct" in demo


def test_readme_covers_the_topics():
    text = readme()
    for heading in ("## Install", "## Your first chat, against a local Ollama", "### Config reference",
                    "## Provider setup recipes", "## Scripting", "## CI: `revka doctor models`",
                    "## Shell completion and man pages", "## Troubleshooting"):
        assert f"\n{heading}\n" in text, heading
    recipes = section("Provider setup recipes")
    for name in ("Ollama", "llama.cpp", "vLLM", "SGLang", "LM Studio", "Osaurus", "LiteLLM",
                 "`custom:<url>`", "`anthropic-custom:<url>`", "`models.custom`"):
        assert re.search(rf"^### .*{re.escape(name)}", recipes, re.M), name
    ci = section("CI: `revka doctor models`")
    assert "```yaml" in ci and "```sh" in ci


def test_readme_commands_use_real_commands_and_options():
    from tests.test_man_pages import check_invocation

    blocks = re.findall(r"```sh\n(.*?)```", readme(), re.S)
    checked = 0
    for block in blocks:
        for line in block.splitlines():
            for match in re.finditer(r"(?:^|[|(]\s*|^[A-Z_]+=\S+\s+)revka(?:\s+[^|)<>]*)?", line):
                words = shlex.split(match.group(0)[match.group(0).index("revka"):], comments=True)
                check_invocation(words, line)
                checked += 1
    assert checked >= 30


def test_changelog_keeps_an_unreleased_section():
    text = (REPO / "CHANGELOG.md").read_text()
    assert "keepachangelog.com" in text
    unreleased = text.split("## [Unreleased]", 1)[1].split("\n## [", 1)[0]
    for topic in ("revka completion", "man pages", "README"):
        assert topic in unreleased, topic
