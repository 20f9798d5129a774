"""The output file: what a rerun may skip, torn last lines, and appends that survive kill -9.

Every record is one line written with one `os.write` on an O_APPEND descriptor (no user-space
buffer), so the moment a record is written it is in the kernel: a kill -9 afterwards cannot lose or
tear it. Only the record being written at that instant can be torn; a rerun detects it (no final
newline, or not JSON) and redoes that item. fsync runs at most once per FSYNC_SECS and at the end,
so a power cut may lose the last second of records (they are redone on the next run), never
corrupt the ones before.

On a rerun, answered custom_ids are skipped. When the file holds failed records or a torn line it
is rewritten first (into a temporary file beside it, fsynced, then renamed over it) with only the
answered records, so that the failed items, retried, end with exactly one record each.
"""

from __future__ import annotations

import json
import os
import threading
import time

from revka_cli.batch.idindex import IdIndex
from revka_cli.errors import UsageError

FSYNC_SECS = 1.0


class Resume:
    def __init__(self) -> None:
        self.done = IdIndex()
        self.answered = self.failed = 0
        self.torn = False
        self.form: str | None = None


def record_form(record: dict) -> str | None:
    if "response" in record:
        return "openai"
    if "text" in record:
        return "results"
    return None


def _check_record(record, path: str, line_no: int) -> dict:
    if not isinstance(record, dict) or "custom_id" not in record or "error" not in record:
        raise UsageError(f"{path} line {line_no} is not a revka batch record",
                         "use another -o file, or --restart to overwrite it")
    return record


def read_resume(path: str, form: str) -> Resume:
    """What an existing output file already holds (nothing when it does not exist)."""
    resume = Resume()
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return resume
    with handle:
        last = None
        for line_no, raw in enumerate(handle, 1):
            if last is not None:
                _count(resume, _parse(last[1], path, last[0]), path, last[0], form)
            last = (line_no, raw)
        if last is not None:
            record = _parse_tail(last[1])
            if record is None:
                resume.torn = True
            else:
                _count(resume, _check_record(record, path, last[0]), path, last[0], form)
    return resume


def _parse(raw: bytes, path: str, line_no: int) -> dict:
    try:
        return _check_record(json.loads(raw), path, line_no)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UsageError(f"{path} line {line_no} is not JSON (only the last line can be torn)",
                         "use another -o file, or --restart to overwrite it") from None


def _parse_tail(raw: bytes):
    if not raw.endswith(b"\n"):
        return None  # every record is written with its newline: this one was cut short
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _count(resume: Resume, record: dict, path: str, line_no: int, form: str) -> None:
    found = record_form(record)
    if found is not None and found != form:
        raise UsageError(f"{path} holds --format {found} records, not {form}",
                         f"rerun with --format {found}, or --restart to start over")
    if record["error"] is None:
        resume.done.add(str(record["custom_id"]))
        resume.answered += 1
    else:
        resume.failed += 1


def keep_answered(path: str) -> None:
    """Rewrite `path` with only its answered records (failed and torn ones dropped), atomically."""
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.revka-tmp")
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        for raw in src:
            record = _parse_tail(raw)
            if isinstance(record, dict) and record.get("error") is None:
                dst.write(raw)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, path)
    _fsync_dir(folder)


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Journal:
    """Appends records, one whole line per write, from any thread; to `path`, or (no path) to the
    text `stream` (stdout), flushed after every record."""

    def __init__(self, path: str | None, *, restart: bool = False, stream=None) -> None:
        self.path, self.stream, self.fd = path, stream, None
        if path is not None:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (os.O_TRUNC if restart else 0)
            self.fd = os.open(path, flags, 0o644)
        self._lock = threading.Lock()
        self._synced = time.monotonic()
        self.closed = False
        self.written = 0

    def write(self, record: dict) -> bool:
        """False when the journal is already closed (after Ctrl-C's grace period)."""
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            if self.closed:
                return False
            if self.fd is None:
                self.stream.write(line)
                self.stream.flush()
            else:
                self._append(line.encode("utf-8", "backslashreplace"))
            self.written += 1
        return True

    def _append(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        if time.monotonic() - self._synced >= FSYNC_SECS:
            os.fsync(self.fd)
            self._synced = time.monotonic()

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            if self.fd is not None:
                os.fsync(self.fd)
                os.close(self.fd)
