"""URL helpers shared by config validation, transport and doctor. Stdlib only."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_SECRET_QUERY_KEYS = ("key", "token", "secret", "password", "sig", "auth")


def url_problem(url: str) -> str | None:
    """Why `url` is not a usable http(s) base URL, or None when it is."""
    if not isinstance(url, str) or not url.strip():
        return "URL is empty"
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises on a bad port
    except ValueError as exc:
        return f"URL is malformed ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        shown = parts.scheme or "none"
        return f"URL must use http:// or https:// (scheme: {shown})"
    if not parts.hostname:
        return "URL has no host"
    return None


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        import ipaddress

        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    return is_loopback_host(host_of(url))


def is_plain_http(url: str) -> bool:
    return url.strip().lower().startswith("http://")


def redact_url(url: str) -> str:
    """Keep scheme, host, port and path; drop userinfo, and query values that look like secrets."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = host + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return "<invalid URL>"
    query = ""
    if parts.query:
        kept = []
        for item in parts.query.split("&"):
            name = item.split("=", 1)[0]
            secret = any(s in name.lower() for s in _SECRET_QUERY_KEYS)
            kept.append(f"{name}=REDACTED" if secret and "=" in item else item)
        query = "&".join(kept)
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def join_path(base: str, suffix: str) -> str:
    """`base` + `/suffix`, with exactly one slash between them."""
    if not suffix:
        return base
    return base.rstrip("/") + "/" + suffix.lstrip("/")
