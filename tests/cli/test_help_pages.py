"""The stored help pages (fast path) must equal what the Typer app renders."""

from __future__ import annotations

from pathlib import Path

from tests.scriptkit import load_script

REPO = Path(__file__).resolve().parents[2]


def test_generated_help_pages_match_the_app():
    gen_help = load_script("gen_help")
    stored = (REPO / "revka_cli" / "cli" / "generated" / "helptext.py").read_text()
    assert stored == gen_help.generate(), "help pages drifted: run scripts/gen_help.py"


def test_fast_path_prints_the_same_page_as_typer(revka_proc):
    from revka_cli.cli.generated.helptext import PAGES

    for key in ("", "config validate", "chat"):
        args = [*key.split(), "--help"] if key else ["--help"]
        fast = revka_proc(*args, env={"COLUMNS": "120"})
        assert fast.exit_code == 0 and fast.stdout == PAGES[key]
        narrow = revka_proc(*args, env={"COLUMNS": "60"})  # narrow terminals go through typer
        assert narrow.exit_code == 0 and narrow.stdout != PAGES[key] and "Usage: revka" in narrow.stdout


def test_unknown_paths_fall_back_to_typer(revka_proc):
    res = revka_proc("nosuch", "--help")
    assert res.exit_code == 2 and "No such command" in res.stderr


GROUPS = ("models", "doctor", "config", "completion")


def test_a_group_alone_prints_its_help_and_exits_0_on_both_paths(revka_proc, revka):
    from revka_cli.cli.generated.helptext import PAGES

    for group in GROUPS:
        fast = revka_proc(group, env={"COLUMNS": "120"})
        assert (fast.exit_code, fast.stdout, fast.stderr) == (0, PAGES[group], ""), group
        narrow = revka_proc(group, env={"COLUMNS": "60"})  # typer renders it
        assert narrow.exit_code == 0 and narrow.stderr == "", group
        assert narrow.stdout.startswith(f"Usage: revka {group} [OPTIONS] COMMAND"), group
        in_process = revka("--quiet", group)  # a global option: the Typer path
        assert (in_process.exit_code, in_process.stdout, in_process.stderr) == \
            (0, PAGES[group], ""), group


def test_a_group_with_a_subcommand_still_runs_it(revka):
    res = revka("config", "path")
    assert res.exit_code == 0 and res.stdout.strip().endswith("config.toml")
