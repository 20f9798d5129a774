"""A real llama.cpp ``llama-server`` serving SmolLM2-135M-Instruct, shared by the whole session.

Provided by ``scripts/llama_server.py``: the first run builds a portable server from source and
proves it with a real completion (about 5 min on 2 cores) and fetches the model (~93 MB); later
runs reuse the cache. The cache location is resolved when the session fixture is set up, before the
per-test fixture of tests/conftest.py points HOME and XDG_* at temporary folders.

With ``CI=true`` a server that cannot be provisioned or started fails the run: it never skips.
On a developer machine without build tools the real_server tests skip, saying why.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.scriptkit import load_llama_server

PARALLEL = 4  # slots: four concurrent chats are served at once
CTX = 8192  # shared by the slots: 2048 tokens each


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_server: needs the real llama.cpp server (scripts/llama_server.py provides it)")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@dataclass(frozen=True)
class RealServer:
    base_url: str  # http://127.0.0.1:PORT (no /v1)
    model: str  # the id the server reports in /v1/models
    models: dict  # the whole /v1/models answer
    binary: Path
    model_path: Path
    log_path: Path
    slot_ctx: int  # the context each slot serves


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"CI=true and the real llama-server is unavailable: {reason}", pytrace=False)
    pytest.skip(f"real llama-server unavailable: {reason}")


@pytest.fixture(scope="session")
def llama_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    mod = load_llama_server()
    capman = request.config.pluginmanager.getplugin("capturemanager")

    @contextlib.contextmanager
    def visible():  # a first build is long: let its progress reach the terminal
        if capman is None:
            yield
        else:
            with capman.global_and_fixture_disabled():
                yield

    def progress(msg: str) -> None:
        with visible():
            print(f"[llama-server] {msg}", file=sys.stderr, flush=True)

    try:
        if mod.cached_binary() is None:
            ok, reason = mod.have_build_tools()
            if not ok:
                _unavailable(f"not built and cannot be: {reason}")
        model_path = mod.ensure_model(progress)
        binary = mod.ensure_binary(progress, model_path)
    except mod.ProvisionError as exc:
        _unavailable(f"could not provision it: {exc}")
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    server = mod.LlamaServer(binary, model_path, log_path=log_path, progress=progress,
                             parallel=PARALLEL, ctx=CTX)
    try:
        server.start()
    except mod.ServerStartError as exc:
        _unavailable(str(exc))
    try:
        yield RealServer(base_url=server.base_url, model=server.model, models=server.models,
                         binary=binary, model_path=model_path, log_path=log_path,
                         slot_ctx=CTX // PARALLEL)
    finally:
        server.stop()
