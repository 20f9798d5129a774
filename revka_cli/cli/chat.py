"""`revka chat`: one-shot prompts for scripts, and a small REPL on a terminal."""

from __future__ import annotations

from typing import List, Optional

import typer

from revka_cli.cli.chat_command import run_chat_command
from revka_cli.cli.completion import complete_model, complete_path, complete_provider
from revka_cli.cli.number_flags import check_count, check_seconds, check_temperature
from revka_cli.cli.state import get_state


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
                                                callback=check_temperature,
                                                help="Sampling temperature (0-2)."),
    max_tokens: Optional[int] = typer.Option(None, "--max-tokens", min=1, callback=check_count,
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
    timeout: Optional[float] = typer.Option(None, "--timeout", min=0.001, callback=check_seconds,
                                            help="Overall timeout in seconds."),
) -> None:
    """Send a prompt and stream the answer to stdout."""
    from revka_cli.cli.chat_run import ChatOptions

    opts = ChatOptions(provider, model, system, temperature, max_tokens, not no_stream, list(image),
                       as_json, show_reasoning, tools, api_key, timeout)
    code = run_chat_command(get_state(ctx), opts, prompt)
    if code:
        raise typer.Exit(code)
