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
    return RedirectTarget(urljoin(url, location), response.status_code)
