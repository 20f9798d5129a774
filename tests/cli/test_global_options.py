"""Global options, the help text and the error boundary."""

from __future__ import annotations

from revka_cli import __version__


def test_version_fast_path_and_typer_path(revka_proc, revka):
    assert revka_proc("--version").stdout == f"revka {__version__}\n"
    assert revka("--version").stdout == f"revka {__version__}\n"
    assert revka("--quiet", "--version").exit_code == 0


def test_help_lists_commands_and_exit_codes(revka):
    res = revka("--help")
    assert res.exit_code == 0
    for text in ("--config PATH", "--debug", "--quiet", "--no-color", "config", "Exit status:",
                 "130  interrupted (Ctrl-C)", "7    rate-limited or server error after retries"):
        assert text in res.stdout


def test_no_arguments_prints_help(revka_proc):
    res = revka_proc()
    assert res.exit_code == 0 and "Usage: revka" in res.stdout


def test_usage_error_is_one_line_plus_hint_and_exit_2(revka_proc):
    res = revka_proc("--bogus")
    assert res.exit_code == 2
    assert res.stderr == "revka: error: No such option: --bogus\nhint: see 'revka --help'\n"
    res = revka_proc("config", "validate", "--nope")
    assert res.exit_code == 2 and "see 'revka config validate --help'" in res.stderr


def test_config_error_exit_3_without_traceback_unless_debug(revka_proc, tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text("default_provider = 42\n")
    res = revka_proc("--config", str(bad), "config", "show")
    assert res.exit_code == 3 and "Traceback" not in res.stderr
    assert res.stderr.splitlines()[0] == (
        f"revka: error: invalid config: {bad}:1:1: default_provider: expected a string, got an integer")
    debug = revka_proc("--debug", "--config", str(bad), "config", "show")
    assert debug.exit_code == 3 and "Traceback" in debug.stderr


def test_quiet_hides_warnings(revka, write_config):
    write_config('default_provider = "vllm"\n')
    write_config("default_provider: sglang\n", "config.yaml")
    assert "warning" in revka("config", "show").stderr
    assert revka("--quiet", "config", "show").stderr == ""
