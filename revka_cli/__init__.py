"""revka: a command-line client for self-hosted and OpenAI/Anthropic-compatible LLM servers."""

__version__ = "0.1.0"
