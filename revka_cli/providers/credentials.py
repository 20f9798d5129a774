"""Find the API key for one provider, in the documented order, and say where it came from."""

from __future__ import annotations

from collections.abc import Mapping

from revka_cli import specs
from revka_cli.config import Config
from revka_cli.errors import ConfigError
from revka_cli.providers.keycmd import KEY_CMD_TIMEOUT_SECS, run_key_command
from revka_cli.records import Record


class Credential(Record):
    key: str | None
    source: str  # "--api-key", "providers.x.api_key", "OPENAI_API_KEY", "placeholder", "none", ...
    _repr_hidden = ("key",)

    @property
    def is_placeholder(self) -> bool:
        return self.source == "placeholder"


def checked_key(key: str, source: str) -> str:
    """`key`, when it can go in an HTTP header as it is. A newline or another control character
    (`pass show` prints `KEY\nlogin: bob`) or a non-ASCII character is a configuration error
    naming where the key came from, never the key."""
    bad = next((c for c in key if not " " <= c <= "~"), None)
    if bad is None:
        return key
    what = ("a newline" if bad in "\r\n" else "a control character" if bad < " " or bad == "\x7f"
            else "a character that is not ASCII")
    raise ConfigError(f"the API key from {source} holds {what} (U+{ord(bad):04X}); it cannot be "
                      "sent in an HTTP header", "store only the key itself, on one line")


def resolve_credential(cfg: Config, provider: str, *, is_primary: bool, flag_key: str | None,
                       env: Mapping[str, str], key_cmd_timeout: float = KEY_CMD_TIMEOUT_SECS
                       ) -> Credential:
    """--api-key, [providers.<id>], top-level api_key (primary only), provider env vars,
    REVKA_API_KEY (primary only), the placeholder. A fallback never inherits the primary's key.
    `key_cmd_timeout` bounds an api_key_cmd (pass what is left of an overall deadline)."""
    found = _find_credential(cfg, provider, is_primary, flag_key, env, key_cmd_timeout)
    if found.key is not None and not found.is_placeholder:
        checked_key(found.key, found.source)
    return found


def key_source(cfg: Config, provider: str, *, is_primary: bool, env: Mapping[str, str]) -> str:
    """Where resolve_credential would take `provider`'s key from ("OPENAI_API_KEY",
    "providers.x.api_key_cmd", "placeholder", "none", ...), without running an api_key_cmd."""
    return _find_credential(cfg, provider, is_primary, None, env, 0.0, run_cmd=False).source


def _find_credential(cfg: Config, provider: str, is_primary: bool, flag_key: str | None,
                     env: Mapping[str, str], key_cmd_timeout: float, run_cmd: bool = True
                     ) -> Credential:
    if flag_key:
        return Credential(flag_key, "--api-key")
    spec = specs.find(provider)
    if provider == specs.DECLARED_CUSTOM:
        if cfg.models.custom.api_key:
            return Credential(cfg.models.custom.api_key, "models.custom.api_key")
    else:
        pid = spec.id if spec else provider
        table = cfg.providers.get(pid)
        if table and table.api_key:
            return Credential(table.api_key, f"providers.{pid}.api_key")
        if table and table.api_key_cmd:
            key = run_key_command(table.api_key_cmd, pid, key_cmd_timeout) if run_cmd else None
            return Credential(key, f"providers.{pid}.api_key_cmd")
    if is_primary and cfg.api_key and provider != specs.DECLARED_CUSTOM:
        return Credential(cfg.api_key, "api_key")
    for name in spec.key_env if spec else ():
        if env.get(name, "").strip():
            return Credential(env[name].strip(), name)
    if is_primary and env.get("REVKA_API_KEY", "").strip():
        return Credential(env["REVKA_API_KEY"].strip(), "REVKA_API_KEY")
    if spec and spec.placeholder_key:
        return Credential(spec.placeholder_key, "placeholder")
    return Credential(None, "none")


def key_mismatch(provider: str, key: str) -> str | None:
    """A warning when `key` clearly belongs to another vendor (never shows the key)."""
    spec = specs.find(provider)
    if spec is None or spec.local or not spec.key_prefixes:
        return None
    best = None
    for other in specs.PROVIDERS:
        for prefix in other.key_prefixes:
            if key.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
                best = (prefix, other)
    if best is None:
        return None
    prefix, owner = best
    owners = [s for s in specs.PROVIDERS if prefix in s.key_prefixes]
    if spec in owners:
        return None
    names = "/".join(s.name for s in owners)
    return f"the key for {spec.id} starts with '{prefix}', which looks like {_article(names)} {names} key"


def _article(name: str) -> str:
    """"an" before a vowel sound: Anthropic, OpenRouter, and initialisms read letter by letter
    whose first letter's name starts with a vowel (xAI, NVIDIA)."""
    word = name.split()[0] if name.split() else name
    initialism = word[1:2].isupper() or word.isupper()
    return "an" if word[:1].lower() in "aeiou" or (initialism and word[:1].lower() in "fhlmnrsx") \
        else "a"
