"""The stream loop's process settings (providers/engine.py)."""

from __future__ import annotations


def test_streaming_raises_the_young_gc_threshold_once_and_never_disables_it():
    import gc

    from revka_cli.providers.engine import STREAM_GC_THRESHOLD, roomy_gc

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        roomy_gc()
        assert gc.get_threshold() == (STREAM_GC_THRESHOLD, 10, 10)
        gc.set_threshold(50_000, 5, 5)  # a higher threshold someone chose is kept
        roomy_gc()
        assert gc.get_threshold() == (50_000, 5, 5)
        gc.set_threshold(0)  # collection switched off stays off
        roomy_gc()
        assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)
