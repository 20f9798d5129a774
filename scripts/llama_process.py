"""A running ``llama-server`` on 127.0.0.1, and the checks that prove a binary really serves."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Sequence

from llama_common import Progress, ServerStartError, cache_root, stderr_progress, tail

DEFAULT_CTX = 4096
DEFAULT_THREADS = 2
DEFAULT_PARALLEL = 1

# What a death by signal most likely means, for the one line a user reads first.
_SIGNAL_CAUSES = {
    "SIGILL": "illegal instruction): built for another CPU?",
    "SIGSEGV": "segmentation fault): a crash in llama.cpp; see the log",
    "SIGBUS": "bus error): the model file may be truncated or on a broken disk",
    "SIGKILL": "killed): out of memory, or killed from outside?",
    "SIGABRT": "aborted): llama.cpp hit an assertion; see the log",
}


def describe_exit(returncode: int) -> str:
    """``exited with code 1`` or ``was killed by SIGILL (illegal instruction): built for…``."""
    if returncode >= 0:
        return f"exited with code {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        return f"was killed by signal {-returncode}"
    cause = _SIGNAL_CAUSES.get(name)
    return f"was killed by {name} ({cause}" if cause else f"was killed by {name}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(binary: Path) -> dict[str, str]:
    """The binary's own folder on LD_LIBRARY_PATH (a no-op for the static build)."""
    env = dict(os.environ)
    lib_dir = str(binary.resolve().parent)
    env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (lib_dir, env.get("LD_LIBRARY_PATH")) if p)
    return env


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: no orphan if our process is killed
    except Exception:
        pass


def http_get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def http_post_json(url: str, body: dict, timeout: float) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode(errors="replace")[:500]}


class LlamaServer:
    """A running ``llama-server`` on 127.0.0.1; use as a context manager or start()/stop().

    Attributes once started: ``base_url`` (``http://127.0.0.1:PORT``), ``port``, ``model``
    (the id /v1/models reports), ``models`` (that whole JSON), ``log_path``, ``process``.
    """

    def __init__(self, binary: Path | str, model_path: Path | str, *, alias: str,
                 port: int | None = None, ctx: int = DEFAULT_CTX, threads: int = DEFAULT_THREADS,
                 parallel: int = DEFAULT_PARALLEL, extra_args: Sequence[str] = (),
                 log_path: Path | str | None = None, startup_timeout: float = 180.0,
                 stop_grace: float = 10.0, progress: Progress = stderr_progress) -> None:
        self.binary, self.model_path = Path(binary), Path(model_path)
        self.requested_port = port
        self.ctx, self.threads, self.parallel, self.alias = ctx, threads, parallel, alias
        self.extra_args = list(extra_args)
        self._log_given = Path(log_path) if log_path else None
        self.log_path: Path | None = self._log_given
        self.startup_timeout, self.stop_grace = startup_timeout, stop_grace
        self.progress = progress
        self.process: subprocess.Popen | None = None
        self.port: int | None = None
        self.model: str | None = None
        self.models: dict | None = None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("server not started")
        return f"http://127.0.0.1:{self.port}"

    def command(self, port: int) -> list[str]:
        # --jinja: the model's own chat template; -c is shared by the --parallel slots
        return [str(self.binary), "-m", str(self.model_path), "--jinja",
                "--host", "127.0.0.1", "--port", str(port), "-c", str(self.ctx),
                "--parallel", str(self.parallel), "--threads", str(self.threads),
                "--alias", self.alias, "--metrics", *self.extra_args]

    def _default_log(self, port: int) -> Path:
        logs = cache_root() / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        old = sorted(logs.glob("llama-server-*.log"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-20]:
            stale.unlink(missing_ok=True)
        return logs / f"llama-server-{time.strftime('%Y%m%d-%H%M%S')}-{port}.log"

    def start(self) -> "LlamaServer":
        if self.process is not None:
            return self
        attempts = 1 if self.requested_port else 3  # a picked free port can be taken meanwhile
        for attempt in range(attempts):
            port = self.requested_port or free_port()
            try:
                self._start_on(port)
                return self
            except ServerStartError:
                if attempt + 1 == attempts or not self._port_in_use_failure():
                    raise
                self.progress(f"port {port} was taken, retrying on another")
        return self

    def _port_in_use_failure(self) -> bool:
        text = tail(self.log_path, 30).lower()
        return "bind" in text or "address already in use" in text

    def _start_on(self, port: int) -> None:
        self.log_path = self._log_given or self._default_log(port)
        cmd = self.command(port)
        self.progress(f"starting: {' '.join(cmd)} (log: {self.log_path})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, env=server_env(self.binary),
                                            start_new_session=True, preexec_fn=_die_with_parent)
        self.port = port
        try:
            self._wait_healthy()
            self.models = json.loads(http_get(self.base_url + "/v1/models")[1])
            self.model = self.models["data"][0]["id"]
        except BaseException:
            self.stop()
            self.port = None
            raise
        self.progress(f"ready: {self.base_url} (model {self.model!r}, pid {self.process.pid})")

    def _died(self, rc: int, when: str) -> ServerStartError:
        return ServerStartError(f"llama-server {describe_exit(rc)} {when}; "
                                f"last lines of {self.log_path}:\n{tail(self.log_path, 20)}")

    def _wait_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        while True:
            rc = self.process.poll()
            if rc is not None:
                raise self._died(rc, "during startup")
            try:
                if http_get(self.base_url + "/health")[0] == 200:
                    return
            except (OSError, urllib.error.URLError):
                pass  # not listening yet
            if time.monotonic() > deadline:
                raise ServerStartError(f"llama-server not healthy after {self.startup_timeout:.0f}s; "
                                       f"last lines of {self.log_path}:\n{tail(self.log_path, 20)}")
            time.sleep(0.2)

    def complete(self, prompt: str, max_tokens: int = 8, timeout: float = 120.0) -> dict:
        """One real chat completion at temperature 0; the whole JSON answer."""
        body = {"model": self.model, "max_tokens": max_tokens, "temperature": 0,
                "messages": [{"role": "user", "content": prompt}]}
        try:
            status, answer = http_post_json(self.base_url + "/v1/chat/completions", body, timeout)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            rc = self.process.poll() if self.process else None
            if rc is not None:
                raise self._died(rc, "while generating") from None
            raise ServerStartError(f"llama-server gave no completion: {exc}") from None
        if status != 200:
            raise ServerStartError(f"llama-server answered a completion with HTTP {status}: "
                                   f"{answer}")
        return answer

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after the grace period."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=self.stop_grace)
        except subprocess.TimeoutExpired:
            self.progress(f"llama-server (pid {proc.pid}) ignored SIGTERM; killing it")
            proc.kill()
            proc.wait()

    def __enter__(self) -> "LlamaServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def verify_serves(binary: Path, model_path: Path, alias: str, log_path: Path,
                  progress: Progress) -> str:
    """Start the binary with the model, generate a few tokens; the answer's text, or raise
    ServerStartError saying how it failed (a signal is named with its likely cause)."""
    server = LlamaServer(binary, model_path, alias=alias, log_path=log_path, progress=progress,
                         startup_timeout=120.0)
    with server:
        answer = server.complete("What is the capital of France? Answer in one word.")
        rc = server.process.poll() if server.process else None
    if rc is not None:
        raise server._died(rc, "right after its first completion")
    choices = answer.get("choices") or [{}]
    text = ((choices[0].get("message") or {}).get("content") or "").strip()
    generated = (answer.get("usage") or {}).get("completion_tokens") or 0
    if not text or generated < 1:
        raise ServerStartError(f"llama-server generated nothing: {json.dumps(answer)[:300]}")
    return text
