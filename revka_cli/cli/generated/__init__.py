"""Generated tables (help pages, completion table): written by `python scripts/regen.py`, never
by hand; drift-tested."""
