"""The isolated environment every benchmark runs in: a temp HOME/XDG tree, the configs, the
model cache, and the fake servers (their own process, see servers.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from . import servers
from .procs import excerpt, spawn
from .workload import (CACHE_MODELS, DOCTOR_DELAY, DOCTOR_FLEET, DOCTOR_PROVIDERS,
                       FULL_CONFIG_FIXTURE,
                       RUN_LIMIT, SEED_CACHE, SMALL_STREAM_CHUNKS, STREAM_CHUNKS, TTFT_CHUNKS,
                       TTFT_PAUSE)

STREAMS = {"sse50k": STREAM_CHUNKS, "sse5k": SMALL_STREAM_CHUNKS, "ollama50k": STREAM_CHUNKS,
           "ttft": TTFT_CHUNKS}  # server name -> content chunks it streams


def chat_config(provider: str, url: str, model: str) -> str:
    return (f'default_provider = "{provider}"\ndefault_model = "{model}"\napi_url = "{url}"\n'
            "provider_max_tokens = 100000\n")


class Workspace:
    """An isolated HOME/XDG tree, the configs, the model cache and the fake servers."""

    def __init__(self, venv: Path, revka: Path) -> None:
        self.venv, self.revka = venv, revka
        self.python = venv / "bin" / "python"
        self.tmp = Path(tempfile.mkdtemp(prefix="revka-bench-"))
        self.home = self.tmp / "home"
        for sub in ("home/.config", "home/.cache", "cache-main", "cache-doctor10", "cache-doctor50",
                    "configs"):
            (self.tmp / sub).mkdir(parents=True)
        self.configs: dict[str, Path] = {}
        self.urls: dict[str, str] = {}  # stream name -> the chat endpoint
        self.answers: dict[str, str] = {}  # stream name -> the text it carries
        self.stream_lines: dict[str, int] = {}  # stream name -> lines in its body
        self.server_bases: dict[str, str] = {}
        self.server_proc: subprocess.Popen | None = None

    def env(self, config: str | None = "cache", cache: str = "cache-main", **extra) -> dict:
        env = {
            "PATH": f"{self.venv / 'bin'}:/usr/bin:/bin",
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "REVKA_CACHE_DIR": str(self.tmp / cache),
            "NO_COLOR": "1",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "dumb",
            "NO_PROXY": "127.0.0.1,localhost",
        }
        if config is not None:
            env["REVKA_CONFIG"] = str(self.configs[config])
        env.update(extra)
        return env

    def write_config(self, name: str, text: str, mode: int = 0o600) -> Path:
        path = self.tmp / "configs" / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(mode)
        self.configs[name] = path
        return path

    def setup(self, doctor: bool) -> None:
        self._seed_cache()
        self._start_servers(doctor)
        for key in ("sse50k", "sse5k", "ttft"):
            self.urls[key] = f"{self.server_bases[key]}/v1/chat/completions"
            self.write_config(key, chat_config("llamacpp", f"{self.server_bases[key]}/v1",
                                               servers.MODEL))
        self.urls["ollama50k"] = f"{self.server_bases['ollama50k']}/api/chat"
        self.write_config("ollama50k", chat_config("ollama", self.server_bases["ollama50k"],
                                                   servers.MODEL))
        for key, count in STREAMS.items():
            self.answers[key] = "".join(servers.tokens(count))
        if doctor:
            bases = [self.server_bases[f"doctor{i}"] for i in range(DOCTOR_FLEET)]
            self._doctor_config("doctor10", bases[:DOCTOR_PROVIDERS])
            self._doctor_config("doctor50", bases)

    def _seed_cache(self) -> None:
        """The catalog cache: 500 models for the default provider, through revka's catalog API;
        and the full config fixture, 0600 as `revka config validate` asks (it holds keys)."""
        self.write_config("cache", chat_config("llamacpp", "http://127.0.0.1:9/v1", "llama3.2:3b"))
        full = self.tmp / "configs" / "full.toml"
        shutil.copyfile(FULL_CONFIG_FIXTURE, full)
        full.chmod(0o600)
        self.configs["full"] = full
        seeded = spawn([str(self.python), str(SEED_CACHE), str(self.configs["cache"]),
                        str(CACHE_MODELS)], self.env())
        if seeded.rc != 0:
            raise SystemExit(f"bench: seeding the model cache failed: {excerpt(seeded.err)}")

    def _start_servers(self, doctor: bool) -> None:
        """The servers: their own process, every body built before it answers."""
        spec = {"stream_chunks": STREAM_CHUNKS, "small_chunks": SMALL_STREAM_CHUNKS,
                "ttft_chunks": TTFT_CHUNKS, "ttft_pause": TTFT_PAUSE, "lifetime": RUN_LIMIT,
                "doctor_servers": DOCTOR_FLEET if doctor else 0, "doctor_delay": DOCTOR_DELAY}
        python = sys.executable or str(self.python)
        self.server_proc = subprocess.Popen(
            [python, str(Path(servers.__file__)), json.dumps(spec)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env={"PATH": "/usr/bin:/bin"})
        line = self.server_proc.stdout.readline()
        if not line:
            raise SystemExit("bench: the fake servers did not start")
        started = json.loads(line)
        self.server_bases, self.stream_lines = started["urls"], started["lines"]

    def doctor_hits(self, count: int = DOCTOR_PROVIDERS) -> list[int]:
        out = []
        for i in range(count):
            with urllib.request.urlopen(f"{self.server_bases[f'doctor{i}']}/_bench/hits",
                                        timeout=10) as response:
                out.append(json.loads(response.read())["hits"])
        return out

    def _doctor_config(self, name: str, urls: list[str]) -> None:
        """The default provider and five more local ones, then custom:<url> providers."""
        named = ["llamacpp", "vllm", "sglang", "osaurus", "litellm", "ollama"]
        lines = ['default_provider = "llamacpp"', f'default_model = "{servers.MODEL}"',
                 f'api_url = "{urls[0]}/v1"', ""]
        for i, url in enumerate(urls[1:], start=1):
            if i < len(named):
                provider = named[i]
                api = url if provider == "ollama" else f"{url}/v1"
                lines += [f'[providers.{provider}]', f'api_url = "{api}"']
            else:
                lines += [f'[providers."custom:{url}/v1"]']
            lines += [f'default_model = "{servers.MODEL}"', ""]
        self.write_config(name, "\n".join(lines))

    def close(self) -> None:
        proc = self.server_proc
        if proc is not None:
            try:
                proc.stdin.close()  # the servers stop and exit when their stdin closes
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
            proc.stdout.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
