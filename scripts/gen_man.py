#!/usr/bin/env python3
"""Regenerate the man pages in man/ from the Typer app (run after changing any command):

    man/revka.1, man/revka-chat.1, man/revka-batch.1, man/revka-models.1, man/revka-doctor.1,
    man/revka-config.1, man/revka-completion.1

Names, synopses, descriptions and options come from the click command tree; ENVIRONMENT from
revka_cli.config.env.ENV_VARS and the provider catalog (revka_cli.specs); FILES from
revka_cli.paths; EXIT STATUS from revka_cli.errors.EXIT_CODES. Only the examples are hand-written
(scripts/man_pages_text.py).
tests/test_man_pages.py fails when the pages drift from the app, and runs `groff -man -ww -z`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAN = REPO / "man"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from man_pages_text import EXAMPLES, EXTRA_ENV, FILES_COMPLETION, GENERAL_ENV  # noqa: E402

from revka_cli.cli.surface.spec import children  # noqa: E402

# one page per top-level command of the spec: a new command gets its page
PAGES = tuple(c.name for c in children(""))


_METAVARS = {"<str>": "TEXT", "<float range>": "NUMBER", "<int range>": "INTEGER",
             "<float>": "NUMBER", "<int>": "INTEGER", "<bool>": "BOOLEAN"}
_SPECIAL = {"\u2014": r"\(em", "\u2013": r"\(en", "\u2026": "...", "\u2265": r"\(>=",
            "\u2264": r"\(<=", "\u2192": r"\(->", "\u2018": r"\(oq", "\u2019": r"\(cq",
            "\u201c": r"\(lq", "\u201d": r"\(rq"}


# --- roff --------------------------------------------------------------------------------------------

def esc(text: str) -> str:
    """Plain text to roff: backslashes, hyphens, non-ASCII; a leading '.' or "'" is protected."""
    out = []
    for ch in text.replace("\\", r"\e").replace("-", r"\-"):
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ord(ch) > 127:
            out.append(f"\\[u{ord(ch):04X}]")
        else:
            out.append(ch)
    return _protect("".join(out))


def _protect(line: str) -> str:
    return "\n".join(r"\&" + part if part[:1] in (".", "'") else part for part in line.split("\n"))


def bold(text: str) -> str:
    return rf"\fB{esc(text)}\fR"


def italic(text: str) -> str:
    return rf"\fI{esc(text)}\fR"


def paragraphs(text: str) -> list[str]:
    """Click help text: blank-line separated paragraphs, each re-filled by groff."""
    text = (text or "").split("\f")[0]
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def body(text: str) -> str:
    return "\n.PP\n".join(esc(p) for p in paragraphs(text))


def section(name: str, content: str) -> str:
    return f".SH {name}\n{content.strip()}\n"


# --- the click tree ----------------------------------------------------------------------------------

def root_command():
    import typer

    sys.path.insert(0, str(REPO))
    from revka_cli.cli.app import app

    return typer.main.get_command(app)


def context(cmd, parent, name):
    import typer

    return typer.Context(cmd, parent=parent, info_name=name, **(cmd.context_settings or {}))


def option_entry(param, ctx) -> str:
    names, help_text = param.get_help_record(ctx)
    parts = []
    for piece in names.split(", "):
        flag, _, metavar = piece.partition(" ")
        metavar = _METAVARS.get(metavar, metavar)
        parts.append(bold(flag) + (" " + italic(metavar) if metavar else ""))
    return f".TP\n{', '.join(parts)}\n{esc(' '.join(help_text.split()))}"


def argument_entry(param, ctx) -> str:
    return f".TP\n{italic(param.make_metavar(ctx))}\n{esc(' '.join((param.help or '').split()))}"


def params_block(cmd, ctx, skip_help: bool = False) -> tuple[str, str]:
    """(arguments, options) as .TP lists."""
    args, opts = [], []
    for param in cmd.get_params(ctx):
        if getattr(param, "hidden", False) or (skip_help and param.name == "help"):
            continue
        if param.param_type_name == "argument":
            args.append(argument_entry(param, ctx))
        else:
            opts.append(option_entry(param, ctx))
    return "\n".join(args), "\n".join(opts)


def usage(cmd, ctx) -> str:
    pieces = [bold(ctx.command_path)]
    if ctx.parent is not None:
        pieces = [bold("revka"), "[" + italic("GLOBAL OPTIONS") + "]",
                  bold(ctx.command_path.split(" ", 1)[1])]
    pieces.append("[" + italic("OPTIONS") + "]")
    for param in cmd.get_params(ctx):
        if param.param_type_name == "argument":
            metavar = param.make_metavar(ctx).strip("[]")
            pieces.append(italic(metavar) if param.required else f"[{italic(metavar)}]")
    if getattr(cmd, "commands", None):
        pieces += [italic("COMMAND"), "[" + italic("ARGS") + "]..."]
    return " ".join(pieces)


# --- shared sections ---------------------------------------------------------------------------------

def environment() -> str:
    from revka_cli import specs
    from revka_cli.config.env import ENV_VARS

    rows = [f".TP\n{bold(name)}\n{esc(doc)}" for name, doc in (*ENV_VARS, *EXTRA_ENV)]
    rows.append(".PP\nProvider keys (each used for its own provider only; "
                + esc("--api-key") + " and the config file win over them):")
    for spec in specs.PROVIDERS:
        for var in spec.key_env:
            rows.append(f".TP\n{bold(var)}\n{esc(f'API key for {spec.name} ({spec.id})')}")
    rows.append(".PP\nAlso read:")
    rows += [f".TP\n{bold(name)}\n{esc(doc)}" for name, doc in GENERAL_ENV]
    return "\n".join(rows)


def files(name: str) -> str:
    rows = [
        (r"$REVKA_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/revka/config.toml",
         "the config file (else config.yaml, else config.star, in the same folder: the first that "
         "exists; a config.star is Starlark, read with the revka[star] extra; --config PATH "
         "overrides them all). No file at all is valid: revka then talks to Ollama at "
         "http://localhost:11434."),
        (r"$REVKA_CACHE_DIR, else ${XDG_CACHE_HOME:-~/.cache}/revka",
         "the model catalog cache (written by 'revka models refresh' and 'revka doctor models'); "
         "models-index.json in it is the plain index shell completion reads."),
    ]
    if name == "completion":
        rows += FILES_COMPLETION
    return "\n".join(f".TP\n{italic(path)}\n{esc(doc)}" for path, doc in rows)


def exit_status() -> str:
    from revka_cli.errors import EXIT_CODES

    return "\n".join(f".TP\n{bold(str(code))}\n{esc(meaning)}" for code, meaning in EXIT_CODES)


def examples(name: str) -> str:
    blocks = []
    for text, command in EXAMPLES[name]:
        lines = "\n".join(esc(line) for line in command.split("\n"))
        blocks.append(f".PP\n{esc(text)}\n.PP\n.RS 4\n.nf\n{lines}\n.fi\n.RE")
    return "\n".join(blocks)


def see_also(name: str) -> str:
    pages = ["revka", *(f"revka-{p}" for p in PAGES)]
    refs = [rf"\fB{esc(p)}\fR(1)" for p in pages if p != (f"revka-{name}" if name else "revka")]
    return ",\n".join(refs)


# --- pages -------------------------------------------------------------------------------------------

def header(page: str, summary: str, version: str) -> str:
    return (f'.\\" Generated by scripts/gen_man.py from the revka app; do not edit.\n'
            f'.TH {page.upper()} 1 "" "revka {version}" "User Commands"\n'
            f".SH NAME\n{esc(page)} \\- {esc(summary)}\n")


def first_sentence(text: str) -> str:
    first = paragraphs(text)[0] if paragraphs(text) else ""
    sentence = first.split(". ")[0].rstrip(".")
    return sentence[:1].lower() + sentence[1:]


def render_root(root, version: str) -> str:
    ctx = context(root, None, "revka")
    _, options = params_block(root, ctx)
    commands = []
    for name, sub in sorted(root.commands.items()):
        summary = paragraphs(sub.help)[0] if paragraphs(sub.help) else ""
        commands.append(f".TP\n{bold(name)}\n{esc(summary)} See " + rf"\fBrevka\-{esc(name)}\fR(1).")
    parts = [
        header("revka", first_sentence(root.help), version),
        section("SYNOPSIS", usage(root, ctx)),
        section("DESCRIPTION", body(root.help) + "\n.PP\nErrors are one line on stderr, "
                + esc("`revka: error: ...`, followed by a `hint:` line that says how to fix it. "
                      "Tracebacks appear only with --debug.")),
        section("OPTIONS", "These global options go before the command.\n" + options),
        section("COMMANDS", "\n".join(commands)),
        section("ENVIRONMENT", environment()),
        section("FILES", files("")),
        section("EXIT STATUS", "Every command uses the same table:\n" + exit_status()),
        section("EXAMPLES", examples("")),
        section("SEE ALSO", see_also("")),
    ]
    return "".join(parts)


def render_command(root, name: str, version: str) -> str:
    root_ctx = context(root, None, "revka")
    cmd = root.commands[name]
    ctx = context(cmd, root_ctx, name)
    _, global_options = params_block(root, root_ctx, skip_help=True)
    page = f"revka-{name}"
    subs = sorted(getattr(cmd, "commands", {}).items())
    synopsis = "\n.br\n".join(usage(sub, context(sub, ctx, sub_name)) for sub_name, sub in subs) \
        if subs else usage(cmd, ctx)
    parts = [header(page, first_sentence(cmd.help), version),
             section("SYNOPSIS", synopsis),
             section("DESCRIPTION", body(cmd.help))]
    arguments, options = params_block(cmd, ctx)
    if subs:
        blocks = []
        for sub_name, sub in subs:
            sub_ctx = context(sub, ctx, sub_name)
            sub_args, sub_opts = params_block(sub, sub_ctx)
            block = [f".SS {esc(f'revka {name} {sub_name}')}", body(sub.help)]
            if sub_args:
                block += [".PP\nArguments:", sub_args]
            block += [".PP\nOptions:", sub_opts]
            blocks.append("\n".join(block))
        parts.append(section("COMMANDS", "\n".join(blocks)))
    elif arguments:
        parts.append(section("ARGUMENTS", arguments))
    own = options if not subs else options + "\n.PP\nEach command above also takes " \
        + bold("--help") + "."
    parts.append(section("OPTIONS", own + "\n.PP\nGlobal options, given before "
                         + esc(name) + " (see " + r"\fBrevka\fR(1)):" + "\n" + global_options))
    parts += [section("ENVIRONMENT", environment()),
              section("FILES", files(name)),
              section("EXIT STATUS", exit_status()),
              section("EXAMPLES", examples(name)),
              section("SEE ALSO", see_also(name))]
    return "".join(parts)


def generate() -> dict[Path, str]:
    """{path: roff} for every page."""
    root = root_command()
    from revka_cli import __version__

    pages = {MAN / "revka.1": render_root(root, __version__)}
    for name in PAGES:
        pages[MAN / f"revka-{name}.1"] = render_command(root, name, __version__)
    return pages


if __name__ == "__main__":
    MAN.mkdir(exist_ok=True)
    for path, text in generate().items():
        path.write_text(text)
        print(f"wrote {path.relative_to(REPO)}")
