"""Tests of the protocol decoders and parsers (revka_cli.providers)."""
