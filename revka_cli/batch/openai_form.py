"""The OpenAI Batch output form, the default record: what OpenAI's Batch API and vLLM's run-batch
write, so tools that read their output read revka's.

    {"id": "batch_req_…", "custom_id": "a1",
     "response": {"status_code": 200, "request_id": "…", "body": {chat.completion}},
     "error": null}

A failed item has "response": null and "error": {"code": <revka error class>, "message", "exit_code"}.
"""

from __future__ import annotations

import time
import uuid


def _tool_call(call) -> dict:
    return {"id": call.id or f"call_{uuid.uuid4().hex[:24]}", "type": "function",
            "function": {"name": call.name, "arguments": call.arguments}}


def completion_body(outcome, request_id: str) -> dict:
    """The chat.completion object of a finished item."""
    result = outcome.result
    message = {"role": "assistant", "content": result.text}
    if result.reasoning:
        message["reasoning_content"] = result.reasoning
    if result.tool_calls:
        message["tool_calls"] = [_tool_call(c) for c in result.tool_calls]
    body = {"id": f"chatcmpl-{request_id}", "object": "chat.completion",
            "created": int(time.time()), "model": outcome.model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": result.finish_reason}]}
    usage = result.usage
    if usage is not None:
        body["usage"] = {"prompt_tokens": usage.prompt_tokens,
                         "completion_tokens": usage.completion_tokens,
                         "total_tokens": usage.total_tokens}
    return body


def error_dict(exc) -> dict:
    return {"code": type(exc).__name__, "message": exc.message, "exit_code": exc.exit_code}


def openai_record(item, outcome=None, error=None) -> dict:
    request_id = uuid.uuid4().hex
    response = None if outcome is None else {
        "status_code": 200, "request_id": request_id, "body": completion_body(outcome, request_id)}
    return {"id": f"batch_req_{request_id}", "custom_id": item.custom_id, "response": response,
            "error": None if error is None else error_dict(error)}
