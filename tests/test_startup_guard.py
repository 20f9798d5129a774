"""The start-up path stays light: `--version`, `--help` pages and TAB completion never import httpx,
rich, yaml or diskcache (and completion never opens the SQLite cache: it reads the plain index).

Not a timing test: each case runs revka's entry point in a fresh interpreter and looks at
`sys.modules` afterwards. The timings themselves are in bench/ (bench/run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = {"httpx", "rich", "yaml", "diskcache", "starlark"}
# `re` costs ~15 ms, half a bare interpreter: the paths a TAB press or --version runs avoid it
FAST = HEAVY | {"re"}
CACHED = ["llama3.2:3b", "llama3.1:8b", "qwen2.5:7b", "gemma3:4b"]

PROBE = """
import sys
from revka_cli.cli.entry import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
code = 0 if code is None else code  # what the process would exit with
modules = sorted(sys.modules)  # before the probe's own json import (json imports re)
sys.stdout.flush()
import json
sys.stderr.write("\\n" + json.dumps({"code": code, "modules": modules}) + "\\n")
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """An isolated HOME/XDG/cache with a TOML config and a model cache written by the catalog."""
    root = tmp_path_factory.mktemp("startup-guard")
    config = root / "config.toml"
    config.write_text('default_provider = "ollama"\ndefault_model = "llama3.2:3b"\n'
                      'api_url = "http://127.0.0.1:9"\n', encoding="utf-8")
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root / "home"),
        "XDG_CONFIG_HOME": str(root / "home" / ".config"),
        "XDG_CACHE_HOME": str(root / "home" / ".cache"),
        "REVKA_CACHE_DIR": str(root / "cache"),
        "REVKA_CONFIG": str(config),
        "NO_COLOR": "1",
        "LC_ALL": "C.UTF-8",
    }
    seed = (
        "import sys, time\n"
        "from revka_cli.catalog.lookup import expected_base\n"
        "from revka_cli.catalog.store import CatalogStore, make_entry\n"
        "from revka_cli.config import load_config\n"
        "cfg = load_config(sys.argv[1]).config\n"
        "models = [{'name': n} for n in sys.argv[2:]]\n"
        "with CatalogStore() as store:\n"
        "    assert store.put(make_entry('ollama', expected_base(cfg, 'ollama'), models,"
        " time.time())), store.warnings\n"
    )
    subprocess.run([sys.executable, "-c", seed, str(config), *CACHED], env=environ, check=True,
                   timeout=60)
    return environ


def probe(env: dict, args: list[str], extra: dict | None = None) -> tuple[int, str, set[str]]:
    """(exit code, stdout, top-level packages imported) of `revka ARGS` in a fresh interpreter."""
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], env={**env, **(extra or {})},
                          capture_output=True, text=True, timeout=60)
    last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "{}"
    try:
        report = json.loads(last)
    except ValueError:
        pytest.fail(f"revka {' '.join(args)} crashed: {proc.stderr[-2000:]}")
    return report["code"], proc.stdout, {m.split(".")[0] for m in report["modules"]}


def help_pages() -> list[str]:
    from revka_cli.cli.generated.helptext import PAGES

    return sorted(PAGES)


@pytest.mark.parametrize("args", [["--version"], ["-V"]], ids=" ".join)
def test_version_imports_nothing_heavy(env, args):
    code, out, loaded = probe(env, args)
    assert code == 0 and out.startswith("revka ")
    assert not loaded & FAST, f"revka {' '.join(args)} imported {sorted(loaded & FAST)}"


@pytest.mark.parametrize("page", help_pages(), ids=lambda p: f"{p} --help".strip())
def test_help_pages_import_nothing_heavy(env, page):
    args = [*page.split(), "--help"]
    code, out, loaded = probe(env, args)
    assert code == 0 and "Usage:" in out
    assert not loaded & FAST, f"revka {' '.join(args)} imported {sorted(loaded & FAST)}"


@pytest.mark.parametrize("group", ["models", "doctor", "config", "completion"])
def test_a_group_alone_prints_its_page_importing_nothing_heavy(env, group):
    code, out, loaded = probe(env, [group])
    assert code == 0 and out.startswith(f"Usage: revka {group} ")
    assert not loaded & FAST, f"revka {group} imported {sorted(loaded & FAST)}"
    assert "typer" not in loaded


@pytest.mark.parametrize("args", [["providers"], ["providers", "--json"]], ids=" ".join)
def test_providers_is_answered_without_typer(env, args):
    code, out, loaded = probe(env, args)
    assert code == 0 and "llamacpp" in out
    assert not loaded & HEAVY and "typer" not in loaded, sorted(loaded & (HEAVY | {"typer"}))


# (words, an expected candidate, the modules it must not import): every TAB press is answered on
# the typer-free path, model names from the on-disk index, the rest from the generated table
NO_TYPER = FAST | {"typer", "click", "shlex", "collections", "typing"}  # collections: ~4 ms a TAB
COMPLETIONS = [
    ("revka models set lla", "llama3.2:3b", NO_TYPER),
    ("revka models status --model qw", "qwen2.5:7b", NO_TYPER),
    ("revka models list --provider oll", "ollama", NO_TYPER),
    ("revka mo", "models", NO_TYPER),
    ("revka chat --no", "--no-stream", NO_TYPER),
    ("revka completion install ", "zsh", NO_TYPER),
]


@pytest.mark.parametrize("words,expected,banned", COMPLETIONS, ids=[c[0] for c in COMPLETIONS])
def test_completion_imports_nothing_heavy(env, words, expected, banned):
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    code, out, loaded = probe(env, [], {"_REVKA_COMPLETE": "complete_bash", "COMP_WORDS": words,
                                        "COMP_CWORD": str(cword)})
    assert code == 0, f"completion of {words!r} exited {code}"
    assert expected in out.split(), f"completion of {words!r} offered {out.split()[:20]}"
    bad = loaded & (banned | {"sqlite3"})
    assert not bad, f"completion of {words!r} imported {sorted(bad)}"


def test_models_list_from_its_memo_imports_nothing_heavy(env):
    """The second `models list | cat` is answered from the memo: no config parsing, no `re`."""
    first = probe(env, ["models", "list"])
    code, out, loaded = probe(env, ["models", "list"])
    assert first[0] == code == 0 and out == first[1] and "llama3.2:3b" in out
    assert not loaded & FAST, f"models list imported {sorted(loaded & FAST)}"


def test_jsonschema_is_imported_only_with_schema(env):
    """A chat without --schema never imports jsonschema (the server at :9 refuses: exit 6); with
    one, the schema is checked before anything is sent."""
    code, _, loaded = probe(env, ["chat", "-o", "top_k=4", "--json-object", "hi"])
    assert code == 6 and "jsonschema" not in loaded
    code, _, loaded = probe(env, ["chat", "--schema", '{"type": 3}', "hi"])
    assert code == 2 and "jsonschema" in loaded
