"""A real llama.cpp ``llama-server`` (Gemma 3 270M) shared by the whole test session.

Provided by ``scripts/llama_server.py``: the first run builds the server from source and
fetches the model (~15 min on 2 cores), later runs reuse the cache.  The cache location is
resolved when the session fixture is set up, before the per-test fixture of tests/conftest.py
points HOME and XDG_* at temporary folders.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_server: needs the real llama.cpp server (scripts/llama_server.py provides it)")


def load_llama_server_module() -> ModuleType:
    name = "revka_dev_llama_server"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / "llama_server.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class RealServer:
    base_url: str  # http://127.0.0.1:PORT (no /v1)
    model: str  # the id the server reports in /v1/models
    models: dict  # the whole /v1/models answer
    binary: Path
    model_path: Path
    log_path: Path


@pytest.fixture(scope="session")
def llama_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    mod = load_llama_server_module()
    capman = request.config.pluginmanager.getplugin("capturemanager")

    @contextlib.contextmanager
    def visible():  # a first build is long: let its progress reach the terminal
        if capman is None:
            yield
        else:
            with capman.global_and_fixture_disabled():
                yield

    try:
        binary = mod.cached_binary()
    except mod.ProvisionError as exc:
        pytest.fail(str(exc))
    if binary is None:
        ok, reason = mod.have_build_tools()
        if not ok:
            pytest.skip(f"real llama-server not built and cannot be: {reason}")
    provisioning = binary is None or mod.cached_model() is None

    def progress(msg: str) -> None:
        if provisioning:
            with visible():
                print(f"[llama-server] {msg}", file=sys.stderr, flush=True)
        else:  # captured; shown with the first failing test's report
            print(f"[llama-server] {msg}", file=sys.stderr, flush=True)
    try:
        binary = mod.ensure_binary(progress)
        model_path = mod.ensure_model(progress)
    except mod.ProvisionError as exc:
        pytest.fail(f"could not provision the real llama-server: {exc}")

    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    server = mod.LlamaServer(binary, model_path, log_path=log_path, progress=progress)
    server.start()
    try:
        yield RealServer(base_url=server.base_url, model=server.model, models=server.models,
                         binary=binary, model_path=model_path, log_path=log_path)
    finally:
        server.stop()
