"""Numeric limits shared by the config loader and the command-line spec (a leaf: the fast paths
import it, so it imports nothing)."""

MAX_SECONDS = 86_400.0  # one day: the longest timeout or wait accepted anywhere
MAX_COUNT = 2**31 - 1  # the largest count (tokens, milliseconds) accepted
