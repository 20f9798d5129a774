"""The models endpoint probe (GET, any protocol), and the deadline every request of a provider
keeps. It returns plain values and never raises: a transport failure comes back as the RevkaError
it was. The chat probes are in doctor/chat_probe.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from revka_cli import specs
from revka_cli.providers.protocols.model_list import NOT_A_LIST
from revka_cli.errors import NotFoundError, RequestTimeout, RevkaError
from revka_cli.providers.endpoint import Endpoint
from revka_cli.transport.http import HttpClient
from revka_cli.transport.answers import read_body
from revka_cli.transport.policy import Timeouts


@dataclass
class Listing:
    """What the models endpoint said."""

    names: list[str] | None = None  # the model names, when it answered a model list
    windows: dict[str, int] = field(default_factory=dict)  # name -> context the list reports
    error: RevkaError | None = None  # why not: transport failure, HTTP error, not a list
    absent: bool = False  # the server has no models endpoint (HTTP 404, or 405)
    unreadable: bool = False  # it answered 2xx, but not a model list
    latency_ms: float = 0.0
    refreshed: object = None  # the catalog's RefreshResult, for the cache write


def timeouts_until(deadline: float) -> Timeouts:
    """Timeouts that end at `deadline`; raises RequestTimeout when it has passed."""
    left = deadline - time.monotonic()
    if left <= 0.01:
        raise RequestTimeout("no time left before the --timeout deadline")
    return Timeouts(connect=left, overall=left)


class DeadlineClient:
    """One provider's view of the shared HttpClient: every request ends by that provider's
    deadline (the catalog's refresh() passes no timeouts of its own)."""

    def __init__(self, client: HttpClient, deadline: float) -> None:
        self.client, self.deadline = client, deadline

    @property
    def timeouts(self) -> Timeouts:
        return timeouts_until(self.deadline)

    def open_stream(self, method: str, url: str, headers, json_body: object = None,
                    timeouts: Timeouts | None = None):
        return self.client.open_stream(method, url, headers, json_body,
                                       timeouts or timeouts_until(self.deadline))


def uses_catalog(endpoint: Endpoint) -> bool:
    """The catalog discovers (and caches) these; doctor lists the others itself, uncached."""
    return bool(endpoint.discovery and endpoint.models_url
                and endpoint.provider != specs.DECLARED_CUSTOM)


def fetch_listing(endpoint: Endpoint, client: HttpClient, deadline: float) -> Listing:
    """GET the models endpoint, within `deadline`."""
    started = time.monotonic()
    if uses_catalog(endpoint):
        from revka_cli.catalog.discover import refresh

        result = refresh(endpoint, DeadlineClient(client, deadline))
        listing = Listing(error=result.error, refreshed=result)
        if result.ok:
            _take(listing, result.models)
    else:
        listing = _fetch_uncached(endpoint, client, deadline)
    if listing.error is not None:
        listing.absent = _is_absent(listing.error)
        listing.unreadable = listing.error.message.startswith(NOT_A_LIST)
    listing.latency_ms = (time.monotonic() - started) * 1000
    return listing


def _is_absent(error: RevkaError) -> bool:
    return isinstance(error, NotFoundError) or "(HTTP 405)" in error.message


def _fetch_uncached(endpoint: Endpoint, client: HttpClient, deadline: float) -> Listing:
    from revka_cli.providers.protocols.model_list import parse_model_list
    from revka_cli.providers.error_bodies import error_message
    from revka_cli.transport.answers import check_status

    try:
        stream = client.open_stream("GET", endpoint.models_url or endpoint.chat_url,
                                    listing_headers(endpoint), None, timeouts_until(deadline))
        check_status(stream, error_message)
        body = read_body(stream)
        return _take(Listing(), parse_model_list(endpoint.provider, endpoint.wire, body))
    except RevkaError as exc:
        return Listing(error=exc)


def _take(listing: Listing, models) -> Listing:
    listing.names = [m.name for m in models]
    listing.windows = {m.name: m.context_window for m in models if m.context_window}
    return listing


def listing_headers(endpoint: Endpoint) -> dict[str, str]:
    headers = {k: v for k, v in endpoint.headers.items()
               if k.lower() not in ("content-type", "accept")}
    headers["Accept"] = "application/json"
    return headers
