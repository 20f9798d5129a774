"""Turn what each probe saw into `Check`s: config, auth, model and chat. Pure functions."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping

from revka_cli import specs
from revka_cli.config import Config
from revka_cli.doctor.chat_probe import ChatProbe
from revka_cli.doctor.listing import Listing
from revka_cli.doctor.results import FAIL, OK, SKIP, WARN, Check
from revka_cli.doctor.servers import IGNORES_MODEL_NAME
from revka_cli.doctor.targets import Target
from revka_cli.redact import display_provider
from revka_cli.errors import (
    EXIT_AUTH, EXIT_CONFIG, EXIT_CONNECT, EXIT_NOT_FOUND, EXIT_PROVIDER,
    AuthError, NotFoundError, RevkaError,
)
from revka_cli.providers.endpoint import Endpoint, resolve_endpoint
from revka_cli.urls import redact_url
from revka_cli.textsafe import visible

URL_HINT = "check the URL: use the API root (ending in /v1 for OpenAI-compatible servers)"
TIMEOUT_HINT = "raise --timeout, or check the server's load"
MAX_DETAIL = 200

def one_line(text: str) -> str:
    """One printable line: runs of white space become one space, and control characters (ANSI
    escapes included) are shown as ^[ and the like, never obeyed (revka_cli.textsafe)."""
    return " ".join(visible(str(text)).split())


def clip(text: str) -> str:
    """One line of at most MAX_DETAIL characters. Only after secrets are scrubbed: cutting first
    could leave half a key that no longer matches."""
    text = one_line(text)
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def models_hint(provider: str) -> str:
    return f"revka models list --provider {display_provider(provider)}"


def key_hint(endpoint: Endpoint) -> str:
    spec = specs.find(endpoint.provider)
    if endpoint.provider == specs.DECLARED_CUSTOM:
        return "set models.custom.api_key to the key this server expects"
    where = f"providers.{spec.id}.api_key" if spec \
        else f'providers."{display_provider(endpoint.provider)}".api_key'
    env = " or ".join(spec.key_env) if spec else ""
    return f"set {env + ' or ' if env else ''}{where} to the key this server expects"


def config_check(cfg: Config, target: Target,
                 env: Mapping[str, str]) -> tuple[Check, Endpoint | None]:
    """Step 1: a known provider, a valid URL, a key present when the provider needs one."""
    started = time.monotonic()

    def done(status: str, detail: str, hint: str = "", code: int = 0) -> Check:
        return Check("config", status, (time.monotonic() - started) * 1000, detail, hint, code)

    if target.problem:
        return done(FAIL, target.problem, "run 'revka config validate'", EXIT_CONFIG), None
    try:
        endpoint = resolve_endpoint(cfg, target.provider, is_primary=target.is_primary, env=env)
    except RevkaError as exc:
        return done(FAIL, exc.message, exc.hint, EXIT_CONFIG), None
    spec = specs.find(endpoint.provider)
    if spec and spec.needs_key and not endpoint.credential.key:
        return done(FAIL, f"{spec.id} needs an API key and none is set", key_hint(endpoint),
                    EXIT_CONFIG), endpoint
    source = endpoint.credential.source
    key = f"key from {source}" if endpoint.credential.key else "no key"
    detail = f"{endpoint.protocol} protocol, {key}"
    if endpoint.warnings:
        return done(WARN, "; ".join(endpoint.warnings), "revka config validate"), endpoint
    return done(OK, detail), endpoint


_HTTP = re.compile(r"\(HTTP (\d{3})\)(?: (?:at|by|from) \S+)?(?: after \d+ retr\w+)?(?:: (.*))?$")


def http_parts(exc: RevkaError) -> tuple[int | None, str]:
    """(status, the server's own message) from an HTTP error raised by the transport."""
    match = _HTTP.search(exc.message)
    if match is None:
        return None, ""
    return int(match.group(1)), match.group(2) or ""


def transport_failure(name: str, exc: RevkaError, latency_ms: float, what: str) -> Check:
    """Any other failure of a probe: timeout, refused, TLS, 429/5xx, redirect loop, broken body."""
    from revka_cli.errors import ConnectError, RequestTimeout

    if isinstance(exc, RequestTimeout):
        detail = f"no answer from the {what} after {latency_ms / 1000:.1f} s (--timeout)"
        return Check(name, FAIL, latency_ms, detail, TIMEOUT_HINT, EXIT_CONNECT)
    code = EXIT_CONNECT if isinstance(exc, ConnectError) else exc.exit_code or EXIT_PROVIDER
    if code in (EXIT_CONFIG, 2):
        code = EXIT_PROVIDER
    status, said = http_parts(exc)
    detail = f"{what} answered HTTP {status}{': ' + said if said else ''}" if status \
        else f"{what}: {exc.message}"
    return Check(name, FAIL, latency_ms, detail, exc.hint, code)


def auth_from_listing(endpoint: Endpoint, listing: Listing) -> Check | None:
    """Step 3 from the models endpoint; None when it has none and a 1-token chat must decide."""
    ms, exc = listing.latency_ms, listing.error
    if exc is None:
        key = "key accepted" if endpoint.credential.key else "no key needed"
        return Check("auth", OK, ms, f"models endpoint answered, {key}")
    if listing.unreadable:
        return Check("auth", OK, ms, "models endpoint answered (not with a model list)")
    status, said = http_parts(exc)
    said = f": {said}" if said else ""
    if isinstance(exc, AuthError):
        what = (f"the key from {endpoint.credential.source} was refused" if endpoint.credential.key
                else "the server wants a key and none was sent")
        return Check("auth", FAIL, ms, f"HTTP {status}, {what}{said}",
                     key_hint(endpoint), EXIT_AUTH)
    spec = specs.find(endpoint.provider)
    if listing.absent and (spec is None or not spec.discovery):
        return None
    if listing.absent:
        url = redact_url(endpoint.models_url or "")
        return Check("auth", FAIL, ms, f"no models endpoint at {url} (HTTP {status}){said}",
                     URL_HINT, EXIT_NOT_FOUND)
    return transport_failure("auth", exc, ms, "models endpoint")


def auth_from_chat(endpoint: Endpoint, probe: ChatProbe | None) -> Check:
    """Step 3 for a server without a models endpoint: a 1-token chat request decides."""
    where = "no models endpoint"
    if probe is None:
        return Check("auth", WARN, 0.0, f"{where} and no model configured: the key is not verified",
                     "set a default_model for this provider so doctor can send a 1-token request")
    exc, ms = probe.error, probe.latency_ms
    if exc is None:
        return Check("auth", OK, ms, f"{where}; a {probe.max_tokens}-token request was accepted")
    if isinstance(exc, NotFoundError) and "model" in http_parts(exc)[1].lower():
        return Check("auth", OK, ms, f"{where}; the key was accepted (the model was not)")
    if isinstance(exc, NotFoundError):
        return Check("auth", FAIL, ms, f"{where}, and the chat endpoint answered HTTP 404 too",
                     URL_HINT, EXIT_NOT_FOUND)
    if isinstance(exc, AuthError):
        return Check("auth", FAIL, ms, f"{where}; the 1-token request was refused: {exc.message}",
                     key_hint(endpoint), EXIT_AUTH)
    return transport_failure("auth", exc, ms, "1-token request")


def _served(model: str, names: list[str], endpoint: Endpoint) -> bool:
    return endpoint.wire.serves(model, names)


def _sample(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    if not names:
        return "none"
    return shown + (f", … {len(names) - limit} more" if len(names) > limit else "")


def model_from_listing(target: Target, endpoint: Endpoint, names: list[str]) -> Check:
    """Step 4: the expected model (and, for `custom`, the declared ones) in the live list."""
    spec = specs.find(endpoint.provider)
    count = f"{len(names)} model{'s' * (len(names) != 1)}"
    if spec is not None and not spec.discovery:
        return Check("model", SKIP, 0.0, f"{spec.name} model lists are not used by revka ({count} "
                     "listed); presence not checked", "add --chat to try the model for real")
    hint = models_hint(endpoint.provider)
    if target.model and not _served(target.model, names, endpoint):
        if endpoint.provider in IGNORES_MODEL_NAME and len(names) == 1:
            return Check("model", WARN, 0.0, f"'{target.model}' is not listed; this server "
                         f"answers any name with its one model '{names[0]}'",
                         f"set the model to '{names[0]}'")
        return Check("model", FAIL, 0.0, f"'{target.model}' is not served ({count}: "
                     f"{_sample(names)})", hint, EXIT_NOT_FOUND)
    missing = [m for m in target.declared
               if m != target.model and not _served(m, names, endpoint)]
    if missing and not target.model and len(missing) == len(target.declared):
        return Check("model", FAIL, 0.0, f"none of the declared models is served: "
                     f"{', '.join(missing)} ({count})", hint, EXIT_NOT_FOUND)
    if missing:
        return Check("model", WARN, 0.0, f"declared but not served: {', '.join(missing)}",
                     hint)
    if target.model:
        return Check("model", OK, 0.0, f"serves '{target.model}' ({count})")
    if len(target.declared) == 1:
        return Check("model", OK, 0.0, f"serves the declared model '{target.declared[0]}' "
                     f"({count})")
    if target.declared:
        return Check("model", OK, 0.0, f"serves all {len(target.declared)} declared models "
                     f"({count})")
    name = display_provider(endpoint.provider)
    return Check("model", WARN, 0.0, f"no model configured for {name} ({count})",
                 f"set providers.{name}.default_model (default_model for the default provider) "
                 "so doctor can check it")


def model_confirmed(unlisted: Check, probe: ChatProbe, model: str) -> Check:
    """An unlisted model on a custom server, after a 1-token request with it."""
    if probe.error is None:
        return Check("model", OK, probe.latency_ms,
                     f"'{model}' is not in the list but answered a {probe.max_tokens}-token "
                     "request")
    unlisted.latency_ms = probe.latency_ms
    if not isinstance(probe.error, NotFoundError):
        unlisted.detail += f"; a 1-token request failed too: {probe.error.message}"
    return unlisted


def model_unreadable(listing: Listing) -> Check:
    """Step 4 when the models endpoint answered 2xx with something else (often a web page)."""
    message = listing.error.message if listing.error else "not a model list"
    return Check("model", FAIL, 0.0, message, URL_HINT, EXIT_PROVIDER)


def model_from_chat(target: Target, probe: ChatProbe | None, model: str | None) -> Check:
    """Step 4 when there is no list: the 1-token request named the model."""
    if probe is None or model is None:
        return Check("model", WARN, 0.0, "no model configured and no models endpoint: not checked",
                     "set a default_model for this provider")
    if isinstance(probe.error, NotFoundError):
        return Check("model", FAIL, 0.0, f"'{model}' not found: {probe.error.message}",
                     models_hint(target.provider), EXIT_NOT_FOUND)
    return Check("model", OK, 0.0, f"'{model}' answered a {probe.max_tokens}-token request "
                 "(no models endpoint)")
