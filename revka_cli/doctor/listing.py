"""The two HTTP probes: the models endpoint (GET, any protocol) and a 1-token chat request.

Both return plain values and never raise: a transport failure comes back as the RevkaError it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from revka_cli import specs
from revka_cli.providers.protocols.model_list import NOT_A_LIST
from revka_cli.errors import NotFoundError, RequestTimeout, RevkaError
from revka_cli.providers.endpoint import Endpoint
from revka_cli.transport.http import HttpClient
from revka_cli.transport.answers import read_body
from revka_cli.transport.policy import Timeouts

PROBE_PROMPT = "Say OK"


@dataclass
class Listing:
    """What the models endpoint said."""

    names: list[str] | None = None  # the model names, when it answered a model list
    error: RevkaError | None = None  # why not: transport failure, HTTP error, not a list
    absent: bool = False  # the server has no models endpoint (HTTP 404, or 405)
    unreadable: bool = False  # it answered 2xx, but not a model list
    latency_ms: float = 0.0
    refreshed: object = None  # the catalog's RefreshResult, for the cache write


@dataclass
class ChatProbe:
    """What a 1-token chat request did."""

    error: RevkaError | None = None
    latency_ms: float = 0.0
    first_token_ms: float | None = None


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
            listing.names = [m.name for m in result.models]
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
        return Listing(names=[m.name for m in parse_model_list(endpoint.provider, endpoint.wire, body)])
    except RevkaError as exc:
        return Listing(error=exc)


def listing_headers(endpoint: Endpoint) -> dict[str, str]:
    headers = {k: v for k, v in endpoint.headers.items()
               if k.lower() not in ("content-type", "accept")}
    headers["Accept"] = "application/json"
    return headers


def one_token_chat(endpoint: Endpoint, model: str, client: HttpClient,
                   deadline: float) -> ChatProbe:
    """A real 1-token completion, streamed, timing the first token."""
    from revka_cli.chat.probe import single_attempt
    from revka_cli.providers.request import ChatRequest, Message

    started = time.monotonic()
    probe = ChatProbe()
    request = ChatRequest(model=model, messages=(Message("user", PROBE_PROMPT),), max_tokens=1,
                          stream=True)
    try:
        _result, timing = single_attempt(endpoint, request, client,
                                         timeouts=timeouts_until(deadline))
        if timing.first_token is not None:
            probe.first_token_ms = (timing.first_token - timing.started) * 1000
    except RevkaError as exc:
        probe.error = exc
    probe.latency_ms = (time.monotonic() - started) * 1000
    return probe
