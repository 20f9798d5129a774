"""Glue for `revka chat`: options -> config, selection, request -> provider chain -> output."""

from __future__ import annotations

from revka_cli.cli.commands.chat_output import (
    TerminalSink, json_document, print_json, report_attempts, write_tail,
)
from revka_cli.cli.output import warn
from revka_cli.errors import Interrupted, RevkaError, UsageError


def __getattr__(name: str):
    if name == "ChatOptions":  # the chat options record, made from the command spec
        from revka_cli.cli.surface.options import record_class

        return record_class("chat")
    raise AttributeError(name)


class Session:
    """Config, selection and HTTP client shared by one-shot runs and REPL turns."""

    def __init__(self, state, opts) -> None:
        from revka_cli.catalog.lookup import cached_catalogs  # the local cache, never the network
        from revka_cli.config import require_config
        from revka_cli.providers.selection import select

        self.state, self.opts = state, opts
        loaded = require_config(state.config_path)
        for problem in loaded.warnings:
            warn(state, problem.format())
        self.cfg = loaded.config
        self.selection = select(self.cfg, provider_flag=opts.provider, model_flag=opts.model,
                                catalogs=cached_catalogs(self.cfg))
        self.tools = ()
        if opts.tools:
            from revka_cli.providers.request import load_tools

            self.tools = load_tools(opts.tools)

    def load_images(self, refs: list[str]):
        from revka_cli.providers.images import limit_images, load_image

        mm = self.cfg.multimodal
        images = [load_image(r, max_bytes=int(mm.max_image_size_mb * 1_000_000),
                             allow_remote=mm.allow_remote_fetch, fetch=_fetch_image) for r in refs]
        kept, dropped = limit_images(images, mm.max_images)
        if dropped:
            warn(self.state, f"dropped the {dropped} oldest image(s): max_images is {mm.max_images}")
        return kept

    def request_factory(self, messages):
        from revka_cli.cli.surface.options import request_fields
        from revka_cli.providers.request import ChatRequest

        cfg, opts = self.cfg, self.opts
        rt = cfg.runtime
        passed = {dest: getattr(opts, field) for field, dest in request_fields("chat").items()}

        def build(model: str) -> ChatRequest:
            return ChatRequest(model=model, messages=tuple(messages), system=opts.system,
                               temperature=opts.temperature if opts.temperature is not None
                               else cfg.default_temperature,
                               max_tokens=opts.max_tokens or cfg.provider_max_tokens,
                               stream=not opts.no_stream, tools=self.tools,
                               reasoning_enabled=rt.reasoning_enabled,
                               reasoning_effort=rt.reasoning_effort, **passed)
        return build

    def window(self) -> int | None:
        """The declared window (models.custom) first, then the catalog cache's."""
        from revka_cli.catalog.lookup import context_window

        return context_window(self.cfg, self.selection.provider, self.selection.model)

    def check_context(self, messages) -> None:
        window = self.window()
        if not window:
            return
        from revka_cli.providers.gateway_errors import CONTEXT_HINT, fewest_tokens

        chars = sum(len(m.content) for m in messages) + len(self.opts.system or "")
        floor = fewest_tokens(chars)
        budget = floor + (self.opts.max_tokens or self.cfg.provider_max_tokens or 0)
        if budget > window:  # refuse only what surely cannot fit; the server judges the rest
            raise UsageError(f"prompt is at least {floor} tokens; {self.selection.model} has a "
                             f"{window}-token window", CONTEXT_HINT)

    def send(self, messages, sink):
        from revka_cli.providers.chain import Budget, run_chat
        from revka_cli.transport.http import HttpClient
        from revka_cli.transport.policy import RetryPolicy

        rel = self.cfg.reliability
        budget = Budget(self.cfg, self.selection.provider, self.opts.timeout)
        retry = RetryPolicy(rel.provider_retries, rel.provider_backoff_ms)
        with HttpClient(None, retry, on_retry=lambda a: warn(
                self.state, f"{a.error}; retrying in {a.retry_in:.1f}s")) as client:
            return run_chat(self.cfg, self.selection, self.request_factory(messages), client, sink,
                            budget=budget, flag_key=self.opts.api_key,
                            on_warning=lambda m: warn(self.state, m))


def _fetch_image(url: str, max_bytes: int) -> bytes:
    from revka_cli.transport.http import HttpClient
    from revka_cli.transport.answers import check_status, read_body

    with HttpClient() as client:
        stream = client.open_stream("GET", url, {"Accept": "image/*"})
        check_status(stream)
        return read_body(stream, limit=max_bytes + 1)


def run_one_shot(state, opts, text: str) -> int:
    from revka_cli.providers.images import extract_markers
    from revka_cli.providers.request import Message

    session = None
    try:
        session = Session(state, opts)
        clean, refs = extract_markers(text)
        images = session.load_images(refs + opts.images)
        messages = [Message("user", clean, tuple(images))]
        session.check_context(messages)
    except RevkaError as exc:  # nothing was sent; --json still answers with a document
        if opts.as_json:
            _print_early_error(opts, session.selection if session else None, exc)
        raise
    sink = TerminalSink(show_reasoning=opts.show_reasoning, json_mode=opts.as_json, quiet=state.quiet,
                        raw=opts.raw)
    try:
        outcome = session.send(messages, sink)
    except KeyboardInterrupt:  # between attempts; during one, it arrives as Interrupted
        return _failed(state, opts, session, sink, Interrupted("interrupted"))
    except RevkaError as exc:
        return _failed(state, opts, session, sink, exc)
    result = outcome.result
    if opts.as_json:
        print_json(json_document(provider=outcome.provider, model=outcome.model, result=result,
                                 timing=outcome.timing, attempts=outcome.attempts))
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

    partial = getattr(exc, "partial", None) or ChatResult()
    attempts = getattr(exc, "attempts", [])
    if opts.as_json:
        print_json(json_document(provider=session.selection.provider, model=session.selection.model,
                                 result=partial, timing=getattr(exc, "timing", None), attempts=attempts,
                                 error=exc))
    else:
        sink.finish_line()
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

    repl(Session(state, opts), state, opts)


__all__ = ["ChatOptions", "run_one_shot", "run_repl", "Session"]
