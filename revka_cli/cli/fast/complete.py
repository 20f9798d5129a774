"""Shell completion without importing typer: every `_REVKA_COMPLETE` request is answered here.

Every TAB press runs revka, so `revka_cli.cli.entry` hands these requests here before anything
else (the Typer app does the same when run directly). The scripts in completions/ (generated from
`commands.completion_scripts`) send the words: bash its COMP_WORDS/COMP_CWORD, zsh and fish the
line up to the cursor in `_TYPER_COMPLETE_ARGS`. `complete_words.resolve` finds the candidates
(subcommands, option names, model/provider names, choices) in the table generated from the
command spec (`generated/completetable.py`), and they are printed as each script expects.
Imports: os and sys here, shlex only for quoted words, the catalog only for model names.
"""

from __future__ import annotations

import os
import sys

SHELLS = ("bash", "zsh", "fish")
# bash's default COMP_WORDBREAKS; of its characters only ':' and '=' occur inside words revka
# completes (llama3.2:3b, custom:http://host:8080/v1, --model=NAME)
DEFAULT_WORDBREAKS = " \t\n\"'><=;|&(:"
IN_WORD_BREAKS = ":="


def split_args(text: str) -> list[str]:
    """Split a command line as a POSIX shell would, keeping a trailing unfinished quote or escape
    (shlex's posix rule, which click's `split_arg_string` applies, without importing shlex and
    so `re`)."""
    if not any(c in text for c in "\"'\\"):  # nothing to unquote
        return [w for w in text.replace("\t", " ").replace("\r", " ").replace("\n", " ").split(" ")
                if w]
    words: list[str] = []
    word: list[str] = []
    quote, started, i = None, False, 0
    while i < len(text):
        c = text[i]
        if c == "\\" and quote != "'" and i + 1 == len(text):
            started = True  # an unfinished escape: the word so far
            break
        if quote == "'":
            quote, word = (None, word) if c == "'" else (quote, [*word, c])
        elif quote == '"' and c == '"':
            quote = None
        elif quote == '"' and c == "\\" and text[i + 1] in '"\\':
            i += 1
            word.append(text[i])
        elif quote == '"':
            word.append(c)
        elif c in " \t\r\n":
            if started:
                words.append("".join(word))
            word, started = [], False
        elif c == "\\":
            i += 1
            word.append(text[i])
            started = True
        elif c in "'\"":
            quote, started = c, True
        else:
            word.append(c)
            started = True
        i += 1
    if started:
        words.append("".join(word))
    return words


# --- the request: (args, incomplete) as each shell's script sends it --------------------------

class BashRequest:
    """What bash asked for. bash splits words at COMP_WORDBREAKS, so `llama3.2:3` arrives as
    `llama3.2`, `:`, `3`, and readline replaces only the text after the last break character. The
    words are re-joined here (a word made only of break characters glues its neighbours), and
    `reply` cuts each candidate back to the part bash replaces."""

    def __init__(self, env) -> None:
        breaks = env.get("COMP_WORDBREAKS")
        breaks = DEFAULT_WORDBREAKS if breaks is None else breaks
        self.breaks = "".join(c for c in IN_WORD_BREAKS if c in breaks)
        words = split_args(env.get("COMP_WORDS", ""))
        try:
            cword = int(env.get("COMP_CWORD") or 0)
        except ValueError:
            cword = len(words)
        merged: list[str] = []
        glue = False
        for word in words[:cword + 1]:
            is_break = bool(word) and bool(self.breaks) and not word.strip(self.breaks)
            if merged and (is_break or glue):
                merged[-1] += word
            else:
                merged.append(word)
            glue = is_break
        self.current = merged.pop() if cword < len(words) and merged else ""
        self.args = merged[1:]
        # what readline replaces: the text after the last break character in the current word
        self.cut = max((self.current.rfind(c) + 1 for c in self.breaks), default=0)

    def reply(self, value: str) -> str | None:
        """The candidate as bash must insert it, or None when it does not fit the typed prefix."""
        word = self.current
        if word == "=":
            head = "="
        elif "=" in word and word.startswith("-"):
            head = word[:word.index("=") + 1]  # click completes the value of --opt=value
        else:
            head = ""
        full = head + value
        if full[:self.cut].lower() != word[:self.cut].lower():
            return None
        return full[self.cut:]


def line_request(text: str) -> tuple[list[str], str]:
    """zsh and fish send the line up to the cursor (_TYPER_COMPLETE_ARGS)."""
    words = split_args(text)
    args = words[1:]
    if args and not text.endswith(" "):
        return args[:-1], args[-1]
    return args, ""


# --- formatting, shared with the typer shell classes -------------------------------------------

def zsh_escape(text: str) -> str:
    return (text.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`")
            .replace(":", r"\\:"))


def zsh_item(value: str, help_text: str | None = None) -> str:
    if help_text:
        return f'"{zsh_escape(value)}":"{zsh_escape(help_text)}"'
    return f'"{zsh_escape(value)}"'


def zsh_reply(items: list[str]) -> str:
    if not items:
        return "_files"
    body = "\n".join(items)
    return f"_arguments '*: :(({body}))'"


def fish_item(value: str, help_text: str | None = None) -> str:
    if help_text:
        return f"{value}\t{' '.join(help_text.split())}"
    return value


def _reply(shell: str, env, request, items: list) -> tuple[int, str]:
    """(exit status, text) in the format each script in completions/ reads: bash one inserted
    word a line, zsh a command to eval (`_files` when there is nothing), fish value<TAB>help
    lines. No candidates: every script completes file names."""
    if shell == "bash":
        return 0, "\n".join(r for r in (request.reply(v) for v, _ in items) if r is not None)
    if shell == "zsh":
        return 0, zsh_reply([zsh_item(v, h) for v, h in items])
    action = env.get("_TYPER_COMPLETE_FISH_ACTION", "")
    if action == "is-args":
        return (0 if items else 1), None
    return 0, "\n".join(fish_item(v, h) for v, h in items) if action == "get-args" else ""


def answer(env=None, out=None) -> int:
    """Answer a `_REVKA_COMPLETE` request (`complete_<shell>`, or `source_<shell>` for the
    script) and return the exit status: 1, printing nothing, for anything else."""
    env = os.environ if env is None else env
    instruction, _, shell = env.get("_REVKA_COMPLETE", "").partition("_")
    out = sys.stdout if out is None else out
    if shell not in SHELLS or instruction not in ("complete", "source"):
        return 1
    if instruction == "source":
        from revka_cli.cli.commands.completion_scripts import script

        code, text = 0, script(shell)
    else:
        from revka_cli.cli.fast.complete_words import resolve
        from revka_cli.cli.generated.completetable import COMMANDS

        request = BashRequest(env) if shell == "bash" else None
        if request is not None:
            args, incomplete = request.args, request.current
        else:
            args, incomplete = line_request(env.get("_TYPER_COMPLETE_ARGS", ""))
        try:
            items = resolve(COMMANDS, args, incomplete)
        except Exception:  # noqa: BLE001 - a TAB press never fails: the shell completes files
            items = []
        code, text = _reply(shell, env, request, items)
    if text is not None:
        out.write(text + "\n")
        out.flush()
    return code
