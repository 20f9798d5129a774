"""What the llama-server provisioning modules share: the cache location, errors, locks, logs, pip.

Standard library only, so it runs before any virtualenv has anything in it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator, Sequence

Progress = Callable[[str], None]


def stderr_progress(msg: str) -> None:
    print(f"[llama-server] {msg}", file=sys.stderr, flush=True)


def fmt_secs(secs: float) -> str:
    secs = int(secs)
    return f"{secs // 60}m{secs % 60:02d}s" if secs >= 60 else f"{secs}s"


class ProvisionError(RuntimeError):
    """Building the server or fetching the model failed."""


class ServerStartError(RuntimeError):
    """The server did not come up healthy, or did not answer a real completion."""


def cache_root() -> Path:
    """``$REVKA_DEV_CACHE`` or ``${XDG_CACHE_HOME:-~/.cache}/revka-dev``, read at call time."""
    override = os.environ.get("REVKA_DEV_CACHE")
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "revka-dev"


def read_json(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def write_json(path: Path, value: dict) -> None:
    """Write atomically: a marker is either the old one or the new one, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=2) + "\n")
    os.replace(tmp, path)


@contextlib.contextmanager
def lock(name: str) -> Iterator[None]:
    """Serialise provisioning across processes (two test sessions, CI and a demo...)."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def tail(path: Path | None, lines: int = 40) -> str:
    if path is None:
        return "(no log)"
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def pip_cmd() -> list[str]:
    probe = subprocess.run([sys.executable, "-m", "pip", "--version"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode == 0:
        return [sys.executable, "-m", "pip"]
    for name in ("pip3", "pip"):
        found = shutil.which(name)
        if found:
            return [found]
    raise ProvisionError("pip is needed to fetch packages from PyPI and was not found")


def run_pip(args: Sequence[str], log: Path) -> None:
    cmd = [*pip_cmd(), *args]
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    with open(log, "ab") as fh:
        fh.write(("$ " + " ".join(cmd) + "\n").encode())
        fh.flush()
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
    if proc.returncode != 0:
        raise ProvisionError(f"pip failed (exit {proc.returncode}):\n{tail(log)}")


def _pump(stream, fh, last_step: list[str]) -> None:
    for raw in stream:
        fh.write(raw)
        line = raw.decode(errors="replace").strip()
        if line.startswith("[") and "]" in line:
            last_step[0] = line.split("]", 1)[0] + "]"
    fh.flush()


def run_logged(cmd: Sequence[str], log: Path, progress: Progress, what: str,
               every: float = 20.0) -> None:
    """Run a long command with output to ``log``, reporting elapsed time and the last step
    (ninja's ``[n/N]`` or make's ``[ NN%]``) every ``every`` seconds."""
    start = time.monotonic()
    last_step = [""]
    with open(log, "ab") as fh:
        fh.write(("$ " + " ".join(cmd) + "\n").encode())
        fh.flush()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        reader = threading.Thread(target=_pump, args=(proc.stdout, fh, last_step), daemon=True)
        reader.start()
        try:
            while True:
                try:
                    rc = proc.wait(timeout=every)
                    break
                except subprocess.TimeoutExpired:
                    step = f" {last_step[0]}" if last_step[0] else ""
                    progress(f"{what}:{step} {fmt_secs(time.monotonic() - start)} elapsed")
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            reader.join(timeout=10)
    if rc != 0:
        raise ProvisionError(f"{what} failed (exit {rc}); log: {log}\n{tail(log)}")
    progress(f"{what}: done in {fmt_secs(time.monotonic() - start)}")
