"""The chat core: one conversation turn, below the CLI.

`ChatSession` (session.py) takes a loaded config, a `TurnSpec` (what the caller asked for: model
selection, system prompt, sampling, tools, limits) and the cached model facts, and owns the turn:
the context check, image loading, the attempt chain across model and provider fallbacks
(attempts.py), and the one deadline that bounds it all. It returns a `ChatOutcome` or raises a
RevkaError carrying what was kept. `probe.py` is the single-attempt form doctor uses.

Callers (one-shot chat, the REPL, doctor) render; nothing here writes to a terminal. A caller
passes a `Sink` for streamed text and a `warn` callable for notes.
"""
