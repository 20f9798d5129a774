"""`revka completion install`: where each shell finds completion files, and the startup-file
line it may still need. Writes only the completion file (and the rc line with --rc)."""

from __future__ import annotations

import os
from pathlib import Path

from revka_cli.cli.commands.completion_scripts import PROG, script
from revka_cli.cli.fast.complete import SHELLS
from revka_cli.errors import ConfigError

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
