"""`--schema`: does a provider enforce a JSON Schema on its answer (structured output)?

One request asks for a small object under a schema, sent the way `chat --schema` sends it
(response_format, Ollama `format`, or Anthropic's forced tool), and validates the answer on the
client. The verdict is separate from pass/fail: `supported` (the answer matched: ok),
`unsupported` (the catalog says so, the server refused the request, or the answer did not match:
warn, so --strict can gate on it), `failed` (any other error: fail).
"""

from __future__ import annotations

import time

from revka_cli.doctor.results import OK, SKIP, WARN, Check
from revka_cli.errors import AnswerMismatch, ProviderError, RevkaError

SCHEMA = {"type": "object", "properties": {"answer": {"type": "string", "enum": ["yes", "no"]}},
          "required": ["answer"], "additionalProperties": False}
PROMPT = "Is the sky blue on a clear day? Reply as JSON."
SCHEMA_TOKENS = 32
SCHEMA_HINT = ("structured output needs a server that enforces schemas (llama-server, vLLM, "
               "SGLang, Ollama); see the README's Structured output section")


def schema_check(endpoint, model: str | None, client, deadline: float) -> tuple[Check, str]:
    """(the `schema` check, the verdict: supported | unsupported | failed | not run)."""
    if model is None:
        return Check("schema", SKIP, 0.0, "no model configured: nothing to send"), "not run"
    if not endpoint.schemas:
        return Check("schema", WARN, 0.0, f"unsupported: {endpoint.provider} does not take a "
                     "JSON Schema (provider catalog)", SCHEMA_HINT), "unsupported"
    started = time.monotonic()
    try:
        answer = _ask(endpoint, model, client, deadline)
    except AnswerMismatch as exc:
        return Check("schema", WARN, _ms(started), f"unsupported: the answer did not match "
                     f"({exc.message})", SCHEMA_HINT), "unsupported"
    except RevkaError as exc:
        if type(exc) is ProviderError:  # a 4xx: the server refused response_format
            return Check("schema", WARN, _ms(started), f"unsupported: {exc.message}",
                         SCHEMA_HINT), "unsupported"
        from revka_cli.doctor.checks import transport_failure

        return transport_failure("schema", exc, _ms(started), "structured request"), "failed"
    return Check("schema", OK, _ms(started), f"supported: '{model}' answered {answer}"), "supported"


def _ask(endpoint, model: str, client, deadline: float) -> str:
    from revka_cli.chat.structured import check_answer
    from revka_cli.doctor.chat_probe import CountingSink, send_chat
    from revka_cli.doctor.listing import timeouts_until
    from revka_cli.providers.request import ChatRequest, Message

    request = ChatRequest(model=model, messages=(Message("user", PROMPT),), max_tokens=SCHEMA_TOKENS,
                          stream=True, temperature=0, response_schema=SCHEMA)
    result, _timing = send_chat(endpoint, request, client, CountingSink(), timeouts_until(deadline))
    result = endpoint.wire.structured_result(result, request)
    value = check_answer(result.text, SCHEMA)
    return f'{{"answer": "{value["answer"]}"}}'


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


__all__ = ["schema_check"]
