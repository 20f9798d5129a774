"""Shared fixtures: every test runs with a private HOME, XDG dirs and no REVKA_* or provider keys."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from revka_cli import specs

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent

_SCRUB_PREFIXES = ("REVKA_", "XDG_")
_SCRUB_NAMES = set(specs.PROVIDER_KEY_ENV_VARS) | {"NO_COLOR", "COLUMNS", "LLAMA_SERVER_URL"}


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        if name.startswith(_SCRUB_PREFIXES) or name in _SCRUB_NAMES:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    from revka_cli.providers.keycmd import forget_keys

    forget_keys()  # in-process runs share the module: each test's api_key_cmd runs afresh
    return home


class Result:
    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = code, stdout, stderr

    def __repr__(self) -> str:
        return f"Result(exit={self.exit_code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


@pytest.fixture
def revka():
    """Run the CLI in-process through typer's CliRunner; stdout and stderr kept apart."""
    from typer.testing import CliRunner

    from revka_cli.cli.app import app

    def run(*args: str, input: str | bytes | None = None, env: dict | None = None) -> Result:
        runner = CliRunner()
        res = runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)
        return Result(res.exit_code, res.stdout, res.stderr)

    return run


@pytest.fixture
def revka_proc():
    """Run the installed entry point as a real process (python -m revka_cli)."""
    import subprocess

    def run(*args: str, input: bytes | str | None = None, env: dict | None = None, timeout=60):
        full_env = dict(os.environ)
        full_env.update(env or {})
        data = input.encode() if isinstance(input, str) else input
        proc = subprocess.run([sys.executable, "-m", "revka_cli", *args], input=data,
                              capture_output=True, env=full_env, timeout=timeout)
        return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                      proc.stderr.decode("utf-8", "replace"))

    return run


@pytest.fixture
def write_config(isolated_env):
    """Write the default config file (TOML unless the name says .yaml) and return its path."""

    def write(text: str, name: str = "config.toml") -> Path:
        folder = isolated_env / ".config" / "revka"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(text)
        path.chmod(0o600)
        return path

    return write


@pytest.fixture
def server():
    from tests.servers import FakeServer

    with FakeServer() as srv:
        yield srv
