"""Helpers for chat tests: canned streams per protocol."""

from __future__ import annotations

import json


def sse(*objs, done=True, sep=b"\n\n", prefix=b"data: ") -> bytes:
    out = b"".join(prefix + json.dumps(o, ensure_ascii=False).encode() + sep for o in objs)
    return out + (prefix + b"[DONE]" + sep if done else b"")


def openai_text(*pieces, finish="stop", usage=(3, 2)):
    chunks = [{"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}]
    chunks += [{"choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces]
    chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
    if usage:
        chunks.append({"choices": [], "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1],
                                                "total_tokens": sum(usage)}})
    return chunks


def ndjson(*objs) -> bytes:
    return b"".join(json.dumps(o).encode() + b"\n" for o in objs)


def ollama_text(*pieces, model="llama3.2", thinking=None):
    out = []
    if thinking:
        out.append({"model": model, "message": {"role": "assistant", "content": "", "thinking": thinking},
                    "done": False})
    out += [{"model": model, "message": {"role": "assistant", "content": p}, "done": False} for p in pieces]
    out.append({"model": model, "message": {"role": "assistant", "content": ""}, "done": True,
                "done_reason": "stop", "prompt_eval_count": 7, "eval_count": len(pieces)})
    return out


def anthropic_text(text: str) -> bytes:
    events = [
        ("message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message",
         "role": "assistant", "content": [], "model": "m", "usage": {"input_tokens": 9, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("ping", {"type": "ping"}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": text}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                           "usage": {"output_tokens": 4}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return b"".join(f"event: {name}\ndata: {json.dumps(obj)}\n\n".encode() for name, obj in events)
