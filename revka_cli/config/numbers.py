"""Number checks shared by the config file, the REVKA_* variables and the command-line flags.

Every number is checked where it enters: finite (no nan or inf), and within a range the code that
uses it can handle (a timeout of 1e300 seconds overflows the clocks; an integer of 400 digits
overflows a float).
"""

from __future__ import annotations

import math

from revka_cli.limits import MAX_COUNT, MAX_SECONDS  # noqa: F401  (re-exported)


def shown(value: float) -> str:
    """`value` for a message, short even when it has hundreds of digits."""
    text = str(value)
    return text if len(text) <= 24 else f"{text[:12]}... ({len(text)} characters)"


def bound(limit: float) -> str:
    """A range limit for a message: 86400, 2147483647, 0.001."""
    return str(int(limit)) if float(limit).is_integer() else f"{limit:g}"


def number_problem(value: float, minimum: float | None = None,
                   maximum: float | None = None) -> str | None:
    """Why `value` is not a usable number in [minimum, maximum], or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {value}"
    if minimum is not None and value < minimum:
        return f"must be at least {bound(minimum)}, got {shown(value)}"
    if maximum is not None and value > maximum:
        return f"must be at most {bound(maximum)}, got {shown(value)}"
    return None


def parse_seconds(text: str) -> tuple[float | None, str | None]:
    """(seconds, None) for a timeout given as text, or (None, why it is not one)."""
    try:
        value = float(text.strip())
    except ValueError:
        return None, f"expected a number of seconds, got '{shown(text.strip())}'"
    problem = number_problem(value, 0.001, MAX_SECONDS)
    return (None, problem) if problem else (value, None)
