"""Run `api_key_cmd` with bounded output and one time limit for the whole call.

A password manager prints the key and a newline. Whatever else a command does (prints forever,
floods stderr, never ends, prints several lines), revka reads at most MAX_STREAM_BYTES of each
stream, waits at most `timeout` seconds in all, and reports a ConfigError (exit 3) that names the
command but never shows what it printed on stdout.
"""

from __future__ import annotations

import os
import time
from _thread import allocate_lock

from revka_cli.errors import ConfigError

KEY_CMD_TIMEOUT_SECS = 15.0
_known_keys: dict[tuple[tuple[str, ...], str], str] = {}  # (argv, provider) -> key
_runs: dict[tuple[tuple[str, ...], str], object] = {}  # (argv, provider) -> its lock
_runs_made = allocate_lock()  # guards _runs
MAX_STREAM_BYTES = 8 * 1024
_CHUNK = 4096


class _Output:
    def __init__(self) -> None:
        self.data = {"stdout": b"", "stderr": b""}
        self.overflow: str | None = None  # the stream that printed too much


def _collect(proc, deadline: float) -> tuple[_Output, bool]:
    """Read both pipes until EOF, the byte cap or the deadline. (output, timed out)."""
    import selectors

    out = _Output()
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ, "stdout")
        sel.register(proc.stderr, selectors.EVENT_READ, "stderr")
        while sel.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                return out, True
            for key, _ in sel.select(left):
                chunk = os.read(key.fd, _CHUNK)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                out.data[key.data] += chunk
                if len(out.data[key.data]) > MAX_STREAM_BYTES:
                    out.overflow = key.data
                    return out, False
    return out, False


def _stop(proc) -> None:
    """Kill the command and everything it started (its own process group)."""
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    for pipe in (proc.stdout, proc.stderr):
        pipe.close()
    proc.wait()


def run_key_command(argv: tuple[str, ...], provider: str,
                    timeout: float = KEY_CMD_TIMEOUT_SECS) -> str:
    """Run `api_key_cmd` (no shell): its stdout, less one trailing newline, is the key.
    `timeout` covers the whole call: a caller may pass what is left of its own deadline.

    A command that succeeded is not run again in this process: a batch of 2,000 items, a REPL
    session and doctor's probes each ask a password manager once. Threads asking at the same
    time wait for the one run (within their own timeout); a failure is not remembered."""
    memo_key = (tuple(argv), provider)
    key = _known_keys.get(memo_key)
    if key is not None:
        return key
    with _runs_made:
        run = _runs.setdefault(memo_key, allocate_lock())  # one run per command, not one overall
    if not run.acquire(timeout=max(0.001, timeout)):
        raise _did_not_finish(f"providers.{provider}.api_key_cmd", argv[0], timeout)
    try:
        key = _known_keys.get(memo_key)  # the run this thread waited for may have found it
        if key is None:
            key = _run_key_command(argv, provider, timeout)
            _known_keys[memo_key] = key
        return key
    finally:
        run.release()


def forget_keys() -> None:
    """Drop the keys remembered in this process (tests; a long-lived embedder)."""
    _known_keys.clear()
    _runs.clear()


def _run_key_command(argv: tuple[str, ...], provider: str, timeout: float) -> str:
    import subprocess  # only configs with api_key_cmd pay for it

    where = f"providers.{provider}.api_key_cmd"
    name = argv[0]
    deadline = time.monotonic() + max(0.0, timeout)
    try:
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
    except FileNotFoundError:
        raise ConfigError(f"{where}: command not found: {name}",
                          "install the password manager CLI or fix the command") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot run '{name}' ({exc.strerror})") from None
    try:
        out, timed_out = _collect(proc, deadline)
        if not timed_out and out.overflow is None:
            proc.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        if proc.returncode is None:
            _stop(proc)
        else:
            proc.stdout.close()
            proc.stderr.close()
    if out.overflow:
        raise ConfigError(f"{where}: '{name}' printed more than {MAX_STREAM_BYTES // 1024} KiB on "
                          f"{out.overflow}; stopped it", "the command must print only the key")
    if timed_out:
        raise _did_not_finish(where, name, timeout)
    if proc.returncode != 0:
        raise ConfigError(f"{where}: '{name}' exited with status {proc.returncode}"
                          f"{_first_line(out.data['stderr'])}",
                          "run the command yourself to see why it fails")
    return _one_key(out.data["stdout"], where, name)


def _did_not_finish(where: str, name: str, timeout: float) -> ConfigError:
    return ConfigError(f"{where}: '{name}' did not finish within {timeout:g}s",
                       "unlock the password manager first, or check the command")


def _first_line(stderr: bytes) -> str:
    first = stderr.decode("utf-8", "replace").strip().splitlines()[:1]
    return f": {first[0][:160]}" if first else ""


def _one_key(stdout: bytes, where: str, name: str) -> str:
    text = stdout.decode("utf-8", "replace")
    text = text[:-1] if text.endswith("\n") else text
    text = text[:-1] if text.endswith("\r") else text
    key = text.strip(" ")
    if not key:
        raise ConfigError(f"{where}: '{name}' printed nothing", "the command must print the key")
    if "\n" in key or "\r" in key:
        raise ConfigError(f"{where}: '{name}' printed more than one line",
                          "the command must print only the key, on one line")
    return key
