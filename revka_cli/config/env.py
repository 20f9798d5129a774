"""Environment overrides (flag > env > file > default) applied to the checked config mapping."""

from __future__ import annotations

from collections.abc import Mapping

from revka_cli.config.headers import clean_header_value, header_name_problem, header_value_problem
from revka_cli.config.numbers import parse_seconds
from revka_cli.config.problems import ERROR, WARNING, Problem
from revka_cli.config.schema import REASONING_EFFORTS
from revka_cli.urls import url_problem

ENV_SOURCE = "environment"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

ENV_VARS: tuple[tuple[str, str], ...] = (
    ("REVKA_CONFIG", "config file to use instead of the default location"),
    ("REVKA_CACHE_DIR", "model catalog cache folder (default $XDG_CACHE_HOME/revka)"),
    ("REVKA_PROVIDER", "default provider (overrides default_provider)"),
    ("REVKA_MODEL", "default model (overrides default_model)"),
    ("REVKA_PROVIDER_URL", "the default provider's base URL (overrides api_url)"),
    ("REVKA_API_KEY", "API key used when no provider-specific key is set"),
    ("REVKA_PROVIDER_TIMEOUT_SECS", "overall request timeout (overrides provider_timeout_secs)"),
    ("REVKA_REASONING_ENABLED", "true/false (overrides [runtime] reasoning_enabled)"),
    ("REVKA_REASONING_EFFORT", "minimal|low|medium|high|xhigh (overrides [runtime] reasoning_effort)"),
    ("REVKA_EXTRA_HEADERS", "extra headers, Key:Value,Key2:Value2 (override [extra_headers])"),
    ("NO_COLOR", "disable colour output when set to any value"),
)


def parse_bool(text: str) -> bool | None:
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    return None


def parse_extra_headers(text: str) -> tuple[dict[str, str], list[str], list[str]]:
    """`Key:Value,Key2:Value2` -> (headers, one warning per skipped empty-named or malformed entry,
    one error per header that cannot be sent)."""
    headers: dict[str, str] = {}
    warnings: list[str] = []
    errors: list[str] = []
    for number, entry in enumerate(text.split(","), 1):
        if not entry.strip():
            continue
        if ":" not in entry:  # the entry is not shown: it may be a secret missing its colon
            warnings.append(f"skipped entry {number}: expected Key:Value")
            continue
        name, value = entry.split(":", 1)
        name = name.strip()
        if not name:
            warnings.append(f"skipped entry {number}: the header name is empty")
            continue
        problem = header_name_problem(name) or header_value_problem(name, value)
        if problem:
            errors.append(problem)
            continue
        headers[name] = clean_header_value(value)
    return headers, warnings, errors


def merge_headers(base: Mapping[str, str], override: Mapping[str, str]) -> dict[str, str]:
    """`override` replaces same-named headers in `base`, compared case-insensitively."""
    lowered = {k.lower() for k in override}
    merged = {k: v for k, v in base.items() if k.lower() not in lowered}
    merged.update(override)
    return merged


def apply_env(data: dict, env: Mapping[str, str], origins: dict[str, str]) -> list[Problem]:
    """Overlay REVKA_* variables onto the checked mapping `data`, in place."""
    problems: list[Problem] = []

    def bad(name: str, message: str, severity: str = ERROR) -> None:
        problems.append(Problem(severity, name, message, ENV_SOURCE))

    def take(name: str) -> str | None:
        value = env.get(name)
        return value if value is not None and value.strip() else None

    for name, key in (("REVKA_PROVIDER", "default_provider"), ("REVKA_MODEL", "default_model")):
        if take(name):
            data[key] = env[name].strip()
            origins[key] = f"env {name}"
    if take("REVKA_PROVIDER_URL"):
        url = env["REVKA_PROVIDER_URL"].strip()
        problem = url_problem(url)
        if problem:
            bad("REVKA_PROVIDER_URL", f"{problem}: '{url}'")
        else:
            data["api_url"] = url
            origins["api_url"] = "env REVKA_PROVIDER_URL"
    if take("REVKA_PROVIDER_TIMEOUT_SECS"):
        value, problem = parse_seconds(env["REVKA_PROVIDER_TIMEOUT_SECS"])
        if problem:
            bad("REVKA_PROVIDER_TIMEOUT_SECS", problem)
        else:
            data["provider_timeout_secs"] = value
    runtime = data.setdefault("runtime", {})
    if take("REVKA_REASONING_ENABLED"):
        value = parse_bool(env["REVKA_REASONING_ENABLED"])
        if value is None:
            bad("REVKA_REASONING_ENABLED", f"expected true or false, got '{env['REVKA_REASONING_ENABLED']}'")
        else:
            runtime["reasoning_enabled"] = value
    if take("REVKA_REASONING_EFFORT"):
        value = env["REVKA_REASONING_EFFORT"].strip().lower()
        if value not in REASONING_EFFORTS:
            bad("REVKA_REASONING_EFFORT", f"expected one of {', '.join(REASONING_EFFORTS)}; got '{value}'")
        else:
            runtime["reasoning_effort"] = value
    if env.get("REVKA_EXTRA_HEADERS"):
        headers, warnings, errors = parse_extra_headers(env["REVKA_EXTRA_HEADERS"])
        for message in warnings:
            bad("REVKA_EXTRA_HEADERS", message, WARNING)
        for message in errors:
            bad("REVKA_EXTRA_HEADERS", message)
        data["extra_headers"] = merge_headers(data.get("extra_headers") or {}, headers)
        data["env_headers"] = headers
    return problems
