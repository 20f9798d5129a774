"""The model catalog: discovery from each provider's models endpoint, the disk cache, completion.

Import-light on purpose: import the submodule you need (`catalog.store`,
`catalog.discover`, `catalog.complete`). `complete` must stay free of typer, httpx, rich, yaml and
diskcache so that TAB completion starts fast.
"""
