"""The body of `revka chat`, without typer: shared by the Typer command and the fast path."""

from __future__ import annotations

from revka_cli.cli.environment import current
from revka_cli.errors import UsageError

MAX_PROMPT_BYTES = 8 * 1024 * 1024


def read_stdin(stream=None) -> str | None:
    """Piped stdin as text (None on a terminal). Binary or huge input is a usage error."""
    env = current()
    stream = env.stdin if stream is None else stream
    if stream is None or (env.stdin_isatty if stream is env.stdin else stream.isatty()):
        return None
    raw = getattr(stream, "buffer", stream).read(MAX_PROMPT_BYTES + 1)
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    if len(raw) > MAX_PROMPT_BYTES:
        raise UsageError(f"stdin is larger than {MAX_PROMPT_BYTES // (1024 * 1024)} MB",
                         "send a smaller excerpt, or split the input")
    if b"\x00" in raw:
        raise UsageError("stdin looks binary (it contains NUL bytes)", "pipe text, or pass images "
                         "with --image")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"stdin is not valid UTF-8 (byte {exc.start})", "convert it to UTF-8 "
                         "first, e.g. with iconv") from None


def compose_prompt(prompt: str | None, stdin_text: str | None) -> str:
    if prompt and stdin_text:
        return f"{prompt}\n\n{stdin_text}"
    return prompt or stdin_text or ""


def wants_repl(prompt: str | None) -> bool:
    """No prompt on a terminal: the interactive REPL (stdin untouched)."""
    env = current()
    return prompt is None and env.stdin is not None and env.stdin_isatty and env.stdout_isatty


def run_chat_command(state, opts, prompt: str | None) -> int:
    """One-shot chat (or the REPL on a terminal); the exit code, or a raised RevkaError."""
    from revka_cli.cli.commands.chat_run import run_one_shot, run_repl

    if wants_repl(prompt) and not opts.as_json:
        run_repl(state, opts)
        return 0
    stdin_text = read_stdin()
    if prompt is None and stdin_text is None:
        raise UsageError("nothing to send: give a prompt or pipe text on stdin",
                         'revka chat "your question" (or: cat notes.txt | revka chat "summarise")')
    text = compose_prompt(prompt, stdin_text)
    if not text.strip() and not opts.images:
        raise UsageError("the prompt is empty", 'revka chat "your question"')
    return run_one_shot(state, opts, text)


def chat(state, opts) -> int:
    """The body of `revka chat` (Typer and the fast path alike)."""
    return run_chat_command(state, opts, opts.prompt)
