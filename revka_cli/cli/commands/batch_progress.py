"""What `revka batch` shows on stderr: a rich progress bar on a terminal, else a status line every
STATUS_SECS (nothing with --quiet), and one summary at the end (also as JSON with --summary-json)."""

from __future__ import annotations

import json
import threading

from revka_cli.cli.environment import current

STATUS_SECS = 5.0
REFRESH_SECS = 0.5


def status_line(snap: dict) -> str:
    left = snap["todo"] - snap["done"] - snap["failed"]
    eta = f", ETA {left / snap['rate']:.0f}s" if snap["rate"] > 0 and left > 0 else ""
    return (f"revka: batch: {snap['done']} done, {snap['failed']} failed, {snap['in_flight']} in "
            f"flight of {snap['todo']}; {snap['rate']:.1f} items/s, "
            f"{snap['tokens_per_s']:.0f} tokens/s{eta}")


class Progress:
    """A context manager showing the stats while the batch runs, from its own thread."""

    def __init__(self, state, stats) -> None:
        self.state, self.stats = state, stats
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "Progress":
        env = current()
        if self.state.quiet:
            return self
        target = self._bar if env.stderr_isatty else self._lines
        self._thread = threading.Thread(target=target, name="revka-batch-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)

    def _lines(self) -> None:
        err = current().stderr
        while not self._stop.wait(STATUS_SECS):
            err.write(status_line(self.stats.snapshot()) + "\n")
            err.flush()

    def _bar(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress as Bar, TextColumn, TimeRemainingColumn

        console = Console(file=current().stderr, no_color=bool(self.state.no_color))
        columns = (TextColumn("batch"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   TextColumn("{task.fields[detail]}"), TimeRemainingColumn())
        with Bar(*columns, console=console, transient=True) as bar:
            task = bar.add_task("batch", total=self.stats.total - self.stats.skipped, detail="")
            while not self._stop.is_set():
                snap = self.stats.snapshot()
                bar.update(task, completed=snap["done"] + snap["failed"], detail=(
                    f"ok {snap['done']} failed {snap['failed']} in flight {snap['in_flight']} "
                    f"{snap['rate']:.1f}/s {snap['tokens_per_s']:.0f} tok/s"))
                self._stop.wait(REFRESH_SECS)


def summary_text(s: dict) -> list[str]:
    def secs(v):
        return "-" if v is None else f"{v:.3f}s"

    lines = [f"revka: batch: {s['ok']} ok, {s['failed']} failed, {s['skipped']} already done, "
             f"{s['not_run']} not run, of {s['items']} items in {s['wall_s']:.1f}s "
             f"(concurrency {s['concurrency']})",
             f"revka: batch: tokens in {s['input_tokens']}, out {s['output_tokens']} "
             f"({s['tokens_per_s'] or 0:.1f}/s); latency p50 {secs(s['latency_p50_s'])}, "
             f"p95 {secs(s['latency_p95_s'])}"]
    if s["errors"]:
        lines.append("revka: batch: errors: " + ", ".join(f"{k} {v}" for k, v in
                                                          sorted(s["errors"].items())))
    if len(s["endpoints"]) > 1 or any(e["out_of_rotation"] for e in s["endpoints"]):
        for e in s["endpoints"]:
            out = " (out of rotation)" if e["out_of_rotation"] else ""
            lines.append(f"revka: batch: endpoint {e['endpoint']}: {e['ok']} ok, "
                         f"{e['failed']} failed{out}")
    if s["stopped"]:
        lines.append(f"revka: batch: stopped early: {s['stopped']}; rerun to resume")
    if s["interrupted"]:
        lines.append("revka: batch: interrupted; rerun with the same -o to resume")
    return lines


def report_summary(state, summary: dict, json_path: str | None) -> None:
    from revka_cli.textsafe import visible

    if json_path:
        with open(json_path, "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
    important = summary["failed"] or summary["stopped"] or summary["interrupted"]
    if state.quiet and not important:
        return
    err = current().stderr
    for line in summary_text(summary):
        err.write(visible(line) + "\n")
    err.flush()
