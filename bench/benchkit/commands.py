"""The commands the benchmarks run, each checked: revka, `python -c pass`, the httpx parse loop
and the httpx floor, all in the workspace's environment."""

from __future__ import annotations

from .procs import BenchError, Sample, excerpt, spawn
from .workload import HTTPX_LOOP, PROMPT, rounds
from .workspace import Workspace


def check_rc(sample: Sample, what: str, expect_rc: int = 0) -> Sample:
    if sample.rc != expect_rc:
        raise BenchError(f"{what} exited {sample.rc} (expected {expect_rc}): "
                         f"{excerpt(sample.err or sample.out)}")
    return sample


class Commands:
    def __init__(self, ws: Workspace, quick: bool) -> None:
        self.ws = ws
        self.quick = quick
        self.n_start, self.n_stream = rounds(quick)
        self.revka = str(ws.revka)
        self.python = str(ws.python)

    def revka_cli(self, argv: list[str], env: dict, what: str, **kw) -> Sample:
        return check_rc(spawn([self.revka, *argv], env, **kw), what)

    def python_pass(self, env: dict) -> Sample:
        return check_rc(spawn([self.python, "-c", "pass"], env), "python -c pass")

    def python_code(self, code: str, env: dict) -> Sample:
        return check_rc(spawn([self.python, "-c", code], env), f"python -c {code!r}")

    def chat(self, key: str, *, capture=False, first_byte=False, exact_rss=False) -> Sample:
        """`revka chat PROMPT` against the stream server `key`."""
        return self.revka_cli(["chat", PROMPT], self.ws.env(key), f"revka chat ({key})",
                              capture=capture, first_byte=first_byte, exact_rss=exact_rss)

    def parse_loop(self, key: str, protocol: str, *, capture=False, first_byte=False) -> Sample:
        """The httpx loop that parses every chunk and prints its text (httpx_loop.py)."""
        argv = [self.python, str(HTTPX_LOOP), protocol, self.ws.urls[key]]
        if first_byte:
            argv.append("--flush")
        return check_rc(spawn(argv, self.ws.env(None), capture=capture, first_byte=first_byte),
                        f"httpx loop ({key})")

    def floor(self, key: str, *, capture=False) -> Sample:
        """The bare httpx iter_lines() loop (httpx_loop.py floor), which prints only its line
        count at the end."""
        argv = [self.python, str(HTTPX_LOOP), "floor", self.ws.urls[key]]
        return check_rc(spawn(argv, self.ws.env(None), capture=capture), f"httpx floor ({key})")

    def least(self, key: str, protocol: str, *, capture=False) -> Sample:
        """The least parsing client (httpx_loop.py least): a reference, not a baseline."""
        argv = [self.python, str(HTTPX_LOOP), "least", protocol, self.ws.urls[key]]
        return check_rc(spawn(argv, self.ws.env(None), capture=capture), f"httpx least ({key})")

    def same_text(self, key: str, sample: Sample, who: str) -> None:
        """`sample` printed exactly the text stream `key` carries."""
        got = sample.out.decode("utf-8", "replace").strip()
        want = self.ws.answers[key].strip()
        if got != want:
            at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                      min(len(got), len(want)))
            raise BenchError(f"{who} printed {len(got)} chars, expected {len(want)}; first "
                             f"difference at {at}: {got[at:at + 40]!r}")

    def floor_read_all(self, key: str, sample: Sample) -> None:
        """The floor client counted every line of stream `key`'s body."""
        got, want = sample.out.decode().strip(), str(self.ws.stream_lines[key])
        if got != want:
            raise BenchError(f"the httpx floor read {got} lines of {key}, expected {want}")
