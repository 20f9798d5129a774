"""The results as tables (plain text and Markdown), and what machine and commit produced them."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
from pathlib import Path

from .stats import Result
from .workload import ROOT
from .workspace import Workspace

HEADERS = ["benchmark", "revka median", "baseline median", "ratio", "pairs min-max",
           "IQR revka/base", "budget", "result"]


def _fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "KB":
        return f"{value / 1024:.1f} MB"
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.2f} s"


def rows(results: list[Result]) -> list[list[str]]:
    out = []
    for r in results:
        spread = (f"{r.revka['iqr_pct']:.0f}% / {r.baseline['iqr_pct']:.0f}%"
                  if r.revka and r.baseline else "-")
        pairs = (f"{r.pair_ratios['min']:.2f}-{r.pair_ratios['max']:.2f}"
                 if r.pair_ratios else "-")
        out.append([r.title, _fmt_value(r.revka and r.revka["median"], r.unit),
                    _fmt_value(r.baseline and r.baseline["median"], r.unit),
                    f"{r.ratio:.2f}x" if r.ratio is not None else "-", pairs, spread,
                    f"<= {r.budget:g}x", r.status])
    return out


def text_table(results: list[Result]) -> str:
    body = rows(results)
    widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(HEADERS)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))

    out = [line(HEADERS), line(["-" * w for w in widths])] + [line(r) for r in body]
    for r in results:
        if r.note:
            out.append(f"  {r.id}: {r.note}")
    return "\n".join(out)


def markdown_table(results: list[Result]) -> str:
    heads = HEADERS[:2] + ["baseline", "baseline median"] + HEADERS[3:]
    out = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for r, cells in zip(results, rows(results)):
        cells = cells[:2] + [r.baseline_label] + cells[2:]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _output(argv: list[str], env: dict | None = None) -> str:
    return subprocess.run(argv, capture_output=True, text=True, env=env).stdout.strip()


def machine(ws: Workspace) -> dict:
    git = ["git", "-C", str(ROOT)]
    commit = _output(git + ["rev-parse", "--short", "HEAD"])
    dirty = _output(git + ["status", "--porcelain", "--", "revka_cli"])
    return {"nproc": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)),
            "cpu_model": _cpu_model(),
            "python": _output([str(ws.python), "-c", "import sys; print(sys.version.split()[0])"]),
            "platform": platform.platform(),
            "revka": _output([str(ws.revka), "--version"], ws.env(None)),
            "commit": commit + ("+uncommitted revka_cli changes" if dirty else ""),
            "loadavg_at_start": os.getloadavg(),
            "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
