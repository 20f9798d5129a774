"""`revka chat`: one-shot prompts for scripts, and a small REPL on a terminal."""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from revka_cli.cli.completion import complete_model, complete_path, complete_provider
from revka_cli.cli.state import get_state
from revka_cli.errors import UsageError

MAX_PROMPT_BYTES = 8 * 1024 * 1024


def read_stdin(stream=None) -> str | None:
    """Piped stdin as text (None on a terminal). Binary or huge input is a usage error."""
    stream = sys.stdin if stream is None else stream
    if stream is None or stream.isatty():
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


def chat(
    ctx: typer.Context,
    prompt: Optional[str] = typer.Argument(None, help="The prompt. Piped stdin is appended to it."),
    provider: Optional[str] = typer.Option(None, "--provider", "-p", autocompletion=complete_provider,
                                           help="Provider id, alias, custom:<url> or "
                                           "anthropic-custom:<url>."),
    model: Optional[str] = typer.Option(None, "--model", "-m", autocompletion=complete_model,
                                        help="Model, bare or provider/name."),
    system: Optional[str] = typer.Option(None, "--system", "-s", help="System prompt."),
    temperature: Optional[float] = typer.Option(None, "--temperature", min=0.0, max=2.0,
                                                help="Sampling temperature (0-2)."),
    max_tokens: Optional[int] = typer.Option(None, "--max-tokens", min=1,
                                             help="Answer length limit (default provider_max_tokens)."),
    no_stream: bool = typer.Option(False, "--no-stream", help="Wait for the whole answer."),
    image: List[str] = typer.Option([], "--image", metavar="PATH|URL", autocompletion=complete_path,
                                    help="Attach an image (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of text."),
    show_reasoning: bool = typer.Option(False, "--show-reasoning",
                                        help="Print the model's reasoning on stderr."),
    tools: Optional[str] = typer.Option(None, "--tools", metavar="FILE", autocompletion=complete_path,
                                        help="JSON list of OpenAI-style function definitions."),
    api_key: Optional[str] = typer.Option(None, "--api-key", help="API key for this call "
                                          "(prefer env vars: command lines are visible to others)."),
    timeout: Optional[float] = typer.Option(None, "--timeout", min=0.001,
                                            help="Overall timeout in seconds."),
) -> None:
    """Send a prompt and stream the answer to stdout."""
    from revka_cli.cli.chat_run import ChatOptions, run_one_shot, run_repl

    state = get_state(ctx)
    opts = ChatOptions(provider, model, system, temperature, max_tokens, not no_stream, list(image),
                       as_json, show_reasoning, tools, api_key, timeout)
    stdin_text = read_stdin()
    if prompt is None and stdin_text is None:
        if sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty() and not as_json:
            run_repl(state, opts)
            return
        raise UsageError("nothing to send: give a prompt or pipe text on stdin",
                         'revka chat "your question" (or: cat notes.txt | revka chat "summarise")')
    text = compose_prompt(prompt, stdin_text)
    if not text.strip() and not image:
        raise UsageError("the prompt is empty", 'revka chat "your question"')
    code = run_one_shot(state, opts, text)
    if code:
        raise typer.Exit(code)
