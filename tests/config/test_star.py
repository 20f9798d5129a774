"""config.star: found and loaded like config.toml, hermetic, bounded in time and memory, and a
clear error without the `revka[star]` extra. The corpus (test_corpus.py) checks the locations."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import pytest

from revka_cli.config.source_star import STAR_DEADLINE_S
from tests.cli.chatkit import openai_text, sse
from tests.servers import Reply

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "configs"
PAGE_EXAMPLE = (CORPUS / "good_page_default.star").read_text()


def star_for(url: str, name: str = "qwen2.5-coder-7b") -> str:
    """The product page's `models.default` example, pointed at `url`."""
    return PAGE_EXAMPLE.replace("http://localhost:8080/v1", url).replace("qwen2.5-coder-7b", name)


def test_config_star_in_the_config_folder_drives_chat(server, revka, write_config):
    server.route("POST", "/v1/chat/completions", Reply.sse(sse(*openai_text("from star"))))
    write_config(star_for(f"{server.url}/v1"), "config.star")
    res = revka("chat", "hi")
    assert res.exit_code == 0, res
    assert res.stdout.strip() == "from star"
    sent = server.requests[0]
    assert sent.json()["model"] == "qwen2.5-coder-7b"
    assert sent.headers["authorization"] == "Bearer sk-local"


def test_config_show_and_validate_read_the_star_file(server, revka, write_config):
    path = write_config(star_for(f"{server.url}/v1", "tiny"), "config.star")
    res = revka("config", "validate", "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["file"] == str(path)
    shown = json.loads(revka("config", "show", "--json").stdout)
    assert shown["models"]["custom"]["available_models"] == {"tiny": 32768}
    assert shown["default_model"] == "tiny"
    text = revka("config", "show")
    assert f"effective config: {path}" in text.stdout and "sk-local" not in text.stdout
    located = json.loads(revka("config", "path", "--json").stdout)
    assert located["format"] == "star" and located["path"] == str(path)


@pytest.mark.parametrize("how", ["flag", "env"])
def test_config_flag_and_env_pick_starlark_by_suffix(tmp_path, revka, how):
    path = tmp_path / "x.star"
    path.write_text('config = {"default_provider": "vllm", "default_model": "m"}\n')
    args = ["--config", str(path)] if how == "flag" else []
    env = {"REVKA_CONFIG": str(path)} if how == "env" else None
    res = revka(*args, "config", "show", "--json", env=env)
    assert res.exit_code == 0, res
    assert json.loads(res.stdout)["default_provider"] == "vllm"


@pytest.mark.parametrize("other", ["config.toml", "config.yaml"])
def test_an_earlier_file_wins_and_the_star_file_is_named_as_ignored(revka, write_config, other):
    star = write_config('config = {"default_provider": "vllm"}\n', "config.star")
    write_config("default_provider: lmstudio\n" if other.endswith("yaml")
                 else 'default_provider = "lmstudio"\n', other)
    report = json.loads(revka("config", "validate", "--json").stdout)
    assert report["file"].endswith(other)
    assert any(w["file"] == str(star) and f"using {other}" in w["message"] for w in report["warnings"])
    assert json.loads(revka("config", "path", "--json").stdout)["ignored"] == [str(star)]


def test_an_endless_loop_is_stopped_at_the_deadline(tmp_path, revka):
    path = tmp_path / "spin.star"
    path.write_text("def spin():\n    n = 0\n    for i in range(2147483647):\n        n = i\n"
                    "    return {}\n\nconfig = spin()\n")
    started = time.monotonic()
    res = revka("--config", str(path), "chat", "hi")
    elapsed = time.monotonic() - started
    assert res.exit_code == 3
    assert f"took longer than {STAR_DEADLINE_S} s" in res.stderr
    assert STAR_DEADLINE_S <= elapsed < STAR_DEADLINE_S + 3


@pytest.mark.parametrize("body, phrase", [
    ('def big():\n    return "x" * 1000000000\n\nconfig = {"default_model": big()}\n',
     "ran out of memory"),
    ('config = {"default_model": [0] * 50000000}\n', "ran out of memory"),
    ('config = {"default_model": [0] * 1000000}\n', "too many values"),
    ('config = {"extra_headers": {"X": "h"}, "models": {"custom": {"available_models": '
     '{"m%d" % i: 1 for i in range(30000)}}}}\n', "too many values"),
    ('config = {"default_model": "x" * 2000000}\n', "the strings add up to more than"),
    ('def deep():\n    v = {}\n    for i in range(100):\n        v = {"a": v}\n    return v\n\n'
     'config = deep()\n', "nested too deeply"),
    ('config = {"default_model": open("/etc/passwd")}\n', "Variable `open` not found"),
    ('config = {1: "ollama"}\n', "a key must be a string, not int 1"),
    ('config = {"default_model": struct(a = 1)}\n', "Variable `struct` not found"),
])
def test_hostile_or_odd_values_are_one_clear_problem(tmp_path, revka, body, phrase):
    path = tmp_path / "c.star"
    path.write_text(body)
    res = revka("config", "validate", str(path), "--json")
    report = json.loads(res.stdout)
    assert res.exit_code == 3 and len(report["errors"]) == 1, res
    assert phrase in report["errors"][0]["message"]


def test_without_the_extra_the_error_says_how_to_get_it(tmp_path, revka, monkeypatch):
    blocked = tmp_path / "blocked" / "starlark"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text("raise ImportError('No module named starlark')\n")
    monkeypatch.setenv("PYTHONPATH", str(blocked.parent))
    path = tmp_path / "c.star"
    path.write_text('config = {"default_provider": "vllm"}\n')
    for args in (["--config", str(path), "chat", "hi"], ["config", "validate", str(path)]):
        res = revka(*args)
        assert res.exit_code == 3, res
        assert res.stderr.splitlines() == [
            f"revka: error: {path} is a Starlark config, and Starlark support is not installed",
            "hint: pip install 'revka[star]'"]


def test_a_starlark_module_in_the_working_folder_is_not_imported(tmp_path, revka, monkeypatch):
    marker = tmp_path / "hijacked"
    (tmp_path / "starlark.py").write_text(f"open({str(marker)!r}, 'w')\nraise ImportError\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.star").write_text('config = {"default_provider": "vllm"}\n')
    assert revka("config", "validate", "c.star").exit_code == 0
    assert not marker.exists()


def test_models_set_does_not_rewrite_a_star_file(revka, write_config):
    path = write_config(PAGE_EXAMPLE, "config.star")
    res = revka("models", "set", "custom/qwen2.5-coder-7b")
    assert res.exit_code == 3
    assert "revka does not rewrite Starlark files" in res.stderr
    assert path.read_text() == PAGE_EXAMPLE


def test_revka_itself_never_imports_starlark(tmp_path):
    import subprocess

    path = tmp_path / "c.star"
    path.write_text(PAGE_EXAMPLE)
    probe = ("import sys\nfrom revka_cli.config import load_config\n"
             f"r = load_config({str(path)!r})\nassert not r.errors, r.errors\n"
             "print(r.config.models.custom.url, 'starlark' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["http://localhost:8080/v1", "False"]


def test_the_readme_starlark_examples_are_valid(tmp_path, revka):
    from tests.conftest import REPO

    blocks = re.findall(r"```python\n(.+?)```", (REPO / "README.md").read_text(), re.S)
    starlark = [b for b in blocks if '"models": {' in b]
    assert len(starlark) >= 3
    for i, block in enumerate(starlark):
        path = tmp_path / f"readme{i}.star"
        path.write_text(block)
        res = revka("config", "validate", str(path), "--json")
        assert res.exit_code == 0, (block, res)
        assert json.loads(res.stdout)["errors"] == []
