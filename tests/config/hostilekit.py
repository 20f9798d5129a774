"""Helpers for the hostile-config tests: a fresh-interpreter probe that reports time and peak RSS,
and `config validate --json` with one expected error."""

from __future__ import annotations

import json
import os
import sys

PROBE = """
import resource, sys, time
from revka_cli.cli.entry import main
start = time.monotonic()
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
try:  # this process's own high-water mark (ru_maxrss keeps the forking parent's after exec)
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write(f"\\nPROBE {code} {time.monotonic() - start:.3f} {peak}\\n")
"""


def probe(args, tmp_path, timeout=20):
    """Run revka in a fresh interpreter: (exit code, seconds in main, peak RSS in KB, output)."""
    import subprocess

    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, timeout=timeout,
                          env=env, text=True)
    code, secs, peak = proc.stderr.rsplit("\nPROBE ", 1)[1].split()
    return int(code), float(secs), int(peak), proc.stdout + proc.stderr


def validate(revka, path):
    res = revka("config", "validate", str(path), "--json")
    return res, json.loads(res.stdout)


def only_error(revka, path, phrase, line=None):
    res, report = validate(revka, path)
    assert res.exit_code == 3 and report["valid"] is False, res
    (error,) = report["errors"]
    assert phrase in error["message"] and error["file"] == str(path)
    if line is not None:
        assert error["line"] == line, error
    return error
