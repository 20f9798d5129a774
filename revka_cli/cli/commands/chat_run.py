"""`revka chat` on the chat core: options -> TurnSpec -> ChatSession (revka_cli.chat) -> output."""

from __future__ import annotations

from revka_cli.cli.commands.chat_output import (
    TerminalSink, json_document, print_json, report_attempts, write_structured, write_tail,
)
from revka_cli.cli.output import warn
from revka_cli.errors import AnswerMismatch, Interrupted, RevkaError, UsageError


def __getattr__(name: str):
    if name == "ChatOptions":  # the chat options record, made from the command spec
        from revka_cli.cli.surface.options import record_class

        return record_class("chat")
    raise AttributeError(name)


def turn_spec(opts):
    """The chat core's TurnSpec from the chat options record: the one place they meet."""
    from revka_cli.chat.options import parse_options
    from revka_cli.chat.turn import TurnSpec
    from revka_cli.cli.surface.options import request_fields

    if opts.schema is not None and opts.json_object:
        raise UsageError("--schema and --json-object ask for different things",
                         "give one: --schema for a JSON Schema, --json-object for any object")
    request = {dest: getattr(opts, field) for field, dest in request_fields("chat").items()}
    return TurnSpec(provider=opts.provider, model=opts.model, system=opts.system,
                    temperature=opts.temperature, max_tokens=opts.max_tokens,
                    stream=not opts.no_stream, tools_file=opts.tools, timeout=opts.timeout,
                    api_key=opts.api_key, schema=_schema(opts.schema),
                    json_object=opts.json_object, options=parse_options(opts.options),
                    request={k: tuple(v) if isinstance(v, list) else v
                             for k, v in request.items()})


def _schema(text: str | None):
    if text is None:
        return None
    from revka_cli.chat.structured import load_schema  # imports jsonschema: only when asked

    return load_schema(text)


def open_session(state, opts):
    """Load the config (its warnings on stderr) and start a chat-core session for `opts`."""
    from revka_cli.catalog.lookup import CachedFacts  # the local cache, never the network
    from revka_cli.chat.session import ChatSession
    from revka_cli.config import require_config

    loaded = require_config(state.config_path)
    for problem in loaded.warnings:
        warn(state, problem.format())
    return ChatSession(loaded.config, turn_spec(opts), facts=CachedFacts(loaded.config),
                       warn=lambda message: warn(state, message))


def run_one_shot(state, opts, text: str) -> int:
    session = None
    try:
        session = open_session(state, opts)
        messages = [session.user_message(text, opts.images)]
        session.check_context(messages)
    except RevkaError as exc:  # nothing was sent; --json still answers with a document
        if opts.as_json:
            _print_early_error(opts, session.selection if session else None, exc)
        raise
    sink = TerminalSink(show_reasoning=opts.show_reasoning, json_mode=opts.as_json, quiet=state.quiet,
                        raw=opts.raw, structured=session.structured, stream=not opts.no_stream)
    try:
        outcome = session.send(messages, sink)
    except KeyboardInterrupt:  # between attempts; during one, it arrives as Interrupted
        return _failed(state, opts, session, sink, Interrupted("interrupted"))
    except RevkaError as exc:
        return _failed(state, opts, session, sink, exc)
    result = outcome.result
    if opts.as_json:
        print_json(json_document(provider=outcome.provider, model=outcome.model, result=result,
                                 timing=outcome.timing, attempts=outcome.attempts,
                                 parsed=outcome.parsed))
    elif session.structured:
        write_structured(sink, outcome.parsed)
    else:
        write_tail(sink, result)
    _notes(state, opts, session, result)
    return 0


def _print_early_error(opts, selection, exc: RevkaError) -> None:
    from revka_cli.providers.events import ChatResult

    print_json(json_document(provider=selection.provider if selection else opts.provider,
                             model=selection.model if selection else opts.model,
                             result=ChatResult(), timing=None, attempts=[], error=exc))


def _failed(state, opts, session, sink, exc: RevkaError):
    """Show what was kept (JSON with "error", or the partial text's final newline), then re-raise."""
    from revka_cli.providers.events import ChatResult

    partial = exc.partial or ChatResult()
    attempts = exc.attempts
    if opts.as_json:
        print_json(json_document(provider=session.selection.provider, model=session.selection.model,
                                 result=partial, timing=exc.timing, attempts=attempts,
                                 error=exc))
    else:
        sink.finish_line()
    if isinstance(exc, AnswerMismatch) and state.debug:
        sink.debug_raw(exc.raw)
    report_attempts(attempts, state.quiet)
    raise exc


def _notes(state, opts, session, result) -> None:
    if result.finish_reason == "length":
        warn(state, "the answer was cut off by the token limit (finish_reason: length); raise "
             "--max-tokens for more")
    if session.tools and not result.tool_calls:
        warn(state, "the model answered without calling a tool; if it should have, use an "
             "instruction-tuned (-it/-Instruct) model")
    if any(not c.complete for c in result.tool_calls):
        warn(state, "a tool call was cut off before its arguments were complete; do not run it")


def run_repl(state, opts) -> None:
    from revka_cli.cli.commands.chat_repl import repl

    repl(open_session(state, opts), state, opts)


__all__ = ["ChatOptions", "run_one_shot", "run_repl", "open_session", "turn_spec"]
