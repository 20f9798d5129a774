"""The one error tree. Each class carries its exit code and a default hint.

`revka_cli.cli.boundary` is the single place that turns these into a stderr line and an exit code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROVIDER = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_AUTH = 4
EXIT_NOT_FOUND = 5
EXIT_CONNECT = 6
EXIT_RATE_OR_SERVER = 7
EXIT_SCHEMA = 8
EXIT_INTERRUPTED = 130

EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "success"),
    (EXIT_PROVIDER, "the provider failed in a way not listed below, or doctor found a failing provider"),
    (EXIT_USAGE, "usage error (bad flag or argument)"),
    (EXIT_CONFIG, "configuration invalid or missing"),
    (EXIT_AUTH, "authentication refused (401/403)"),
    (EXIT_NOT_FOUND, "model or endpoint not found (404, unknown model)"),
    (EXIT_CONNECT, "cannot connect, DNS, TLS or timeout"),
    (EXIT_RATE_OR_SERVER, "rate-limited or server error after retries (429, 5xx)"),
    (EXIT_SCHEMA, "the answer did not match the schema (--schema, --json-object)"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
)


class RevkaError(Exception):
    """Base of every error revka reports to the user.

    Besides `message` and `hint`, a chat failure carries what was kept, so that no work is lost:
    `partial` (the ChatResult assembled before the failure), `timing` (its Timing),
    `output_started` (whether any answer reached the output) and `attempts` (the AttemptRecords
    of the fallback chain so far). `server_message` is the server's own full text, when it sent
    one (the message shows it folded to one line)."""

    exit_code = EXIT_PROVIDER
    default_hint = "rerun with --debug for details"

    def __init__(self, message: str, hint: str | None = None) -> None:
        from revka_cli.redact import scrub  # server text may echo a secret sent with the request

        message = scrub(message)
        super().__init__(message)
        self.message = message
        self.hint = self.default_hint if hint is None else scrub(hint)
        self.server_message: str | None = None
        self.partial = None  # ChatResult | None
        self.timing = None  # Timing | None
        self.output_started = False
        self.attempts: list = []

    def __str__(self) -> str:
        return self.message


class ProviderError(RevkaError):
    """The provider failed in a way no other class describes (exit 1)."""


class StreamError(ProviderError):
    """A stream broke after it started: truncated, invalid JSON, or an error event (exit 1).

    `events` holds the events a parser decoded before the failure, to be delivered first."""

    default_hint = "the partial answer above is kept; retry, or use --no-stream"

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.events: list = []


class RetryableStreamError(StreamError):
    """The server reported overload, a rate limit or a server error mid-stream (exit 7)."""

    exit_code = EXIT_RATE_OR_SERVER
    default_hint = ("the partial answer above is kept; wait and retry, or add fallback_providers "
                    "under [reliability]")


class UsageError(RevkaError):
    exit_code = EXIT_USAGE
    default_hint = "see 'revka --help'"


class ConfigError(RevkaError):
    exit_code = EXIT_CONFIG
    default_hint = "run 'revka config validate' to see every problem"


class AuthError(RevkaError):
    exit_code = EXIT_AUTH
    default_hint = "check the API key for this provider (revka config show)"


class NotFoundError(RevkaError):
    exit_code = EXIT_NOT_FOUND
    default_hint = "run 'revka models list' to see the models revka knows"


class ConnectError(RevkaError):
    exit_code = EXIT_CONNECT
    default_hint = "check that the server is running and the URL is right (revka config show)"


class RequestTimeout(ConnectError):
    default_hint = "raise --timeout or [pacing] timeouts, or check the server's load"


class RateLimitError(RevkaError):
    exit_code = EXIT_RATE_OR_SERVER
    default_hint = "wait and retry, or add fallback_providers under [reliability]"


class ServerError(RevkaError):
    exit_code = EXIT_RATE_OR_SERVER
    default_hint = "the server failed; check its logs, or add fallback_providers under [reliability]"


class AnswerMismatch(RevkaError):
    """The answer is not JSON, or not JSON that validates against --schema (exit 8). `raw` holds
    the answer as received; `pointer` the JSON pointer of the first failing value, if any."""

    exit_code = EXIT_SCHEMA
    default_hint = ("the raw answer is in --json's \"text\" (and on stderr with --debug); lower "
                    "the temperature, or use a server that enforces schemas (README: Structured "
                    "output)")

    def __init__(self, message: str, hint: str | None = None, *, raw: str = "",
                 pointer: str | None = None) -> None:
        super().__init__(message, hint)
        self.raw, self.pointer = raw, pointer


class Interrupted(RevkaError):
    exit_code = EXIT_INTERRUPTED
    default_hint = ""
