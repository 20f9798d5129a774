"""`--tools`: does a provider take a tool definition and call it?

One streamed request offers one function and asks for it. The verdict is separate from pass/fail:
`supported` (the model called it: check ok), `unsupported` (the server refused tools, or the model
answered in text: warn, so --strict can gate on it), `failed` (any other error: fail). Only the
first leg of a round trip is sent: the chat request model carries no tool-result messages yet.
"""

from __future__ import annotations

from revka_cli.doctor.chat_probe import chat_probe
from revka_cli.doctor.results import FAIL, OK, SKIP, WARN, Check

TOOL = {"name": "get_weather", "description": "Get the current weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]}}
TOOL_TOKENS = 64  # room for the call's JSON arguments
TOOLS_HINT = "tools need a model and chat template that support them (llama-server: --jinja)"
_REFUSALS = ("does not accept tools", "not support", "unsupported", "--jinja")


def tools_check(endpoint, model: str | None, client, deadline: float) -> tuple[Check, str]:
    """(the `tools` check, the verdict: supported | unsupported | failed | not run)."""
    from revka_cli.doctor.checks import transport_failure

    if model is None:
        return Check("tools", SKIP, 0.0, "no model configured: nothing to send"), "not run"
    probe = chat_probe(endpoint, model, client, deadline, max_tokens=TOOL_TOKENS, tools=(TOOL,))
    ms = probe.latency_ms
    if probe.error is not None:
        said = probe.error.message.lower()
        if "tool" in said and any(word in said for word in _REFUSALS):
            return Check("tools", WARN, ms, f"unsupported: {probe.error.message}",
                         TOOLS_HINT), "unsupported"
        return transport_failure("tools", probe.error, ms, "tool request"), "failed"
    if probe.tool_calls:
        return Check("tools", OK, ms, f"supported: '{model}' called {TOOL['name']} "
                     f"(finish {probe.finish_reason or 'not given'})"), "supported"
    return Check("tools", WARN, ms, f"unsupported: '{model}' answered in text and called no "
                 "tool", TOOLS_HINT), "unsupported"
