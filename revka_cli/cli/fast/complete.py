"""Shell completion of model and provider names without importing typer.

Every TAB press runs revka, so `revka_cli.cli.entry` hands `_REVKA_COMPLETE` requests here first.
When the word under the cursor is the value of a model option (`--model`/`-m`, `models set NAME`)
or a provider option (`--provider`/`-p`), the answer comes straight from `catalog.complete` (the
plain cache index and the config file), printed in the exact format of the typer/click protocol
that `revka_cli.cli.commands.completion`'s shell classes print. Anything else (command and option names,
`--`, unusual spellings) returns None and goes to Typer. Which option of which command completes
what is read from `completetable`, generated from the Typer app by scripts/gen_completions.py.

The word handling and formatting below are also used by those typer shell classes, so the two
paths cannot disagree. Imports: os and sys here, shlex and the catalog only when answering.
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
    (the same rule click's `split_arg_string` applies, so both paths see the same words)."""
    if not any(c in text for c in "\"'\\"):  # nothing to unquote: shlex (and re) not needed
        return [w for w in text.replace("\t", " ").replace("\r", " ").replace("\n", " ").split(" ")
                if w]
    import shlex

    lex = shlex.shlex(text, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    words: list[str] = []
    try:
        for token in lex:
            words.append(token)
    except ValueError:  # unfinished quote or escape: keep the partial word
        words.append(lex.token)
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


# --- which value is being completed -------------------------------------------------------------

def _target(table: dict, args: list[str], incomplete: str):
    """(kind, value, config_path) when the word is a model or provider value, else None.
    Mirrors click's `_resolve_context` / `_resolve_incomplete` for the shapes handled here."""
    if "--" in args:
        return None
    key, node, config, positional = "", table[""], None, 0
    i, n = 0, len(args)
    while i < n:
        arg = args[i]
        if arg.startswith("-"):
            name, eq, value = arg.partition("=")
            if eq and name.startswith("--") and name in node["options"]:
                config = value if (key, name) == ("", "--config") else config
                i += 1
            elif arg in node["options"]:
                if i + 1 == n:
                    break  # the last arg is an option waiting for its value
                if args[i + 1].startswith("-"):
                    return None
                config = args[i + 1] if (key, arg) == ("", "--config") else config
                i += 2
            elif arg in node["flags"]:
                i += 1
            else:
                return None  # combined short flags, attached values, unknown options
            continue
        if node["commands"]:
            if arg not in node["commands"]:
                return None
            key = f"{key} {arg}".strip()
            node, positional = table[key], 0
        else:
            positional += 1
        i += 1
    if incomplete == "=":
        incomplete = ""
    elif "=" in incomplete and incomplete.startswith("-"):
        name, _, incomplete = incomplete.partition("=")
        args = [*args, name]
    if incomplete.startswith("-"):
        return None  # option names: typer
    last = args[-1] if args else ""
    if last.startswith("-"):
        if last in node["options"]:
            kind = node["options"][last]
            return (kind, incomplete, config) if kind else None
        if last not in node["flags"]:
            return None
    if node["commands"] or positional >= len(node["args"]):
        return None
    kind = node["args"][positional]
    return (kind, incomplete, config) if kind else None


def candidates(kind: str, incomplete: str, config_path: str | None) -> list[str]:
    from revka_cli.catalog.complete import model_candidates, provider_candidates

    found = (model_candidates if kind == "model" else provider_candidates)(incomplete, config_path)
    return [c for c in found if c.startswith(incomplete)]  # as typer filters autocompletion


def answer(env=None, out=None) -> int | None:
    """Answer a `_REVKA_COMPLETE=complete_<shell>` request and return the exit status, or None
    to let Typer answer it."""
    env = os.environ if env is None else env
    action, _, shell = env.get("_REVKA_COMPLETE", "").partition("_")
    if action != "complete" or shell not in SHELLS:
        return None
    try:
        from revka_cli.cli.generated.completetable import COMMANDS

        if shell == "bash":
            request = BashRequest(env)
            args, incomplete = request.args, request.current
        else:
            args, incomplete = line_request(env.get("_TYPER_COMPLETE_ARGS", ""))
        target = _target(COMMANDS, args, incomplete)
        if target is None:
            return None
        values = candidates(*target)
    except Exception:  # noqa: BLE001 - Typer answers whatever this cannot
        return None
    out = sys.stdout if out is None else out
    if shell == "bash":
        lines = [r for r in map(request.reply, values) if r is not None]
        text = "\n".join(lines)
    elif shell == "zsh":
        text = zsh_reply([zsh_item(v) for v in values])
    else:
        action = env.get("_TYPER_COMPLETE_FISH_ACTION", "")
        if action == "is-args":
            return 0 if values else 1
        text = "\n".join(fish_item(v) for v in values) if action == "get-args" else ""
    out.write(text + "\n")
    out.flush()
    return 0
