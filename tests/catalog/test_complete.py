"""Completion candidates from the cache index and config, and the real shell-completion entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from revka_cli.catalog.complete import model_candidates, provider_candidates

REPO = Path(__file__).resolve().parent.parent.parent
CUSTOM_TOML = """# declared catalog
[models.custom]
url = "http://127.0.0.1:9/v1"
available_models = { "qwen2.5-coder-7b" = 32768 }
"""


@pytest.fixture
def catalog(isolated_env, write_config):
    cache = isolated_env / ".cache" / "revka"
    cache.mkdir(parents=True)
    index = {"version": 1, "models": {"ollama": ["llama3.2:3b", "llama3.1:8b"],
                                      "vllm": ["Qwen/Qwen2.5-7B"],
                                      "custom:http://gw:1/v1": ["gw-model"]}}
    (cache / "models-index.json").write_text(json.dumps(index))
    write_config(CUSTOM_TOML)
    return isolated_env


def test_model_candidates(catalog):
    assert model_candidates("lla") == ["llama3.1:8b", "llama3.2:3b"]
    assert model_candidates("llama3.2:") == ["llama3.2:3b"]
    assert model_candidates("ollama/llama3.2") == ["ollama/llama3.2:3b"]
    assert model_candidates("custom/") == ["custom/qwen2.5-coder-7b"]
    assert model_candidates("qwen") == ["qwen2.5-coder-7b"]
    assert model_candidates("Qwen/") == ["Qwen/Qwen2.5-7B"]
    assert model_candidates("vllm/Qwen/") == ["vllm/Qwen/Qwen2.5-7B"]
    assert model_candidates("gw") == ["gw-model"]  # a custom:<url> provider: bare names only
    assert "custom:http://gw:1/v1/gw-model" not in model_candidates("")
    assert len(model_candidates("")) == 9


def test_yaml_config_and_config_flag(catalog, tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text("models:\n  custom:\n    url: http://h/v1\n    available_models:\n"
                    "      tiny: 2048\n")
    assert model_candidates("tin", config_path=str(path)) == ["tiny"]
    assert model_candidates("qwen", config_path=str(path)) == []


def test_broken_or_missing_files_give_no_candidates(isolated_env, write_config):
    assert model_candidates("") == []
    write_config("this is = = not toml")
    cache = isolated_env / ".cache" / "revka"
    cache.mkdir(parents=True)
    (cache / "models-index.json").write_text("{broken")
    assert model_candidates("") == []
    (cache / "models-index.json").write_text('{"version": 1, "models": {"ollama": "x"}}')
    assert model_candidates("") == []


def test_provider_candidates(catalog, write_config):
    write_config('default_provider = "custom:http://box:8080/v1"\n[reliability]\n'
                 'fallback_providers = ["anthropic-custom:https://gw.example"]\n')
    assert provider_candidates("ll") == ["llama.cpp", "llamacpp"]
    assert provider_candidates("LM") == ["lm-studio", "lmstudio"]
    assert provider_candidates("custom") == ["custom", "custom:", "custom:http://box:8080/v1",
                                             "custom:http://gw:1/v1"]
    assert provider_candidates("anthropic-") == ["anthropic-custom:",
                                                 "anthropic-custom:https://gw.example"]


PROBE = """
import json, sys
from revka_cli.catalog.complete import model_candidates, provider_candidates
model_candidates(""); provider_candidates("")
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_complete_imports_nothing_heavy(catalog):
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=REPO,
                          env=dict(os.environ), timeout=30)
    loaded = set(json.loads(proc.stdout))
    assert not loaded & {"typer", "click", "httpx", "rich", "yaml", "diskcache", "tomlkit", "sqlite3"}


# --- the real entry point, with the variables each shell's completion script sets ----------------

def complete(env_extra: dict) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "revka_cli"], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=30)


def bash(*words: str) -> list[str]:
    """As typer's bash script: COMP_WORDS joined with newlines (IFS=$'\\n'), bash having split
    the line at ':' (COMP_WORDBREAKS), and COMP_CWORD the index of the word under the cursor."""
    proc = complete({"_REVKA_COMPLETE": "complete_bash", "COMP_WORDS": "\n".join(words),
                     "COMP_CWORD": str(len(words) - 1)})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_bash(catalog):
    assert bash("revka", "models", "set", "lla") == ["llama3.1:8b", "llama3.2:3b"]
    # `llama3.2:` -> bash words [..., "llama3.2", ":"]; bash replaces only the text after the ':'
    assert bash("revka", "models", "set", "llama3.2", ":") == ["3b"]
    assert bash("revka", "models", "set", "llama3.2", ":", "3") == ["3b"]
    assert bash("revka", "models", "set", "ollama/llama3.1", ":") == ["8b"]
    assert bash("revka", "models", "set", "custom/") == ["custom/qwen2.5-coder-7b"]
    assert bash("revka", "models", "status", "--model", "custom/q") == ["custom/qwen2.5-coder-7b"]
    assert bash("revka", "models", "list", "--provider", "lm") == ["lm-studio", "lmstudio"]
    assert bash("revka", "models", "refresh", "--provider", "custom", ":", "http") == \
        ["http://gw:1/v1"]


def test_bash_cursor_on_a_new_empty_word(catalog):
    proc = complete({"_REVKA_COMPLETE": "complete_bash", "COMP_WORDS": "revka\nmodels\nset\n",
                     "COMP_CWORD": "3"})
    assert "llama3.2:3b" in proc.stdout.split() and "custom/qwen2.5-coder-7b" in proc.stdout.split()


def test_zsh(catalog):
    proc = complete({"_REVKA_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "revka models set lla"})
    assert proc.returncode == 0, proc.stderr
    # typer's zsh script evals an _arguments spec; ':' is escaped inside it
    assert proc.stdout.startswith("_arguments '*: :((")
    assert '"llama3.1\\\\:8b"' in proc.stdout and '"llama3.2\\\\:3b"' in proc.stdout
    proc = complete({"_REVKA_COMPLETE": "complete_zsh",
                     "_TYPER_COMPLETE_ARGS": "revka models set custom/qw"})
    assert '"custom/qwen2.5-coder-7b"' in proc.stdout


def fish(line: str, action: str = "get-args") -> subprocess.CompletedProcess:
    """As typer's fish script: _TYPER_COMPLETE_ARGS=(commandline -cp), one candidate per line."""
    return complete({"_REVKA_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": action,
                     "_TYPER_COMPLETE_ARGS": line})


def test_fish(catalog):
    assert fish("revka models set lla").stdout.split() == ["llama3.1:8b", "llama3.2:3b"]
    assert fish("revka models set llama3.2:").stdout.split() == ["llama3.2:3b"]
    assert fish("revka models set custom/").stdout.split() == ["custom/qwen2.5-coder-7b"]
    assert fish("revka models set lla", "is-args").returncode == 0
    assert fish("revka models set zzz", "is-args").returncode == 1
