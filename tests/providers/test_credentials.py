"""Where a key came from, and the warning when it looks like another vendor's key."""

from __future__ import annotations

import pytest

from revka_cli.providers.credentials import key_mismatch


@pytest.mark.parametrize("provider, key, expected", [
    ("openai", "sk-ant-api03-x", "which looks like an Anthropic key"),
    ("openai", "sk-or-v1-x", "which looks like an OpenRouter key"),
    ("openai", "gsk_x", "which looks like a Groq key"),
    ("groq", "xai-x", "which looks like an xAI key"),
])
def test_mismatch_names_the_owner_with_the_right_article(provider, key, expected):
    message = key_mismatch(provider, key)
    assert message is not None and message.endswith(expected)
    assert key not in message


def test_a_key_of_the_provider_itself_is_no_mismatch():
    assert key_mismatch("anthropic", "sk-ant-api03-x") is None


@pytest.mark.parametrize("provider, key, expected", [
    ("openai", "nvapi-x", "which looks like an NVIDIA NIM key"),
    ("openai", "pplx-x", "which looks like a Perplexity key"),
    ("openai", "fw_x", "which looks like a Fireworks AI key"),
])
def test_articles_of_initialisms_and_words(provider, key, expected):
    assert key_mismatch(provider, key).endswith(expected)
