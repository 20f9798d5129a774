"""`revka completion bash|zsh|fish|install`, and the shell classes behind `_REVKA_COMPLETE`.

The scripts are revka's own. Each one is a thin shell function that runs revka with the variables
of the typer/click completion protocol (`_REVKA_COMPLETE=complete_<shell>` plus COMP_WORDS and
COMP_CWORD for bash, `_TYPER_COMPLETE_ARGS` for zsh and fish), so commands, options and values are
completed by the installed revka itself and never go stale. Model and provider names are answered
by `fastcomplete` without importing typer; everything else by the classes registered here.

When revka has no candidates (a file option such as --config, --image, --tools, or a word nothing
matches), every script falls back to the shell's own file-name completion.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from revka_cli.cli import fastcomplete
from revka_cli.cli.output import out
from revka_cli.errors import ConfigError, UsageError

PROG = "revka"
COMPLETE_VAR = "_REVKA_COMPLETE"
SHELLS = fastcomplete.SHELLS
GENERATED = "Generated from the revka app by scripts/gen_completions.py (`revka completion {shell}`)."

BASH_SCRIPT = r"""# bash completion for revka                                -*- shell-script -*-
# @GENERATED@
# Candidates come from revka itself (the _REVKA_COMPLETE protocol): commands and options from the
# installed version, model names from its on-disk catalog (never the network). Names with ':' work
# whatever COMP_WORDBREAKS holds; with no candidates bash completes file names (-o default).

_revka_completion() {
    local IFS=$'\n' line
    COMPREPLY=()
    while IFS= read -r line; do
        [[ -n $line ]] && COMPREPLY+=("$line")
    done < <(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD="$COMP_CWORD" \
                 COMP_WORDBREAKS="$COMP_WORDBREAKS" _REVKA_COMPLETE=complete_bash "$1" 2>/dev/null)
    # a provider prefix (custom:) or a folder-like name (custom/) is not finished yet
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[:/] ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

complete -o default -F _revka_completion revka
"""

ZSH_SCRIPT = r"""#compdef revka
# zsh completion for revka
# @GENERATED@
# Candidates come from revka itself (the _REVKA_COMPLETE protocol): commands and options from the
# installed version, model names from its on-disk catalog (never the network). With no
# candidates, zsh completes file names.

_revka() {
  local reply
  reply="$(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _REVKA_COMPLETE=complete_zsh \
           "${words[1]}" 2>/dev/null)"
  if [[ -n $reply ]]; then
    eval "$reply"
  else
    _files
  fi
}

# autoloaded from $fpath: complete now; sourced: register the function
if [[ $funcstack[1] == _revka ]]; then
  _revka "$@"
else
  compdef _revka revka
fi
"""

FISH_SCRIPT = r"""# fish completion for revka
# @GENERATED@
# Candidates come from revka itself (the _REVKA_COMPLETE protocol): commands and options from the
# installed version, model names from its on-disk catalog (never the network). With no
# candidates, fish completes file names.

function __revka_complete
    set -l cmd (commandline -opc)[1]
    set -l reply (env _REVKA_COMPLETE=complete_fish _TYPER_COMPLETE_FISH_ACTION=get-args \
        _TYPER_COMPLETE_ARGS=(commandline -cp) $cmd 2>/dev/null | string match -v '')
    if test (count $reply) -gt 0
        printf '%s\n' $reply
    else
        __fish_complete_path (commandline -ct)
    end
end

complete -c revka -f -a '(__revka_complete)'
"""

_SCRIPTS = {"bash": BASH_SCRIPT, "zsh": ZSH_SCRIPT, "fish": FISH_SCRIPT}
FILE_NAMES = {"bash": "revka.bash", "zsh": "_revka", "fish": "revka.fish"}


def script(shell: str) -> str:
    return _SCRIPTS[shell].replace("@GENERATED@", GENERATED.format(shell=shell))


# --- completion callbacks (the cache and the config only, never the network) -------------------

def _config_flag(ctx) -> str | None:
    try:
        return ctx.find_root().params.get("config")
    except AttributeError:
        return None


def complete_model(ctx: typer.Context, incomplete: str) -> list[str]:
    return fastcomplete.candidates("model", incomplete, _config_flag(ctx))


def complete_provider(ctx: typer.Context, incomplete: str) -> list[str]:
    return fastcomplete.candidates("provider", incomplete, _config_flag(ctx))


def complete_path(incomplete: str) -> list[str]:
    """No candidates: every revka completion script then completes file names."""
    return []


def complete_shell(incomplete: str) -> list[str]:
    return [s for s in SHELLS if s.startswith(incomplete)]


complete_model.revka_kind = "model"
complete_provider.revka_kind = "provider"


def completion_kind(param) -> str | None:
    """"model" or "provider" when a click parameter completes with the callbacks above. Typer
    keeps the autocompletion function only inside its wrapper's closure."""
    wrapper = getattr(param, "_custom_shell_complete", None)
    for cell in getattr(wrapper, "__closure__", None) or ():
        kind = getattr(cell.cell_contents, "revka_kind", None)
        if kind:
            return kind
    return None


# --- the typer/click shell classes (the app is built with add_completion=False) -----------------

def install_completion_classes() -> None:
    """Register revka's classes for `_REVKA_COMPLETE=complete_<shell>` / `source_<shell>`. Their
    word handling and output are fastcomplete's, so the typer path and the fast path agree. Help
    text is printed as written (the app has no rich markup), so rich is never imported."""
    from typer._click.shell_completion import add_completion_class
    from typer._completion_classes import BashComplete, FishComplete, ZshComplete

    class RevkaBash(BashComplete):
        request: fastcomplete.BashRequest

        def source(self) -> str:
            return script("bash")

        def get_completion_args(self) -> tuple[list[str], str]:
            self.request = fastcomplete.BashRequest(os.environ)
            return list(self.request.args), self.request.current

        def format_completion(self, item) -> str:
            return self.request.reply(str(item.value)) or ""

        def complete(self) -> str:
            args, incomplete = self.get_completion_args()
            replies = (self.request.reply(str(item.value))
                       for item in self.get_completions(args, incomplete))
            return "\n".join(r for r in replies if r is not None)

    class RevkaZsh(ZshComplete):
        def source(self) -> str:
            return script("zsh")

        def format_completion(self, item) -> str:
            return fastcomplete.zsh_item(str(item.value), item.help)

        def complete(self) -> str:
            args, incomplete = self.get_completion_args()
            items = self.get_completions(args, incomplete)
            return fastcomplete.zsh_reply([self.format_completion(i) for i in items])

    class RevkaFish(FishComplete):
        def source(self) -> str:
            return script("fish")

        def format_completion(self, item) -> str:
            return fastcomplete.fish_item(str(item.value), item.help)

    add_completion_class(RevkaBash, "bash")
    add_completion_class(RevkaZsh, "zsh")
    add_completion_class(RevkaFish, "fish")


if os.environ.get(COMPLETE_VAR):
    install_completion_classes()


# --- the table the fast path reads ---------------------------------------------------------------

def command_table(command=None) -> dict[str, dict]:
    """{"models set": {"options": {opt: kind|None}, "flags": [...], "commands": [...],
    "args": [kind|None, ...]}, ...} for every command of the app."""
    if command is None:
        from revka_cli.cli.app import app

        command = typer.main.get_command(app)
    table: dict[str, dict] = {}

    def walk(cmd, key: str, parent) -> None:
        ctx = typer.Context(cmd, parent=parent, info_name=key.rsplit(" ", 1)[-1] or PROG,
                            **(cmd.context_settings or {}))
        options, flags, args = {}, [], []
        for param in cmd.get_params(ctx):  # with the help option, named as the context says
            if param.param_type_name == "argument":
                kind = completion_kind(param)
                args.extend([kind] * param.nargs if param.nargs > 0 else [None])
            elif param.is_flag or param.count:
                flags.extend([*param.opts, *param.secondary_opts])
            else:
                options.update({name: completion_kind(param) for name in param.opts})
                flags.extend(param.secondary_opts)
        subs = getattr(cmd, "commands", {})
        table[key] = {"options": options, "flags": sorted(set(flags)), "commands": sorted(subs),
                      "args": args}
        for name, sub in sorted(subs.items()):
            walk(sub, f"{key} {name}".strip(), ctx)

    walk(command, "", None)
    return table


def render_table() -> str:
    table = command_table()
    lines = ['"""Generated by scripts/gen_completions.py from the Typer app: do not edit.',
             "",
             "For each command: the options that take a value (with what completes them), the flags,",
             "the subcommands and the positional arguments. `fastcomplete` parses the command line",
             'with it without importing typer (tests/cli/test_completion.py fails when it drifts)."""',
             "",
             "COMMANDS = {"]
    for key, node in table.items():
        lines.append(f"    {key!r}: {{")
        for field in ("options", "flags", "commands", "args"):
            lines.append(f"        {field!r}: {node[field]!r},")
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- install ----------------------------------------------------------------------------------------

BASH_COMPLETION_LOADERS = (
    "/usr/share/bash-completion/bash_completion",
    "/usr/local/share/bash-completion/bash_completion",
    "/etc/bash_completion",
    "/opt/homebrew/etc/profile.d/bash_completion.sh",
    "/usr/local/etc/profile.d/bash_completion.sh",
)


def _home(env) -> Path:
    return Path(env.get("HOME") or os.path.expanduser("~"))


def install_path(shell: str, env=None) -> Path:
    """Where each shell finds a user's completion without root."""
    env = os.environ if env is None else env
    home = _home(env)
    if shell == "bash":
        user_dir = env.get("BASH_COMPLETION_USER_DIR")
        data = Path(env["XDG_DATA_HOME"]) if env.get("XDG_DATA_HOME") else home / ".local" / "share"
        base = Path(user_dir) if user_dir else data / "bash-completion"
        return base / "completions" / PROG
    if shell == "zsh":
        return home / ".zfunc" / "_revka"
    config = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    return config / "fish" / "completions" / "revka.fish"


def rc_file(shell: str, env=None) -> Path | None:
    env = os.environ if env is None else env
    if shell == "bash":
        return _home(env) / ".bashrc"
    if shell == "zsh":
        return Path(env.get("ZDOTDIR") or _home(env)) / ".zshrc"
    return None  # fish loads ~/.config/fish/completions/ by itself


def _read(path: Path | None) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace") if path else ""
    except OSError:
        return ""


def _bash_completion_active(env) -> bool:
    """bash-completion is installed and a startup file of interactive shells loads it (then it
    finds our file on demand)."""
    if not any(Path(p).exists() for p in BASH_COMPLETION_LOADERS):
        return False
    home = _home(env)
    startup = "\n".join(_read(p) for p in (home / ".bashrc", home / ".bash_profile",
                                           Path("/etc/bash.bashrc"), Path("/etc/bashrc")))
    return any(not line.lstrip().startswith("#") and "bash_completion" in line
               for line in startup.splitlines())


def rc_lines(shell: str, path: Path, env=None) -> list[str]:
    """The lines the shell's startup file still needs for `path` to load ([] when none)."""
    rc = rc_file(shell, env)
    text = _read(rc)
    if shell == "bash":
        if str(path) in text or _bash_completion_active(os.environ if env is None else env):
            return []
        return [f"[ -f '{path}' ] && . '{path}'"]
    if shell == "zsh":
        live = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
        if ".zfunc" in live and "compinit" in live:
            return []
        return ["fpath+=~/.zfunc; autoload -U compinit; compinit"]
    return []


def detect_shell(env=None) -> str | None:
    env = os.environ if env is None else env
    name = os.path.basename(env.get("SHELL", "")).strip()
    return name if name in SHELLS else None


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o644)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}",
                          "check that folder's permissions, or print the script with "
                          "'revka completion SHELL' and save it yourself") from None


def install_completion(shell: str, add_rc: bool = False, env=None) -> list[str]:
    """Write the script where `shell` finds it; return the lines to print."""
    path = install_path(shell, env)
    _write_atomic(path, script(shell))
    report = [f"{shell} completion installed in {path}"]
    needed = rc_lines(shell, path, env)
    rc = rc_file(shell, env)
    if needed and add_rc and rc is not None:
        existing = _read(rc)
        sep = "" if not existing or existing.endswith("\n") else "\n"
        addition = f"{sep}\n# revka shell completion (revka completion install {shell} --rc)\n" \
                   + "\n".join(needed) + "\n"
        try:
            rc.parent.mkdir(parents=True, exist_ok=True)
            with rc.open("a", encoding="utf-8") as fh:
                fh.write(addition)
        except OSError as exc:
            raise ConfigError(f"cannot append to {rc}: {exc.strerror or exc}",
                              f"add this line to {rc} yourself: {needed[0]}") from None
        report.append(f"added to {rc}: " + "; ".join(needed))
    elif needed:
        report.append(f"{rc} does not load it yet; add this line there (or rerun with --rc):")
        report.extend(f"    {line}" for line in needed)
    report.append("it takes effect in new shells" if shell != "zsh" else
                  "it takes effect in new shells (if an old list sticks: rm ~/.zcompdump*)")
    return report


# --- commands ------------------------------------------------------------------------------------

app = typer.Typer(help="Shell completion: print the script for a shell, or install it.",
                  no_args_is_help=True)


def _printer(shell: str):
    def command() -> None:
        sys.stdout.write(script(shell))

    command.__doc__ = (f"Print the {shell} completion script (e.g. to save it yourself; "
                       f"'revka completion install {shell}' does it for you).")
    return command


for _shell in SHELLS:
    app.command(_shell)(_printer(_shell))


@app.command("install")
def install(
    shell: Optional[str] = typer.Argument(None, metavar="[SHELL]", autocompletion=complete_shell,
                                          help="bash, zsh or fish (default: the one in $SHELL)."),
    add_rc: bool = typer.Option(False, "--rc", help="Also add the line your shell's startup file "
                                "needs (~/.bashrc without bash-completion, ~/.zshrc without "
                                "~/.zfunc in fpath), if it is missing."),
) -> None:
    """Install the completion script where the shell finds it, without root, and say where:
    bash: ${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/revka;
    zsh: ~/.zfunc/_revka; fish: ${XDG_CONFIG_HOME:-~/.config}/fish/completions/revka.fish.
    Startup files are changed only with --rc."""
    name = (shell or detect_shell() or "").lower()
    if not name:
        found = os.path.basename(os.environ.get("SHELL", "")) or "unset"
        raise UsageError(f"cannot tell which shell to install for ($SHELL is {found})",
                         "name it: revka completion install bash|zsh|fish")
    if name not in SHELLS:
        raise UsageError(f"no completion for shell '{name}'",
                         "revka completes in bash, zsh and fish")
    for line in install_completion(name, add_rc):
        out(line)
