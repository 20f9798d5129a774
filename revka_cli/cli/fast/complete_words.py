"""Which words a TAB press offers, read from the generated completion table alone.

`resolve(table, args, incomplete)` walks the complete words the way the Typer app parses them
(options anywhere in a command, a group's first plain word is its subcommand, `--` ends the
options, a value-taking option takes the next word whatever it looks like) and returns
(value, help) pairs:
- an incomplete word starting with `-` (before any `--`): the command's option names, without
  the ones already given once (a repeatable option stays), `--help`/`-h` last;
- the value of an option or argument: model and provider names (the cache and the config file,
  `catalog.complete`), the choices the spec lists; nothing for a path or a free value, so the
  shell completes file names;
- otherwise a group's subcommands, with their summaries.
Unknown subcommands offer nothing. Imports: nothing; the catalog only for model and provider
names.
"""

from __future__ import annotations


class Walk:
    """What the complete words said: the command reached, the options given, the positional
    words seen, whether `--` was passed, the option waiting for a value, and the root --config."""

    def __init__(self, table: dict) -> None:
        self.table, self.path, self.node = table, "", table[""]
        self.given: set[tuple] = set()
        self.positional, self.dashdash, self.pending = 0, False, None
        self.config: str | None = None
        self.lost = False  # an unknown subcommand: nothing to offer

    def option(self, flag: str):
        for option in self.node["options"]:
            if flag in option[0]:
                return option
        return None

    def take_value(self, option, value: str) -> None:
        self.given.add(option[0])
        if not self.path and "--config" in option[0]:
            self.config = value

    def long(self, arg: str, rest: list[str]) -> None:
        name, eq, value = arg.partition("=")
        option = self.option(name)
        if option is None:
            return  # unknown: ignored, as the app's resilient parse does
        if option[1] == "flag" or eq:
            self.take_value(option, value)
        elif rest:
            self.take_value(option, rest.pop(0))
        else:
            self.pending = option

    def short(self, arg: str, rest: list[str]) -> None:
        for i, char in enumerate(arg[1:], 1):
            option = self.option("-" + char)
            if option is None:
                return
            if option[1] == "flag":
                self.given.add(option[0])
                continue
            if arg[i + 1:]:
                self.take_value(option, arg[i + 1:])
            elif rest:
                self.take_value(option, rest.pop(0))
            else:
                self.pending = option
            return

    def plain(self, arg: str) -> None:
        if not self.node["commands"]:
            self.positional += 1
        elif arg in self.node["commands"]:
            self.path = f"{self.path} {arg}".strip()
            self.node, self.given = self.table[self.path], set()
            self.positional, self.dashdash = 0, False
        else:
            self.lost = True

    def run(self, args: list[str]) -> "Walk":
        rest = list(args)
        while rest and not self.lost:
            arg = rest.pop(0)
            self.pending = None
            if self.dashdash or arg == "-" or not arg.startswith("-"):
                self.plain(arg)
            elif arg == "--":
                self.dashdash = True
            elif arg.startswith("--"):
                self.long(arg, rest)
            else:
                self.short(arg, rest)
        return self


def option_names(node: dict, given: set, incomplete: str) -> list[tuple[str, str]]:
    return [(flag, help_text) for flags, arity, _, help_text in node["options"]
            if arity == "list" or flags not in given
            for flag in flags if flag.startswith(incomplete)]


def values(kind, incomplete: str, config_path: str | None) -> list[tuple[str, None]]:
    if isinstance(kind, (tuple, list)):
        found = list(kind)
    elif kind in ("model", "provider"):
        from revka_cli.catalog.complete import model_candidates, provider_candidates

        found = (model_candidates if kind == "model" else provider_candidates)(incomplete,
                                                                                 config_path)
    else:
        return []  # a path or a free value: the shell completes file names
    return [(c, None) for c in found if c.startswith(incomplete)]


def resolve(table: dict, args: list[str], incomplete: str) -> list[tuple[str, str | None]]:
    """The (value, help) pairs to offer for `incomplete` after the complete words `args`."""
    args = list(args)
    if incomplete == "=":
        incomplete = ""
    elif incomplete.startswith("-") and "=" in incomplete and "--" not in args:
        name, _, incomplete = incomplete.partition("=")
        args.append(name)
    walk = Walk(table).run(args)
    if walk.lost:
        return []
    if incomplete.startswith("-") and not walk.dashdash:
        return option_names(walk.node, walk.given, incomplete)  # even after `-m`, as typer did
    if walk.pending is not None:
        return values(walk.pending[2], incomplete, walk.config)
    if walk.node["commands"]:
        return [(name, table[f"{walk.path} {name}".strip()]["help"])
                for name in walk.node["commands"] if name.startswith(incomplete)]
    kinds = walk.node["args"]
    if walk.positional < len(kinds):
        return values(kinds[walk.positional], incomplete, walk.config)
    return []
