"""Shared by the completion tests: a model cache filled by a real `revka models refresh`, and a
pseudo-terminal driver for interactive shells."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's bin: `revka` is there
OLLAMA = ["llama3.2:3b", "llama3.1:8b", "qwen2.5:7b"]
VLLM = ["Qwen/Qwen2.5-7B-Instruct"]
DECLARED = ["qwen2.5-coder-7b"]
ALL = sorted({*OLLAMA, *(f"ollama/{m}" for m in OLLAMA), *VLLM, *(f"vllm/{m}" for m in VLLM),
              *DECLARED, *(f"custom/{m}" for m in DECLARED)})


@pytest.fixture
def cached_catalog(server, revka, write_config, isolated_env):
    """Ollama and vLLM served by a FakeServer, refreshed into the cache by `revka models refresh`,
    plus a declared [models.custom] catalog in the config. Returns the isolated HOME."""
    from tests.servers import Reply

    server.route("GET", "/api/tags", Reply.json({"models": [
        {"name": name, "size": 1000, "details": {"family": "llama"}} for name in OLLAMA]}))
    server.route("GET", "/v1/models", Reply.json({"object": "list", "data": [
        {"id": name, "object": "model", "max_model_len": 32768} for name in VLLM]}))
    write_config(f'default_provider = "ollama"\napi_url = "{server.url}"\n\n'
                 f'[providers.vllm]\napi_url = "{server.url}/v1"\n\n'
                 f'[models.custom]\nurl = "http://127.0.0.1:9/v1"\n'
                 f'available_models = {{ "{DECLARED[0]}" = 32768 }}\n')
    res = revka("models", "refresh")
    assert res.exit_code == 0, res
    assert (isolated_env / ".cache" / "revka" / "models-index.json").exists()
    return isolated_env


def shell_env(extra: dict | None = None) -> dict:
    """os.environ (already isolated by conftest) with the venv's bin first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env["TERM"] = "dumb"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra or {})
    return env


def require(shell: str) -> str:
    path = shutil.which(shell)
    if path is None:
        pytest.skip(f"{shell} is not installed (apt-get install {shell}; .ci/run does it)")
    return path


# --- an interactive shell on a pseudo-terminal ----------------------------------------------------

_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|[\r\x07]")


class Terminal:
    """Runs `argv` on a pty; `send` types keys, `read_until` collects output up to a marker."""

    def __init__(self, argv: list[str], env: dict, cwd: Path | None = None) -> None:
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     cwd=cwd, start_new_session=True)
        os.close(slave)
        self.buffer = b""

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def read_until(self, marker: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        wanted = marker.encode()
        while wanted not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{marker!r} never appeared; the terminal shows:\n"
                                     f"{clean(self.buffer.decode('utf-8', 'replace'))[-3000:]}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    data = b""
                if not data:
                    raise AssertionError(f"the shell exited before {marker!r}:\n"
                                         f"{clean(self.buffer.decode('utf-8', 'replace'))}")
                self.buffer += data
        end = self.buffer.index(wanted) + len(wanted)
        text, self.buffer = self.buffer[:end], self.buffer[end:]
        return clean(text.decode("utf-8", "replace"))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        os.close(self.master)

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def clean(text: str) -> str:
    return _CONTROL.sub("", text)


PROMPT = "PROMPT> "


def tab(argv: list[str], env: dict, line: str, cwd: Path | None = None) -> tuple[str, str]:
    """Type `line`, press TAB once, then Ctrl-T (bound by the rc file to print the edit buffer as
    LINE<...>). Returns (everything the terminal showed in between, the buffer after completion)."""
    with Terminal(argv, env, cwd) as term:
        term.read_until(PROMPT)
        term.send(line + "\t\x14")  # keys are queued: Ctrl-T runs after the completion finished
        shown = term.read_until("LINE<")
        buffer = term.read_until(">\r\n")[:-2]
    return shown, buffer
