"""How `revka chat` writes: the answer alone on stdout, reasoning and notes on stderr, or JSON."""

from __future__ import annotations

import json

from revka_cli.cli.environment import current
from revka_cli.providers.events import ChatResult, ToolCall
from revka_cli.textsafe import json_text, visible


def is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class TerminalSink:
    """Streams answer text to stdout (flushed once per network read) and reasoning to stderr.

    To a terminal, control characters in the model's text are shown, not obeyed (textsafe), unless
    `raw`; to a pipe or a file the text is written byte for byte."""

    def __init__(self, *, show_reasoning: bool, json_mode: bool, quiet: bool,
                 raw: bool = False, structured: bool = False, stream: bool = True) -> None:
        self.show_reasoning, self.json_mode, self.quiet = show_reasoning, json_mode, quiet
        env = current()
        self.out, self.err = env.stdout, env.stderr
        self.safe_out = not raw and env.stdout_isatty
        self.safe_err = not raw and env.stderr_isatty
        self.shared_terminal = env.stdout_isatty and env.stderr_isatty
        self.wrote_text = self.wrote_reasoning = False
        self.last_char = ""
        self.line_broken = False  # a note on stderr already ended the answer's line on screen
        # a structured answer streams live only to a terminal; else it is printed once validated
        self.hold_text = structured and not (stream and env.stdout_isatty)

    def text(self, text: str) -> None:
        if self.json_mode or self.hold_text or not text:
            return
        if self.wrote_reasoning and not self.wrote_text:
            self.err.write("\n")
            self.err.flush()
        self.out.write(visible(text) if self.safe_out else text)
        self.wrote_text, self.line_broken = True, False
        self.last_char = text[-1]

    def reasoning(self, text: str) -> None:
        if self.show_reasoning and not self.json_mode and text:
            self.err.write(visible(text) if self.safe_err else text)
            self.err.flush()
            self.wrote_reasoning = True

    def flush(self) -> None:
        self.out.flush()

    def warn(self, message: str) -> None:
        if self.quiet:
            return
        if self.shared_terminal and self.wrote_text and self.last_char != "\n":
            self.out.flush()  # on one screen, the note starts on a line of its own
            self.err.write("\n")
            self.line_broken = True
        self.err.write(f"revka: warning: {visible(message)}\n")

    def debug_raw(self, raw: str) -> None:
        """The answer as received, on stderr (--debug, when it did not match the schema)."""
        self.err.write("revka: debug: the raw answer follows\n")
        self.err.write((visible(raw) if self.safe_err else raw) + "\n")
        self.err.flush()

    def finish_line(self) -> None:
        """End the answer with exactly one newline (none added if it already ends with one, or
        if a note on the same terminal already ended the line)."""
        if self.wrote_text and self.last_char != "\n" and not self.line_broken:
            self.out.write("\n")
        self.out.flush()


def tool_call_dict(call: ToolCall) -> dict:
    try:
        arguments = json.loads(call.arguments) if call.arguments.strip() else {}
        valid = True
    except json.JSONDecodeError:
        arguments, valid = call.arguments, False
    item = {"id": call.id, "name": call.name, "arguments": arguments}
    if not call.complete or not valid:
        item["incomplete"] = True
    return item


def usage_dict(result: ChatResult) -> dict | None:
    if result.usage is None:
        return None
    u = result.usage
    return {"prompt_tokens": u.prompt_tokens, "completion_tokens": u.completion_tokens,
            "total_tokens": u.total_tokens}


def write_tail(sink: TerminalSink, result: ChatResult) -> None:
    """After the streamed text: thinking when the answer was empty, then tool calls as JSON."""
    if not result.text.strip() and not result.tool_calls and result.reasoning.strip():
        thinking = result.reasoning.strip()
        sink.out.write(visible(thinking) if sink.safe_out else thinking)
        sink.wrote_text, sink.last_char = True, thinking[-1]
    sink.finish_line()
    if result.tool_calls:
        sink.out.write(json_text(json.dumps([tool_call_dict(c) for c in result.tool_calls],
                                            ensure_ascii=False, indent=2)) + "\n")
        sink.out.flush()


def write_structured(sink: TerminalSink, parsed) -> None:
    """A validated structured answer: already shown if it streamed to a terminal; else the JSON,
    pretty-printed on a terminal and on one line to a pipe or file."""
    if sink.wrote_text:
        sink.finish_line()
        return
    indent = 2 if is_terminal(sink.out) else None
    sink.out.write(json_text(json.dumps(parsed, ensure_ascii=False, indent=indent)) + "\n")
    sink.out.flush()


def json_document(*, provider, model, result: ChatResult, timing, attempts, error=None,
                  parsed=None) -> dict:
    """The `chat --json` document. `parsed` is the validated answer of --schema/--json-object
    (null otherwise, and when it did not match: `text` then holds the raw answer)."""
    from revka_cli.redact import display_provider

    return {
        "provider": display_provider(provider) if provider else provider,
        "model": model,
        "text": result.text,
        "parsed": parsed,
        "reasoning": result.reasoning or None,
        "tool_calls": [tool_call_dict(c) for c in result.tool_calls],
        "finish_reason": result.finish_reason,
        "usage": usage_dict(result),
        "usage_reported": result.usage is not None,  # False: the server sent no usage (llama-cpp-python)
        "latency": timing.as_dict() if timing else {"first_token_s": None, "total_s": None},
        "attempts": [a.as_dict() for a in attempts],
        "error": None if error is None else {"message": error.message, "exit_code": error.exit_code,
                                             "hint": error.hint or None,
                                             "server_message": error.server_message},
    }


def print_json(doc: dict) -> None:
    stdout = current().stdout
    stdout.write(json_text(json.dumps(doc, ensure_ascii=False, indent=2)) + "\n")
    stdout.flush()


def report_attempts(attempts, quiet: bool) -> None:
    """One stderr line per failed attempt, when more than one provider or model was tried."""
    if len(attempts) < 2:
        return
    from revka_cli.redact import display_provider

    for a in attempts:
        if a.error:
            current().stderr.write(visible(f"revka: attempt {display_provider(a.provider)}/{a.model} "
                                           f"failed: {a.error}") + "\n")
