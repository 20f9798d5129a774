"""Write the default provider and model into the config file, keeping everything else.

TOML goes through tomlkit, which keeps every comment, blank line and the key order; only the
changed lines differ. YAML gets a targeted edit of the top-level `default_provider:` /
`default_model:` (or `models: default:`) lines so comments survive; only an unusual structure falls
back to a full `yaml.safe_dump`. The new text is validated (parse + every config check) before an
atomic replace: temp file in the same folder, fsync, os.replace, the original mode kept (0600 for a
new file). Every failure is a `ConfigError`; the original file is never left half-written.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from revka_cli import specs
from revka_cli.errors import ConfigError
from revka_cli.paths import ConfigLocation

NEW_FILE_MODE = 0o600
_KEEP_ENV = ("REVKA_API_KEY",)


@dataclass(frozen=True)
class WriteOutcome:
    path: Path
    keys: tuple[str, ...]  # what was written, e.g. ("default_provider", "default_model")
    created: bool = False
    comments_dropped: bool = False  # YAML with an unusual structure was re-dumped


def _qualified_ok(provider: str) -> bool:
    return not specs.is_custom_url(provider)


# --- TOML -----------------------------------------------------------------------------------

def edit_toml(text: str, provider: str, model: str) -> tuple[str, tuple[str, ...]]:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(f"cannot update the config: it is not valid TOML ({exc})") from None
    keys: list[str] = []
    models = doc.get("models")
    uses_default = isinstance(models, dict) and "default" in models
    if uses_default and _qualified_ok(provider):
        models["default"] = f"{provider}/{model}"
        keys.append("models.default")
    elif uses_default:  # custom:<url> has no qualified form: drop models.default for flat keys
        del models["default"]
    if not keys or "default_provider" in doc or "default_model" in doc:
        doc["default_provider"] = provider
        doc["default_model"] = model
        keys += ["default_provider", "default_model"]
    return tomlkit.dumps(doc), tuple(keys)


# --- YAML -----------------------------------------------------------------------------------

def _yaml_scalar(value: str, style: str | None) -> str:
    import yaml

    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if not style and value.strip() == value and "#" not in value:  # plain ('' from the C loader)
        try:
            if yaml.safe_load(f"k: {value}\n") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def _top_pairs(node) -> dict | None:
    import yaml

    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        return None
    return {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _replacement(text: str, value_node, value: str):
    """(start, end, new text) for a one-line scalar, or None when the value is not one."""
    import yaml

    if not isinstance(value_node, yaml.ScalarNode):
        return None
    start, end = value_node.start_mark, value_node.end_mark
    if start.line != end.line:
        return None
    new = _yaml_scalar(value, value_node.style)
    if start.index == end.index:  # `key:` with no value
        return (start.index, end.index, new if text[start.index - 1:start.index] == " " else f" {new}")
    return start.index, end.index, new


def edit_yaml_lines(text: str, provider: str, model: str) -> tuple[str, tuple[str, ...]] | None:
    """Targeted line edits, or None when the file's structure calls for a full re-dump."""
    import yaml

    if re.search(r"^\.\.\.\s*$", text, re.MULTILINE):
        return None
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    pairs = _top_pairs(root)
    if not pairs:
        return None
    edits, keys = [], []
    models = _top_pairs(pairs["models"][1]) if "models" in pairs else None
    if models and "default" in models:
        if not _qualified_ok(provider):
            return None
        edits.append(_replacement(text, models["default"][1], f"{provider}/{model}"))
        keys.append("models.default")
    if not keys or "default_provider" in pairs or "default_model" in pairs:
        missing = []
        for key, value in (("default_provider", provider), ("default_model", model)):
            if key in pairs:
                edits.append(_replacement(text, pairs[key][1], value))
            else:
                missing.append(f"{key}: {_yaml_scalar(value, None)}")
            keys.append(key)
        if missing:
            indent = " " * root.value[0][0].start_mark.column
            edits.append(_insertion(text, pairs, indent, missing))
    if any(e is None for e in edits):
        return None
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text, tuple(keys)


def _insertion(text: str, pairs: dict, indent: str, lines: list[str]):
    """Insert new top-level lines after an existing default_* key, else at the end."""
    anchor = pairs.get("default_provider") or pairs.get("default_model")
    block = "".join(f"{indent}{line}\n" for line in lines)
    if anchor is not None:
        at = text.find("\n", anchor[1].end_mark.index)
        at = len(text) if at < 0 else at + 1
        prefix = "" if at == 0 or text[at - 1] == "\n" else "\n"
        return at, at, prefix + block
    prefix = "" if not text or text.endswith("\n") else "\n"
    return len(text), len(text), prefix + block


def edit_yaml(text: str, provider: str, model: str) -> tuple[str, tuple[str, ...], bool]:
    """(new text, keys, comments_dropped)."""
    edited = edit_yaml_lines(text, provider, model)
    if edited is not None:
        return edited[0], edited[1], False
    import yaml

    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"cannot update the config: it is not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError("cannot update the config: its top level is not a mapping of keys")
    models = data.get("models")
    keys: list[str] = []
    if isinstance(models, dict) and "default" in models:
        if _qualified_ok(provider):
            models["default"] = f"{provider}/{model}"
            keys.append("models.default")
        else:
            del models["default"]
    if not keys or "default_provider" in data or "default_model" in data:
        data["default_provider"], data["default_model"] = provider, model
        keys += ["default_provider", "default_model"]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True), tuple(keys), True


# --- validate, then replace atomically -------------------------------------------------------

def _validation_env(env: Mapping[str, str] | None) -> dict[str, str]:
    """The environment minus REVKA_* overrides: we validate what the file says."""
    env = os.environ if env is None else env
    return {k: v for k, v in env.items() if not k.startswith("REVKA_") or k in _KEEP_ENV}


def _validate(tmp: Path, real: Path, env: Mapping[str, str] | None) -> None:
    from revka_cli.config import load_config

    result = load_config(explicit_path=str(tmp), env=_validation_env(env))
    if result.errors:
        first = result.errors[0].format().replace(str(tmp), str(real))
        more = len(result.errors) - 1
        raise ConfigError(f"not written: the new config would be invalid: {first}"
                          + (f" (and {more} more)" if more else ""),
                          f"fix {real} first; 'revka config validate' lists every problem")


def write_validated(path: Path, text: str, env: Mapping[str, str] | None = None) -> None:
    """Validate `text` as the config at `path`, then atomically replace the file with it."""
    real = Path(os.path.realpath(path))
    try:
        mode = real.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    except OSError as exc:
        raise ConfigError(f"cannot read {real}: {exc.strerror or exc}") from None
    try:
        real.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp_name = tempfile.mkstemp(dir=real.parent, prefix=f".{real.stem}.", suffix=real.suffix)
    except OSError as exc:
        raise ConfigError(f"cannot write in {real.parent}: {exc.strerror or exc}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        _validate(tmp, real, env)
        os.replace(tmp, real)
    except OSError as exc:
        raise ConfigError(f"cannot write {real}: {exc.strerror or exc}",
                          "check the folder's permissions; the original file is unchanged") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _target(location: ConfigLocation | Path | str | None) -> Path:
    if isinstance(location, ConfigLocation):
        target = location.path or location.default_target
    else:
        target = Path(location) if location is not None else None
    if target is None:
        from revka_cli.paths import locate_config

        located = locate_config(None)
        target = located.path or located.default_target
    return Path(target).expanduser()


def write_default_model(location: ConfigLocation | Path | str | None, provider: str, model: str,
                        env: Mapping[str, str] | None = None) -> WriteOutcome:
    """Set the default provider and model in the config file (created when missing)."""
    from revka_cli.config.source import detect_format, read_config_text

    path = _target(location)
    if detect_format(path) == "star":
        raise ConfigError(f"cannot update {path}: revka does not rewrite Starlark files",
                          f'set "default": "{provider}/{model}" under "models" in it by hand')
    created = not path.exists()
    text = ""
    if not created:
        text, problem, _ = read_config_text(path)
        if problem is not None and not problem.message.startswith("is empty"):
            raise ConfigError(f"cannot update {path}: {problem.message}")
        text = text or ""
    if detect_format(path) == "yaml":
        new, keys, dropped = edit_yaml(text, provider, model)
    else:
        (new, keys), dropped = edit_toml(text, provider, model), False
    write_validated(path, new, env)
    return WriteOutcome(path, keys, created, dropped)


def set_default_model(location: ConfigLocation | Path | str | None, provider: str, model: str,
                      env: Mapping[str, str] | None = None) -> Path:
    """Write `default_provider`/`default_model` (or `models.default`); return the file written."""
    return write_default_model(location, provider, model, env).path
