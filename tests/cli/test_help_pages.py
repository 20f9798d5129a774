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
