"""Checks that span several keys: providers, URLs, models, fallbacks, keys and file mode."""

from __future__ import annotations

import stat
from collections.abc import Callable, Mapping

from revka_cli import specs
from revka_cli.config.problems import ERROR, WARNING
from revka_cli.config.settings import Config
from revka_cli.urls import is_loopback_url, url_problem

Report = Callable[[str, str, str], None]


def provider_problem(name: str) -> str | None:
    """Why `name` cannot be used as a provider, or None."""
    custom = specs.split_custom(name)
    if custom:
        problem = url_problem(custom[1])
        return f"{problem} in '{name}'" if problem else None
    if specs.is_known_provider(name):
        return None
    guess = specs.suggest(name)
    tip = f" (did you mean '{guess}'?)" if guess else ""
    return f"unknown provider '{name}'{tip}"


def has_key(cfg: Config, provider: str, env: Mapping[str, str], is_default: bool) -> bool:
    """Whether any credential source yields a key for `provider` (commands are not run), in the
    order providers/credentials.py uses at run time: REVKA_API_KEY belongs to the default only."""
    spec = specs.find(provider)
    pid = spec.id if spec else provider
    table = cfg.providers.get(pid)
    if table and (table.api_key or table.api_key_cmd):
        return True
    if is_default and cfg.api_key:
        return True
    if spec and any(env.get(v) for v in spec.key_env):
        return True
    return is_default and bool(env.get("REVKA_API_KEY", "").strip())


def check_semantics(cfg: Config, report: Report, env: Mapping[str, str], file_values: dict,
                    mode: int | None) -> None:
    _check_default_provider(cfg, report)
    _check_fallbacks(cfg, report)
    _check_custom_catalog(cfg, report)
    _check_models_default(cfg, report, file_values)
    _check_cloud_model(cfg, report, env)
    _check_hosted_keys(cfg, report, env)
    _check_file_mode(file_values, report, mode)


def _check_default_provider(cfg: Config, report: Report) -> None:
    problem = provider_problem(cfg.default_provider)
    if problem:
        origin = cfg.origins.get("default_provider", "")
        suffix = f" (from {origin.split()[-1]})" if origin.startswith("env") else ""
        report(ERROR, "default_provider", problem + suffix)


def _check_fallbacks(cfg: Config, report: Report) -> None:
    seen: set[str] = set()
    key = "reliability.fallback_providers"
    for name in cfg.reliability.fallback_providers:
        problem = provider_problem(name)
        if problem:
            report(ERROR, key, problem)
            continue
        canonical = specs.find(name).id if specs.find(name) else name
        if canonical in seen:
            report(WARNING, key, f"'{name}' is listed twice")
        elif canonical == _canonical(cfg.default_provider):
            report(WARNING, key, f"'{name}' is the default provider; it is already tried first")
        seen.add(canonical)


def _canonical(name: str) -> str:
    spec = specs.find(name)
    return spec.id if spec else name


def _check_custom_catalog(cfg: Config, report: Report) -> None:
    custom = cfg.models.custom
    if custom.available_models and not custom.url:
        names = ", ".join(sorted(custom.available_models))
        report(ERROR, "models.custom.available_models",
               f"declared models [{names}] require models.custom.url")


def split_qualified(name: str) -> tuple[str, str] | None:
    """`provider/model` -> (provider, model) when the prefix is a provider, else None."""
    if "/" not in name:
        return None
    prefix, rest = name.split("/", 1)
    if rest and (specs.find(prefix) or prefix.lower() == specs.DECLARED_CUSTOM):
        return prefix, rest
    return None


def _check_models_default(cfg: Config, report: Report, file_values: dict) -> None:
    default = (file_values.get("models") or {}).get("default")
    if not default:
        return
    qualified = split_qualified(default)
    if qualified is None:
        report(ERROR, "models.default",
               f"'{default}' must be a qualified name, provider/model (e.g. custom/{default})")
        return
    provider, model = qualified
    if provider.lower() == specs.DECLARED_CUSTOM and model not in cfg.models.custom.available_models:
        report(WARNING, "models.default", f"'{model}' is not declared in models.custom.available_models")
    file_provider = file_values.get("default_provider")
    file_model = file_values.get("default_model")
    if file_provider and _canonical(file_provider) != _canonical(provider):
        report(ERROR, "models.default",
               f"'{default}' disagrees with default_provider = '{file_provider}'; keep one of them")
    elif file_model and file_model not in (model, default):
        report(ERROR, "models.default",
               f"'{default}' disagrees with default_model = '{file_model}'; keep one of them")


def _check_cloud_model(cfg: Config, report: Report, env: Mapping[str, str]) -> None:
    model = cfg.default_model or ""
    if _canonical(cfg.default_provider) != "ollama" or not model.endswith(":cloud"):
        return
    table = cfg.providers.get("ollama")
    url = cfg.api_url or (table.api_url if table else None) or specs.find("ollama").default_url
    if is_loopback_url(url):
        report(ERROR, "default_model", f"'{model}' is an Ollama cloud model; it needs a remote "
               f"api_url, not {url}")
    elif not has_key(cfg, "ollama", env, True):
        report(ERROR, "default_model", f"'{model}' is an Ollama cloud model; set OLLAMA_API_KEY "
               "or api_key")


def _check_hosted_keys(cfg: Config, report: Report, env: Mapping[str, str]) -> None:
    names = [("default_provider", cfg.default_provider, True)]
    names += [("reliability.fallback_providers", n, False) for n in cfg.reliability.fallback_providers]
    names += [(f"providers.{n}", n, False) for n in cfg.providers if not specs.is_custom_url(n)]
    for key, name, is_default in names:
        spec = specs.find(name)
        if spec and spec.needs_key and not has_key(cfg, name, env, is_default):
            hint = " or ".join(spec.key_env)
            if key == "reliability.fallback_providers":  # chat skips it when reached
                report(WARNING, key, f"fallback {spec.id} cannot be used: it needs an API key "
                       f"(set {hint} or providers.{spec.id}.api_key); chat skips it")
                continue
            report(ERROR, key, f"{spec.id} needs an API key: set {hint} or providers.{spec.id}.api_key")


def _holds_secret(values: dict) -> bool:
    """An API key, a secret header ([extra_headers] Authorization, x-api-key, api-key, cookie)
    or a URL with a password, anywhere in the file's values."""
    from revka_cli.redact import Scrubber

    found = Scrubber()
    found.learn_config(values)
    return bool(found.secrets)


def _check_file_mode(file_values: dict, report: Report, mode: int | None) -> None:
    if mode is None or not _holds_secret(file_values):
        return
    if stat.S_IMODE(mode) & 0o044:
        report(WARNING, "", f"holds API keys but is readable by others (mode {stat.S_IMODE(mode):o}); "
               "run chmod 600 on it")
