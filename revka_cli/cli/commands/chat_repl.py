"""The interactive chat loop: keeps the conversation and the session's settings; /exit, /model,
/system, /schema, /option, /clear."""

from __future__ import annotations

import sys

from revka_cli.cli.commands.chat_output import TerminalSink, write_structured, write_tail
from revka_cli.cli.output import err, report_error
from revka_cli.errors import Interrupted, RevkaError

HELP = ("commands: /exit, /model NAME, /models, /system TEXT, /schema FILE|JSON|off, "
        "/option KEY=VALUE, /clear, /help")


def trim_history(messages: list, window: int | None, reserve: int) -> list:
    """Drop the oldest turns (user+assistant pairs) until the estimate fits the window."""
    if not window:
        return messages
    kept = list(messages)
    while len(kept) > 1 and sum(len(m.content) for m in kept) // 4 + reserve > window:
        kept = kept[2:] if len(kept) > 2 else kept[1:]
    return kept


def _command(line: str, session, history: list) -> bool:
    """Handle a /command; False means leave the loop."""
    name, _, arg = line.partition(" ")
    arg = arg.strip()
    if name in ("/exit", "/quit"):
        return False
    if name == "/clear":
        history.clear()
        err("revka: conversation cleared")
    elif name == "/system":
        session.set_system(arg)
        err(f"revka: system prompt {'set' if arg else 'cleared'}")
    elif name == "/model" and arg:
        session.use_model(arg)
        err(f"revka: now using {session.selection.qualified}")
    elif name == "/model":
        err(f"revka: using {session.selection.qualified}")
    elif name == "/models":
        _list_models(session)
    elif name in ("/schema", "/option"):
        _setting(name, arg, session)
    else:
        err(f"revka: {HELP}")
    return True


def _list_models(session) -> None:
    """The cached and declared models (as `models list` knows them, no network), one
    `provider/model` per line, the one in use marked with `*`."""
    from revka_cli.cli.environment import current
    from revka_cli.textsafe import visible

    catalogs = session.facts.names()
    if not catalogs:
        err("revka: no cached models; run 'revka models refresh' (models.custom entries show too)")
        return
    out, using = current().stdout, session.selection.qualified
    for provider in sorted(catalogs):
        for model in catalogs[provider]:
            name = f"{provider}/{model}"
            out.write(f"{'*' if name == using else ' '} {visible(name)}\n")
    out.flush()


def _setting(name: str, arg: str, session) -> None:
    """/schema FILE|JSON (off: plain answers) and /option KEY=VALUE (alone: list them)."""
    try:
        if name == "/schema" and arg in ("", "off"):
            session.set_schema(None)
            err("revka: answers are plain text again")
        elif name == "/schema":
            from revka_cli.chat.structured import load_schema

            session.set_schema(load_schema(arg))
            err("revka: answers must match the schema")
        elif arg:
            from revka_cli.chat.options import parse_option

            session.set_option(*parse_option(arg))
            err(f"revka: option {arg.partition('=')[0].strip()} set")
        else:
            shown = ", ".join(f"{k}={v!r}" for k, v in session.spec.options.items()) or "none"
            err(f"revka: options: {shown}")
    except RevkaError as exc:
        report_error(exc.message, exc.hint)


def repl(session, state, opts) -> None:
    from revka_cli.providers.request import Message

    history: list = []
    err(f"revka: chatting with {session.selection.qualified}; {HELP}")
    while True:
        try:
            line = input("> ")
        except (EOFError, KeyboardInterrupt):
            sys.stdout.write("\n")
            return
        if not line.strip():
            continue
        if line.startswith("/"):
            if not _command(line.strip(), session, history):
                return
            continue
        history.append(Message("user", line))
        window = session.window()
        history[:] = trim_history(history, window, session.reserve())
        sink = TerminalSink(show_reasoning=opts.show_reasoning, json_mode=False, quiet=state.quiet,
                            raw=opts.raw, structured=session.structured,
                            stream=not opts.no_stream)
        try:
            outcome = session.send(history, sink)
        except (KeyboardInterrupt, Interrupted):
            sink.finish_line()
            history.pop()
            continue
        except RevkaError as exc:
            sink.finish_line()
            report_error(exc.message, exc.hint)
            history.pop()
            continue
        if session.structured:
            write_structured(sink, outcome.parsed)
        else:
            write_tail(sink, outcome.result)
        history.append(Message("assistant", outcome.result.text))
