"""Redaction shared by every output path: config show, debug logs, doctor, errors, the cache.

`Scrubber` is the one scrubber of secret values: it learns the secrets sent in a request (the key,
secret header values, URL userinfo) and replaces each occurrence in a piece of text by
`<redacted>`. `SESSION` is the process's own: every endpoint resolved teaches it its secrets, and
every RevkaError message, warning, debug line and cache write passes through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

REDACTED = "<redacted>"
_SECRET_HEADER = re.compile(r"(auth|key|token|secret|password|cookie|credential|signature|session)",
                            re.I)
_MIN_HEADER_SECRET = 6  # shorter header values ("1", "yes") would blank out ordinary words
_MIN_URL_SECRET = 3
_MIN_KEY_SECRET = 6
_MAX_CONFIG_NODES = 100_000
_AUTH_SCHEMES = frozenset({"bearer", "basic", "token", "digest", "apikey"})


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


def redact_location(value: str) -> str:
    """A URL or provider id without its secrets: `custom:<url>` and plain http(s) URLs are
    redacted, anything else (`ollama`, a model name) is returned as it is."""
    if value.lower().startswith(("http://", "https://")):
        from revka_cli.urls import redact_url

        return redact_url(value)
    return display_provider(value)


def redact_secret(secret: str | None) -> str | None:
    """At most the last 4 characters survive, and only for long keys."""
    if not secret:
        return secret
    return f"****{secret[-4:]}" if len(secret) >= 16 else "****"


def redact_headers(headers: Mapping[str, str], full: bool = False) -> dict[str, str]:
    """Secret-looking header values replaced: by `<redacted>` (logs) or `****abcd` (config show)."""
    return {k: (("<redacted>" if full else redact_secret(v)) if is_secret_header(k) else v)
            for k, v in headers.items()}


def url_secrets(url: str) -> list[str]:
    """The parts of a URL that redact_url hides: userinfo (also as the Basic credentials an HTTP
    client derives from it), and secret-looking query values."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    from revka_cli.urls import redact_url

    try:
        parts = urlsplit(url)
        user, password = parts.username or "", parts.password or ""
        found = [password, unquote(password), user if len(user) >= 8 else ""]
        if password:
            import base64

            found.append(base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode())
        redacted = redact_url(url)
        found += [v for k, v in parse_qsl(parts.query) if f"{k}=REDACTED" in redacted]
    except ValueError:
        return []
    return [s for s in found if len(s) >= _MIN_URL_SECRET]


class Scrubber:
    """Secret values, and text with every one of them replaced by `<redacted>`."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()
        self._ordered: list[str] = []

    def add(self, secrets: Iterable[str | None]) -> None:
        new = {s for s in secrets if isinstance(s, str) and s.strip()} - self.secrets
        if new:
            self.secrets |= new
            self._ordered = sorted(self.secrets, key=len, reverse=True)  # longest first

    def learn_key(self, key: str | None) -> None:
        if key and len(key.strip()) >= _MIN_KEY_SECRET:
            self.add([key, key.strip()])

    def learn_headers(self, headers: Mapping[str, str]) -> None:
        for name, value in headers.items():
            if is_secret_header(name) and len(value) >= _MIN_HEADER_SECRET:
                parts = [p for p in value.split() if len(p) >= _MIN_HEADER_SECRET
                         and p.lower() not in _AUTH_SCHEMES]
                self.add([value, *parts])

    def learn_url(self, url: str | None) -> None:
        if url:
            self.add(url_secrets(url))

    def learn_request(self, headers: Mapping[str, str], *urls: str | None,
                      key: str | None = None, placeholder: bool = False) -> None:
        """Everything secret in one request: its key, secret headers and URL userinfo. A
        placeholder key (`llama.cpp`) is no secret, nor the header that carries it."""
        if placeholder and key:
            headers = {k: v for k, v in headers.items() if key not in v}
        else:
            self.learn_key(key)
        self.learn_headers(headers)
        for url in urls:
            self.learn_url(url)

    def learn_config(self, data) -> None:
        """Every secret in config data (a parsed file, or the config after env overrides): values
        under secret-looking names (api_key, Authorization, x-api-key, cookie) and URL userinfo.
        Iterative, each container once: a deep or aliased (YAML) document costs its size only."""
        stack, seen = [(data, "")], set()
        while stack and len(seen) < _MAX_CONFIG_NODES:
            value, name = stack.pop()
            if isinstance(value, (Mapping, list, tuple)):
                if id(value) in seen or name.endswith("_cmd"):  # a command is no secret itself
                    continue
                seen.add(id(value))
                items = value.items() if isinstance(value, Mapping) else ((name, v) for v in value)
                stack.extend((v, str(k)) for k, v in items)
            elif isinstance(value, str):
                self._learn_config_value(name, value)

    def _learn_config_value(self, name: str, value: str) -> None:
        if is_secret_header(name) and not name.endswith("_cmd"):
            self.learn_key(value)
            self.learn_headers({name: value})
        if "@" in value or "?" in value:
            custom = value.startswith(("custom:", "anthropic-custom:"))
            self.learn_url(value.split(":", 1)[1] if custom else value)

    def scrub(self, text: str) -> str:
        if not self._ordered or not isinstance(text, str):
            return text
        for secret in self._ordered:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def scrub_data(self, value):
        """`value` (JSON-like data) with every string scrubbed."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, Mapping):
            return {self.scrub(k): self.scrub_data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.scrub_data(v) for v in value]
        return value

    def clear(self) -> None:
        self.secrets, self._ordered = set(), []


SESSION = Scrubber()


def scrub(text: str) -> str:
    """`text` without any secret this process has sent or been configured with."""
    return SESSION.scrub(text)
