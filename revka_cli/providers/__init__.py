"""Provider protocols: request building, stream decoding and assembly for OpenAI, Anthropic, Ollama.

Importing this package imports nothing else; import the submodule you need.
"""
