"""Completion candidates for model and provider names, from the cache index and the config alone.

Runs on every TAB press, so it never touches the network and imports nothing heavy: no typer,
httpx, rich, diskcache, tomlkit, not even json or pathlib; yaml only when the config file is YAML.
It reads the plain `models-index.txt` that the catalog store writes (the JSON index only for a
cache written before it existed), and the config's declared custom models, parsing the config only
when it can hold what is asked for.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing itself would cost more than it saves
if TYPE_CHECKING:  # annotations only: importing collections costs ~4 ms on every TAB press
    from collections.abc import Mapping

from revka_cli import specs
from revka_cli.paths import cache_dir_str, find_config_file

# catalog.store's names (not imported: the store pulls in sqlite3 and json)
INDEX_NAME = "models-index.json"
NAMES_INDEX_NAME = "models-index.txt"
NAMES_INDEX_HEADER = "# revka model names v1"
PREFIXES = (specs.CUSTOM_PREFIX, specs.ANTHROPIC_CUSTOM_PREFIX)


def read_index_models(env: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """provider -> cached names from the plain index ({} when there is none)."""
    folder = cache_dir_str(env)
    try:
        with open(os.path.join(folder, NAMES_INDEX_NAME), encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return _read_json_index(folder)
    lines = text.splitlines()
    if not lines or lines[0] != NAMES_INDEX_HEADER:
        return _read_json_index(folder)
    out: dict[str, list[str]] = {}
    for line in lines[1:]:
        provider, tab, name = line.partition("\t")
        if tab and provider and name:
            out.setdefault(provider, []).append(name)
    return out


def _read_json_index(folder: str) -> dict[str, list[str]]:
    import json

    try:
        with open(os.path.join(folder, INDEX_NAME), encoding="utf-8") as fh:
            data = json.loads(fh.read())
        models = data.get("models") if data.get("version") == 1 else None
    except (OSError, ValueError, AttributeError):
        return {}
    if not isinstance(models, dict):
        return {}
    return {p: [n for n in names if isinstance(n, str)]
            for p, names in models.items() if isinstance(p, str) and isinstance(names, list)}


def _load_file(path: str, needles: tuple[str, ...] = ()) -> dict:
    """The config file as a plain dict, or {} when it cannot be read or parsed, or when it holds
    none of `needles` (then parsing it could not add a candidate)."""
    if path.lower().endswith(".star"):  # never run a Starlark evaluator at a TAB press
        return {}
    try:
        if os.path.getsize(path) > 1024 * 1024:
            return {}
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:
        return {}
    try:
        text = raw.decode("utf-8-sig")
        if needles and not any(needle in text for needle in needles):
            return {}
        if path.lower().endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = _loads_toml(text)
    except Exception:  # noqa: BLE001 - a broken config simply adds no candidates
        return {}
    return data if isinstance(data, dict) else {}


def _loads_toml(text: str) -> dict:
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        import tomlkit

        return tomlkit.parse(text).unwrap()
    return tomllib.loads(text)


def read_config(config_path: str | None = None, env: Mapping[str, str] | None = None,
                needles: tuple[str, ...] = ()) -> dict:
    env = os.environ if env is None else env
    path = find_config_file(config_path, env)[0]
    # isfile: a pipe or device there would block the TAB press (config validate reports it)
    return _load_file(path, needles) if path is not None and os.path.isfile(path) else {}


def declared_names(data: dict) -> list[str]:
    custom = (data.get("models") or {}).get("custom") if isinstance(data.get("models"), dict) else None
    if not isinstance(custom, dict) or not custom.get("url"):
        return []
    available = custom.get("available_models")
    return [str(n) for n in available] if isinstance(available, dict) else []


def _configured_names(data: dict) -> list[str]:
    names = [data.get("default_provider")]
    reliability = data.get("reliability")
    if isinstance(reliability, dict) and isinstance(reliability.get("fallback_providers"), list):
        names += reliability["fallback_providers"]
    if isinstance(data.get("providers"), dict):
        names += list(data["providers"])
    return [n.strip() for n in names if isinstance(n, str) and n.strip()]


def catalogs(config_path: str | None = None, env: Mapping[str, str] | None = None,
             data: dict | None = None) -> dict[str, list[str]]:
    """provider -> names: the cached index plus the declared `custom` catalog."""
    out = read_index_models(env)
    if data is None:
        data = read_config(config_path, env, needles=("available_models",))
    declared = declared_names(data)
    if declared:
        out[specs.DECLARED_CUSTOM] = declared
    return out


def model_candidates(incomplete: str, config_path: str | None = None,
                     env: Mapping[str, str] | None = None) -> list[str]:
    """Qualified `provider/name` and bare names that start with `incomplete`, sorted.
    Providers given as custom:<url> only offer bare names (their id holds slashes). A name with a
    control character (a server's, meant for a terminal) is never offered."""
    from revka_cli.textsafe import has_control

    found: set[str] = set()
    for provider, names in catalogs(config_path, env).items():
        qualify = not specs.is_custom_url(provider)
        for name in names:
            if has_control(name):
                continue
            if name.startswith(incomplete):
                found.add(name)
            if qualify and f"{provider}/{name}".startswith(incomplete):
                found.add(f"{provider}/{name}")
    return sorted(found)


def provider_candidates(incomplete: str, config_path: str | None = None,
                        env: Mapping[str, str] | None = None) -> list[str]:
    """Provider ids and aliases, `custom`, the `custom:` / `anthropic-custom:` prefixes, and the
    custom URLs found in the config and the cache. Matched case-insensitively."""
    pool = set(specs.all_names()) | {specs.DECLARED_CUSTOM, *PREFIXES}
    configured = _configured_names(read_config(config_path, env, needles=PREFIXES))
    urls = [n for n in configured if specs.is_custom_url(n)]
    if urls:  # redact imports re: only when there is a URL to show
        from revka_cli.redact import display_provider  # a URL's password is never a candidate

        pool.update(display_provider(n) for n in urls)
    pool.update(p for p in read_index_models(env) if specs.is_custom_url(p))
    low = incomplete.lower()
    return sorted(n for n in pool if n.lower().startswith(low))
