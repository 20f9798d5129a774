"""Child processes: spawn one, time it from just before the spawn to its exit, take its peak RSS."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CHILD_TIMEOUT = 120.0  # seconds before a child process is killed
TIME = Path("/usr/bin/time")


@dataclass
class Sample:
    wall: float  # seconds, spawn to exit
    maxrss_kb: int  # peak RSS of that child
    rc: int
    out: bytes = b""
    err: str = ""
    first_byte: float | None = None  # seconds, spawn to the first byte on stdout
    cpu: float = 0.0  # seconds of CPU (user + system) the child used


class BenchError(Exception):
    """A benchmark could not be measured (the command failed or printed the wrong thing)."""


def excerpt(text: str | bytes, limit: int = 400) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + " ..."


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_later(proc: subprocess.Popen, timeout: float) -> threading.Timer:
    timer = threading.Timer(timeout, _kill_group, args=(proc,))
    timer.daemon = True
    timer.start()
    return timer


def _read_to_eof(proc: subprocess.Popen, started: float) -> tuple[list[bytes], float | None]:
    """Everything the child writes to its stdout pipe, and when its first byte came."""
    first, chunks = None, []
    if proc.stdout is not None:
        fd = proc.stdout.fileno()
        while True:
            data = os.read(fd, 1 << 16)
            if not data:
                break
            if first is None:
                first = time.perf_counter() - started
            chunks.append(data)
    return chunks, first


def _wait(proc: subprocess.Popen, started: float, timeout: float):
    """Read the child's stdout to EOF and reap it: (stdout chunks, first byte, wall, status,
    rusage). A Ctrl-C ends the child (it has its own session) before it propagates."""
    timer = _kill_later(proc, timeout)
    try:
        chunks, first = _read_to_eof(proc, started)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        timer.cancel()
        if proc.stdout is not None:
            proc.stdout.close()
    return chunks, first, wall, status, usage


def _rss_reported_by_time(path: str, fallback: int) -> int:
    try:
        return int(Path(path).read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return fallback  # keep wait4's figure
    finally:
        os.unlink(path)


def spawn(cmd: list[str], env: dict[str, str], *, capture: bool = True,
          first_byte: bool = False, timeout: float = CHILD_TIMEOUT,
          exact_rss: bool = False) -> Sample:
    """Run `cmd`, stdin from /dev/null. stdout: a pipe that is read to EOF (`capture`), or
    /dev/null. Wall time and peak RSS come from this child alone (wait4).

    A child's peak RSS includes the RSS of the process it was forked from (Linux keeps the high
    water mark across exec), so it is never below this process's. `exact_rss` runs the command
    under /usr/bin/time, a small process, and takes the peak RSS that it reports."""
    rss_path = None
    if exact_rss and TIME.exists():
        with tempfile.NamedTemporaryFile(prefix="revka-bench-rss-", delete=False) as rss_file:
            rss_path = rss_file.name
        cmd = [str(TIME), "-f", "%M", "-o", rss_path, *cmd]
    with tempfile.TemporaryFile() as errfile, open(os.devnull, "wb") as devnull:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE if capture or first_byte else devnull,
                                stderr=errfile, start_new_session=True)
        chunks, first, wall, status, usage = _wait(proc, started, timeout)
        errfile.seek(0)
        err = errfile.read().decode("utf-8", "replace")
    maxrss = usage.ru_maxrss
    if rss_path is not None:
        maxrss = _rss_reported_by_time(rss_path, maxrss)
    return Sample(wall, maxrss, os.waitstatus_to_exitcode(status), b"".join(chunks), err,
                  first if first_byte else None, usage.ru_utime + usage.ru_stime)
