"""`revka providers`: the provider catalog as a table and as stable JSON, on both parsers."""

from __future__ import annotations

import json

from revka_cli import specs

KEYS = ["id", "name", "aliases", "protocol", "default_url", "key_env", "placeholder_key", "local",
        "vision", "discovery"]


def test_json_is_the_catalog_in_order_with_stable_keys(revka_proc):
    res = revka_proc("providers", "--json")
    assert res.exit_code == 0 and res.stderr == ""
    rows = json.loads(res.stdout)
    assert [r["id"] for r in rows] == [s.id for s in specs.PROVIDERS]
    assert all(list(r) == KEYS for r in rows)
    for row, spec in zip(rows, specs.PROVIDERS):
        assert (row["aliases"], row["protocol"], row["default_url"], row["key_env"]) == \
            (list(spec.aliases), spec.protocol, spec.default_url, list(spec.key_env))
        assert (row["vision"], row["discovery"], row["local"]) == \
            (spec.vision, spec.discovery, spec.local)
    by_id = {r["id"]: r for r in rows}  # the endpoints page's facts
    assert by_id["lmstudio"]["discovery"] is False and by_id["lmstudio"]["aliases"] == ["lm-studio"]
    assert by_id["llamacpp"]["vision"] is True and by_id["vllm"]["vision"] is False


def test_table_lists_every_id_alias_url_and_key_variable(revka_proc):
    res = revka_proc("providers")
    assert res.exit_code == 0 and res.stderr == ""
    lines = res.stdout.splitlines()
    assert lines[0].split()[:5] == ["id", "aliases", "protocol", "vision", "discovery"]
    for spec in specs.PROVIDERS:
        line = next(ln for ln in lines if ln.split()[:1] == [spec.id])
        for text in (*spec.aliases, spec.default_url, *spec.key_env):
            assert text in line, (spec.id, text)
    assert "custom:<url>" in res.stdout and "anthropic-custom:<url>" in res.stdout


def test_fast_path_and_typer_print_the_same(revka, revka_proc):
    for flags in ([], ["--json"]):
        fast, slow = revka_proc("providers", *flags), revka("providers", *flags)
        assert (fast.exit_code, fast.stdout, fast.stderr) == (slow.exit_code, slow.stdout,
                                                              slow.stderr)


def test_a_broken_config_does_not_matter(revka_proc, write_config):
    write_config("this is = = not toml\n")
    assert revka_proc("providers").exit_code == 0
