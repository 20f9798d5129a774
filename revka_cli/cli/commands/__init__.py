"""The command modules: what each `revka` command does, typer-free (the Typer app and the fast
path both call them with an options record built from the command spec)."""
