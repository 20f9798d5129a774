"""An httpx transport that builds its TLS context (and loads the CA bundle) only when the first
https request needs it. Local servers speak plain http: for them this saves ~20 ms per run."""

from __future__ import annotations

import httpx


class _PlainHTTPTransport(httpx.HTTPTransport):
    """httpx's transport for http:// only: a connection pool without an SSL context."""

    def __init__(self) -> None:  # deliberately no super().__init__: it would build a TLS context
        import httpcore

        self._pool = httpcore.ConnectionPool(ssl_context=None, max_connections=100,
                                             max_keepalive_connections=20, keepalive_expiry=5.0)


def _plain_transport() -> httpx.BaseTransport:
    try:
        return _PlainHTTPTransport()
    except Exception:  # noqa: BLE001 - an httpx/httpcore whose internals differ: the normal one
        return httpx.HTTPTransport(verify=False)


class LazyTLSTransport(httpx.BaseTransport):
    def __init__(self) -> None:
        self._plain: httpx.BaseTransport | None = None
        self._tls: httpx.BaseTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":
            if self._plain is None:
                self._plain = _plain_transport()
            return self._plain.handle_request(request)
        if self._tls is None:
            self._tls = httpx.HTTPTransport(trust_env=True)  # verifies certificates
        return self._tls.handle_request(request)

    def close(self) -> None:
        for transport in (self._plain, self._tls):
            if transport is not None:
                transport.close()
