"""Start-up benchmarks: revka against `python -c pass`, both with stdout on a pipe read to EOF."""

from __future__ import annotations

from typing import Callable

from .commands import Commands
from .procs import BenchError, excerpt
from .stats import Result, interleaved, summary
from .workload import CACHE_MODELS, COMPLETION_WORDS, OPTION_LINE

STARTUP_IDS = ("version", "help", "complete", "complete-options", "models-list", "config-validate")


def output_has(text: str) -> Callable[[str], None]:
    def check(out: str) -> None:
        if text not in out:
            raise BenchError(f"expected {text!r} in the output, got: {excerpt(out)}")
    return check


def output_lines(count: int) -> Callable[[str], None]:
    def check(out: str) -> None:
        got = len([x for x in out.splitlines() if x.strip()])
        if got != count:
            raise BenchError(f"expected {count} lines, got {got}: {excerpt(out)}")
    return check


def completion_candidates(out: str) -> None:
    words = out.split()
    if "llama3.2:3b" not in words or any(not w.startswith("lla") for w in words):
        raise BenchError(f"unexpected completion output: {excerpt(out)}")


def startup(cmds: Commands, bench_id: str, title: str, argv: list[str], budget: float,
            check: Callable[[str], None], env: dict | None = None,
            bound: str | None = None) -> Result:
    """revka over `python -c pass`, interleaved. `bound`, some Python code, runs in the same
    rounds as `python -c CODE` and is reported in the note (what one import costs alone)."""
    result = Result(bench_id, title, budget, baseline_label="python -c pass")
    env = env or cmds.ws.env()
    base_env = {k: v for k, v in env.items() if not k.startswith(("_REVKA", "COMP_"))}
    runs = [lambda: cmds.revka_cli(argv, env, title), lambda: cmds.python_pass(base_env)]
    if bound:
        runs.append(lambda: cmds.python_code(bound, base_env))
    try:
        probe = cmds.revka_cli(argv, env, title)
        check(probe.out.decode("utf-8", "replace"))
        result.note = probe.err.strip().splitlines()[0] if probe.err.strip() else ""
        revka_s, base_s, *bound_s = interleaved(cmds.n_start, 2, *runs)
    except BenchError as exc:
        return result.failed(str(exc))
    result.measured([s.wall for s in revka_s], [s.wall for s in base_s])
    if bound_s:
        result.extra["bound_s"] = summary([s.wall for s in bound_s[0]])
        median = result.extra["bound_s"]["median"]
        result.note = (f"python -c '{bound}' alone: {median * 1000:.0f} ms, "
                       f"{median / result.baseline['median']:.2f}x python -c pass")
    return result


def startup_plan(cmds: Commands) -> list[tuple]:
    """(id, title, argv, budget, output check, env) for every start-up benchmark."""
    complete_env = cmds.ws.env(_REVKA_COMPLETE="complete_bash", COMP_WORDS=COMPLETION_WORDS,
                               COMP_CWORD=str(len(COMPLETION_WORDS.split()) - 1))
    return [
        ("version", "revka --version", ["--version"], 1.3, output_has("revka "), None),
        ("help", "revka --help", ["--help"], 1.3, output_has("Usage: revka"), None),
        ("complete", f"completion '{COMPLETION_WORDS}' ({CACHE_MODELS} cached)", [], 1.5,
         completion_candidates, complete_env),
        ("complete-options", f"zsh completion '{OPTION_LINE}'", [], 1.5,
         output_has('"--model":"'), cmds.ws.env(_REVKA_COMPLETE="complete_zsh",
                                                _TYPER_COMPLETE_ARGS=OPTION_LINE)),
        ("models-list", f"revka models list | cat ({CACHE_MODELS} cached)", ["models", "list"],
         2.0, output_lines(CACHE_MODELS), None),
        ("config-validate", "revka config validate (good_full.toml)", ["config", "validate"],
         2.5, output_has("valid"), cmds.ws.env("full"), "import tomllib"),
    ]


def startup_all(cmds: Commands, wanted: Callable[[str], bool] = lambda bench_id: True
                ) -> list[Result]:
    return [startup(cmds, *item) for item in startup_plan(cmds) if wanted(item[0])]
