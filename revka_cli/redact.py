"""Redaction shared by every output path: config show, debug logs, doctor."""

from __future__ import annotations

import re
from collections.abc import Mapping

_SECRET_HEADER = re.compile(r"(authorization|api[-_]?key|token|secret|password|cookie|credential|"
                            r"signature|session)", re.I)


def is_secret_header(name: str) -> bool:
    return bool(_SECRET_HEADER.search(name))


def display_provider(provider: str) -> str:
    """A provider id as shown to people: a custom URL loses its userinfo and query secrets."""
    from revka_cli import specs

    custom = specs.split_custom(provider)
    if not custom:
        return provider
    from revka_cli.urls import redact_url

    return f"{custom[0]}:{redact_url(custom[1])}"


def redact_secret(secret: str | None) -> str | None:
    """At most the last 4 characters survive, and only for long keys."""
    if not secret:
        return secret
    return f"****{secret[-4:]}" if len(secret) >= 16 else "****"


def redact_headers(headers: Mapping[str, str], full: bool = False) -> dict[str, str]:
    """Secret-looking header values replaced: by `<redacted>` (logs) or `****abcd` (config show)."""
    return {k: (("<redacted>" if full else redact_secret(v)) if is_secret_header(k) else v)
            for k, v in headers.items()}
