"""The typer-free fast path: the hottest commands and TAB completion, parsed from the command spec
and answered by the same command modules as the Typer app."""
