"""The command surface: the declarative spec of every command and option, the Typer app built from
it, the options records, and the help renderer the generators use."""
