"""`set_default_model`: comment-preserving edits, validation before an atomic replace."""

from __future__ import annotations

import difflib
import os
import stat

import pytest

from revka_cli.config import load_config
from revka_cli.config.writer import set_default_model, write_default_model
from revka_cli.errors import ConfigError
from revka_cli.paths import locate_config

COMMENTED = """\
# revka configuration -- hand written, please keep my comments!
#
# The provider I use most days:
default_provider = "vllm"      # on the GPU box
default_model = "old-model"    # will be replaced

# Timeouts are generous because the box is slow.
provider_timeout_secs = 300    # seconds

[runtime]
# think harder
reasoning_effort = "high"

[reliability]
fallback_providers = [
    "ollama",   # the laptop
]
provider_retries = 1

[providers.vllm]
api_url = "http://127.0.0.1:8000/v1"  # tunnel
  # an indented comment

[models.custom]
url = "http://127.0.0.1:9/v1"
available_models = { "qwen2.5-coder-7b" = 32768 }  # declared
# trailing comment, no newline at the end"""


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(True), after.splitlines(True)):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def test_commented_toml_round_trips_except_the_changed_lines(write_config):
    path = write_config(COMMENTED)
    assert set_default_model(locate_config(None), "ollama", "llama3.2:3b") == path
    after = path.read_text()
    removed, added = changed_lines(COMMENTED, after)
    assert removed == ['default_provider = "vllm"      # on the GPU box\n',
                       'default_model = "old-model"    # will be replaced\n']
    assert added == ['default_provider = "ollama"      # on the GPU box\n',
                     'default_model = "llama3.2:3b"    # will be replaced\n']
    assert after.endswith("# trailing comment, no newline at the end")
    cfg = load_config().config
    assert (cfg.default_provider, cfg.default_model) == ("ollama", "llama3.2:3b")


def test_keys_are_added_when_missing_and_nothing_else_moves(write_config):
    text = "# only a comment\napi_url = \"http://127.0.0.1:11434\"  # local\n\n[pacing]\nloop_detection = false\n"
    path = write_config(text)
    write_default_model(path, "ollama", "qwen2.5:7b")
    removed, added = changed_lines(text, path.read_text())
    assert removed == []
    assert added == ['default_provider = "ollama"\n', 'default_model = "qwen2.5:7b"\n']


def test_models_default_is_updated_instead_of_adding_flat_keys(write_config):
    text = "[models]\ndefault = \"custom/qwen2.5-coder-7b\"  # mine\n\n[models.custom]\n" \
           "url = \"http://127.0.0.1:9/v1\"\navailable_models = { \"qwen2.5-coder-7b\" = 32768, " \
           "\"tiny\" = 2048 }\n"
    path = write_config(text)
    outcome = write_default_model(path, "custom", "tiny")
    assert outcome.keys == ("models.default",)
    assert path.read_text() == text.replace("custom/qwen2.5-coder-7b\"", "custom/tiny\"")
    cfg = load_config().config
    assert (cfg.default_provider, cfg.default_model) == ("custom", "tiny")


def test_models_default_and_flat_keys_never_disagree(write_config):
    path = write_config('default_provider = "ollama"\ndefault_model = "a"\n[models]\n'
                        'default = "ollama/a"\n')
    outcome = write_default_model(path, "ollama", "b")
    assert set(outcome.keys) == {"models.default", "default_provider", "default_model"}
    assert load_config().errors == []
    # a custom:<url> provider has no provider/model form: models.default gives way to flat keys
    outcome = write_default_model(path, "custom:http://127.0.0.1:5/v1", "m")
    assert outcome.keys == ("default_provider", "default_model")
    assert "default =" not in path.read_text() and load_config().errors == []


YAML = """\
# my yaml config
default_provider: vllm   # gpu box
default_model: 'old'     # to be replaced

reliability:
  # fallbacks
  fallback_providers: [ollama]
providers:
  vllm:
    api_url: http://127.0.0.1:8000/v1  # tunnel
"""


def test_yaml_keeps_comments(write_config):
    path = write_config(YAML, "config.yaml")
    outcome = write_default_model(path, "ollama", "llama3.2:3b")
    assert not outcome.comments_dropped
    removed, added = changed_lines(YAML, path.read_text())
    assert removed == ["default_provider: vllm   # gpu box\n", "default_model: 'old'     # to be replaced\n"]
    assert added == ["default_provider: ollama   # gpu box\n",
                     "default_model: 'llama3.2:3b'     # to be replaced\n"]
    cfg = load_config().config
    assert (cfg.default_provider, cfg.default_model) == ("ollama", "llama3.2:3b")


@pytest.mark.parametrize("text, expected", [
    ("# c\nprovider_timeout_secs: 10 # t\n",
     '# c\nprovider_timeout_secs: 10 # t\ndefault_provider: ollama\ndefault_model: "a: b"\n'),
    ("default_provider: vllm # p\nreliability:\n  provider_retries: 1\n",
     'default_provider: ollama # p\ndefault_model: "a: b"\nreliability:\n  provider_retries: 1\n'),
    ("default_model:\nprovider_timeout_secs: 5\n",
     'default_model: "a: b"\ndefault_provider: ollama\nprovider_timeout_secs: 5\n'),
    ("---\nprovider_timeout_secs: 5", '---\nprovider_timeout_secs: 5\ndefault_provider: ollama\n'
     'default_model: "a: b"\n'),
])
def test_yaml_inserts_missing_keys(write_config, text, expected):
    path = write_config(text, "config.yaml")
    outcome = write_default_model(path, "ollama", "a: b")
    assert not outcome.comments_dropped
    assert path.read_text() == expected
    cfg = load_config().config
    assert (cfg.default_provider, cfg.default_model) == ("ollama", "a: b")


def test_yaml_models_default_and_unusual_structure(write_config):
    text = "models:\n  default: custom/a   # keep\n  custom:\n    url: http://127.0.0.1:9/v1\n" \
           "    available_models: {a: 10, b: 20}\n"
    path = write_config(text, "config.yaml")
    assert write_default_model(path, "custom", "b").keys == ("models.default",)
    assert path.read_text() == text.replace("custom/a ", "custom/b ")
    path.write_text("{default_provider: vllm, default_model: x}  # flow style\n")
    outcome = write_default_model(path, "ollama", "y")
    assert outcome.comments_dropped
    assert (load_config().config.default_model) == "y"


def test_new_file_is_created_at_the_standard_path_with_mode_600(isolated_env):
    location = locate_config(None)
    assert location.path is None
    path = set_default_model(location, "ollama", "llama3.2:3b")
    assert path == isolated_env / ".config" / "revka" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == 'default_provider = "ollama"\ndefault_model = "llama3.2:3b"\n'


def test_mode_and_symlink_are_kept(write_config, tmp_path):
    real = tmp_path / "dotfiles" / "revka.toml"
    real.parent.mkdir()
    real.write_text('default_provider = "ollama"\n')
    real.chmod(0o640)
    link = write_config("x = 1")
    link.unlink()
    link.symlink_to(real)
    write_default_model(link, "ollama", "m")
    assert link.is_symlink() and 'default_model = "m"' in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_an_invalid_result_is_never_written(write_config):
    text = 'default_provider = "ollama"\nprovider_retries_typo = 1\n[reliability]\nprovider_retries = 99\n'
    path = write_config(text)
    with pytest.raises(ConfigError) as info:
        set_default_model(path, "ollama", "m")
    assert "not written" in info.value.message and str(path) in info.value.message
    assert ".config." not in info.value.message  # the temp file's name never shows
    assert path.read_text() == text and leftovers(path.parent) == []
    path.write_text('default_provider = "ollama"\n')
    with pytest.raises(ConfigError, match="openai needs an API key"):
        set_default_model(path, "openai", "gpt-4o")
    assert path.read_text() == 'default_provider = "ollama"\n'


def test_env_overrides_do_not_leak_into_the_file_check(write_config, monkeypatch):
    path = write_config('default_provider = "ollama"\n')
    monkeypatch.setenv("REVKA_REASONING_EFFORT", "bogus")  # an env problem, not the file's
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    write_default_model(path, "openai", "gpt-4o")
    assert 'default_provider = "openai"' in path.read_text()


def test_a_crash_before_the_rename_leaves_the_original(write_config, monkeypatch):
    path = write_config(COMMENTED)

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(ConfigError, match="No space left"):
        set_default_model(path, "ollama", "m")
    assert path.read_text() == COMMENTED and leftovers(path.parent) == []


def test_unreadable_inputs(write_config, tmp_path):
    path = write_config("default_provider = [unclosed\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        set_default_model(path, "ollama", "m")
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="directory"):
        set_default_model(folder, "ollama", "m")
