"""`revka providers`: the provider catalog (revka_cli/specs.py) as a table or stable JSON.

The catalog's own values, not the config's: `config show` says what a configured provider uses.
Answered on the fast path too (no typer, no config read)."""

from __future__ import annotations

from revka_cli import specs
from revka_cli.cli.output import out, out_json

# the custom forms, which are not catalog rows: (name, protocol, URL, key)
CUSTOM_FORMS = (
    ("custom:<url>", specs.OPENAI, "the URL", "config api_key or REVKA_API_KEY"),
    ("anthropic-custom:<url>", specs.ANTHROPIC, "the URL", "config api_key or REVKA_API_KEY"),
    ("custom/<name>", specs.OPENAI, "models.custom.url", "models.custom.api_key"),
)
_COLUMNS = ("id", "aliases", "protocol", "vision", "discovery", "default URL", "key variables")


def catalog_rows() -> list[dict]:
    """One JSON object per catalog provider, in catalog order; the keys never change order."""
    return [{"id": s.id, "name": s.name, "aliases": list(s.aliases), "protocol": s.protocol,
             "default_url": s.default_url, "key_env": list(s.key_env),
             "placeholder_key": s.placeholder_key, "local": s.local, "vision": s.vision,
             "discovery": s.discovery} for s in specs.PROVIDERS]


def _cells(row: dict) -> tuple[str, ...]:
    yes_no = {True: "yes", False: "no"}
    keys = ", ".join(row["key_env"]) or "-"
    if row["placeholder_key"]:
        keys += f" (else placeholder {row['placeholder_key']})"
    return (row["id"], ", ".join(row["aliases"]) or "-", row["protocol"], yes_no[row["vision"]],
            yes_no[row["discovery"]], row["default_url"], keys)


def providers(state, opts) -> None:
    rows = catalog_rows()
    if opts.as_json:
        out_json(rows)
        return
    table = [_COLUMNS, *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(_COLUMNS) - 1)]
    for line in table:
        out("  ".join(cell.ljust(w) for cell, w in zip(line, widths)) + "  " + line[-1])
    out("")
    out("Also: " + "; ".join(f"{name} ({protocol}, {url}, key: {key})"
                             for name, protocol, url, key in CUSTOM_FORMS) + ".")
    out("vision: the default; [providers.<id>] vision = true or false overrides it. "
        "discovery: whether 'revka models refresh' can list the server's models.")
