"""`revka models list` from the cache for a pipe or --json, without typer (shared by the Typer
command and the start-up fast path).

The output depends only on the config file, the REVKA_* variables, which provider keys are set
(config checks need a key for hosted providers), the cache index and the arguments, so the full
path memoises it (`list-memo.txt` in the cache dir) keyed by all of those: the files' stat, every
REVKA_* variable's value, and for secrets (REVKA_API_KEY, each provider's key variable) only
whether they are set, never the value. The fast path prints the memo when the key still matches,
without parsing the config.
"""

from __future__ import annotations

import os

from revka_cli.cli.output import out, warn

MEMO_NAME = "list-memo.txt"
MEMO_VERSION = "revka-list-memo-2"
SECRET_ENV = ("REVKA_API_KEY",)


def _stat(path: str | None) -> str:
    if not path:
        return "-"
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}:{st.st_mode:o}"  # mode: see the warnings


def _presence(value: str | None) -> str:
    if value is None:
        return "unset"
    return "blank" if not value.strip() else ("set" if value == value.strip() else "set-padded")


def shown(value: str) -> str:
    """`value` as the memo may store it: never a URL's password or secret query value. Only a
    value with userinfo (`@`) or a query (`?`) can hold one; the rest skips redact's import."""
    if "@" not in value and "?" not in value:
        return value
    from revka_cli.redact import redact_location

    return redact_location(value)


def env_key(environ) -> list[str]:
    """Every input the listing reads from the environment, without any secret's value."""
    from revka_cli.specs import PROVIDER_KEY_ENV_VARS

    secrets = {*SECRET_ENV, *PROVIDER_KEY_ENV_VARS}
    plain = sorted(n for n in environ if n.startswith("REVKA_") and n not in secrets)
    return [*(f"{n}={shown(environ[n])}" for n in plain),
            *(f"{n}:{_presence(environ.get(n))}" for n in sorted(secrets))]


def memo_key(state, provider: str | None, as_json: bool) -> str:
    from revka_cli.paths import cache_dir_str, find_config_file

    config = find_config_file(state.config_path)[0]
    index = os.path.join(cache_dir_str(), "models-index.json")
    from revka_cli.cli.environment import current

    env = env_key(current().environ)
    parts = [MEMO_VERSION, config or "-", _stat(config), _stat(index), shown(provider or ""),
             "json" if as_json else "text", *env]
    return "\t".join(parts).replace("\n", "\\n")


def print_memo(state, provider: str | None, *, as_json: bool) -> bool:
    """Print the memoised listing when its key still matches (the fast path)."""
    from revka_cli.paths import cache_dir_str

    try:
        with open(os.path.join(cache_dir_str(), MEMO_NAME), encoding="utf-8") as fh:
            key, _, text = fh.read().partition("\n")
    except (OSError, UnicodeDecodeError):
        return False
    if key != memo_key(state, provider, as_json):
        return False
    if text:
        out(text, end="")
    return True


def _save_memo(state, provider: str | None, as_json: bool, text: str) -> None:
    from revka_cli.catalog.store import write_atomic
    from revka_cli.paths import cache_dir

    folder = cache_dir()
    if not folder.is_dir():
        return
    try:
        write_atomic(folder / MEMO_NAME, memo_key(state, provider, as_json) + "\n" + text)
    except OSError:
        pass  # a memo is only a shortcut


def print_cached_listing(state, provider: str | None, *, as_json: bool) -> bool:
    """Print one qualified name per line (or the JSON list) from the cache.
    False, printing nothing, when no live cache exists and the caller must refresh first."""
    import json

    from revka_cli.catalog.listing import collect, has_live, json_rows
    from revka_cli.config import require_config
    from revka_cli.providers.endpoint import canonical_provider
    from revka_cli.textsafe import json_text, one_line

    loaded = require_config(state.config_path)
    cfg = loaded.config
    for problem in loaded.warnings:
        warn(state, problem.format())
    wanted = canonical_provider(provider) if provider else None
    groups = collect(cfg, wanted, full=False)
    if not has_live(groups):
        return False
    if as_json:
        text = json_text(json.dumps(json_rows(groups), indent=2, ensure_ascii=False)) + "\n"
    else:  # a server's model ids: shown, never obeyed, and one line each
        lines = [one_line(group.qualified(model)) for group in groups for model in group.models]
        text = "".join(line + "\n" for line in lines)
    out(text, end="")
    if not loaded.warnings:  # the memo skips the config: only a config without warnings has one
        _save_memo(state, provider, as_json, text)
    return True

