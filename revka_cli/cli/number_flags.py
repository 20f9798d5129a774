"""Callbacks for numeric flags. Click's ranges let nan through (every comparison with nan is
false) and have no upper bound unless given one: these apply config's number rules instead."""

from __future__ import annotations

import typer

from revka_cli.config.numbers import MAX_COUNT, MAX_SECONDS, number_problem


def _within(low: float, high: float):
    def check(value):
        problem = None if value is None else number_problem(value, low, high)
        if problem:
            raise typer.BadParameter(problem)
        return value

    return check


check_seconds = _within(0.001, MAX_SECONDS)
check_temperature = _within(0.0, 2.0)
check_count = _within(1, MAX_COUNT)
