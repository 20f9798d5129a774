"""Find the API key for one provider, in the documented order, and say where it came from."""

from __future__ import annotations

from collections.abc import Mapping

from revka_cli import specs
from revka_cli.config import Config
from revka_cli.errors import ConfigError
from revka_cli.records import Record

KEY_CMD_TIMEOUT_SECS = 15


class Credential(Record):
    key: str | None
    source: str  # "--api-key", "providers.x.api_key", "OPENAI_API_KEY", "placeholder", "none", ...
    _repr_hidden = ("key",)

    @property
    def is_placeholder(self) -> bool:
        return self.source == "placeholder"


def run_key_command(argv: tuple[str, ...], provider: str) -> str:
    """Run `api_key_cmd` (no shell, with a timeout); its stdout, stripped, is the key."""
    import subprocess  # only configs with api_key_cmd pay for it

    where = f"providers.{provider}.api_key_cmd"
    try:
        proc = subprocess.run(list(argv), capture_output=True, timeout=KEY_CMD_TIMEOUT_SECS,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise ConfigError(f"{where}: command not found: {argv[0]}",
                          "install the password manager CLI or fix the command") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{where}: '{argv[0]}' did not finish within {KEY_CMD_TIMEOUT_SECS}s",
                          "unlock the password manager first, or check the command") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot run '{argv[0]}' ({exc.strerror})") from None
    if proc.returncode != 0:
        first = proc.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        detail = f": {first[0][:160]}" if first else ""
        raise ConfigError(f"{where}: '{argv[0]}' exited with status {proc.returncode}{detail}",
                          "run the command yourself to see why it fails")
    key = proc.stdout.decode("utf-8", "replace").strip()
    if not key:
        raise ConfigError(f"{where}: '{argv[0]}' printed nothing", "the command must print the key")
    return key.splitlines()[0].strip()


def resolve_credential(cfg: Config, provider: str, *, is_primary: bool, flag_key: str | None,
                       env: Mapping[str, str]) -> Credential:
    """--api-key, [providers.<id>], top-level api_key (primary only), provider env vars,
    REVKA_API_KEY (primary only), the placeholder. A fallback never inherits the primary's key."""
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
            return Credential(run_key_command(table.api_key_cmd, pid), f"providers.{pid}.api_key_cmd")
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
    return f"the key for {spec.id} starts with '{prefix}', which looks like a {names} key"
