"""Follow redirects by hand so credentials never reach a different origin."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 5
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
CREDENTIAL_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization",
                                "cookie"})


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


@dataclass(frozen=True)
class RedirectTarget:
    url: str
    status: int

    def apply(self, method: str, url: str, headers: dict, body):
        """The next request: method and body per RFC 9110, credentials dropped across origins."""
        if self.status == 303 or (self.status in (301, 302) and method == "POST"):
            method, body = "GET", None
        if _origin(url) != _origin(self.url):
            headers = {k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS}
        return method, self.url, headers, body


def redirect_target(response, url: str) -> RedirectTarget | None:
    if response.status_code not in REDIRECT_STATUS:
        return None
    location = response.headers.get("location")
    if not location:
        return None
    return RedirectTarget(_checked(url, location), response.status_code)


def _checked(url: str, location: str) -> str:
    """The absolute URL a Location header points to; ProviderError when it is not an http(s) URL
    revka could send a request to (a bad port, another scheme, no host, control characters)."""
    try:
        target = urljoin(url, location)
        parts = urlsplit(target)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and target.isprintable()
        parts.port  # noqa: B018 - raises ValueError for a port that is out of range or not a number
    except ValueError:
        valid = False
    if not valid:
        from revka_cli.urls import redact_url

        shown = redact_url(location) if "@" in location else location  # never a URL's password
        raise invalid_redirect(repr(shown[:100]))
    return target


def invalid_redirect(detail: str):
    """The error for a Location header that is no URL revka can follow (exit 1, not retried)."""
    from revka_cli.errors import ProviderError

    return ProviderError(f"the server redirected to an invalid URL: {detail}",
                         "check the server's redirect (its Location header) or the provider URL")
