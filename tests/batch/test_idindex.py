"""The 8-byte-per-id index behind duplicate detection and resume."""

from __future__ import annotations

from revka_cli.batch import idindex
from revka_cli.batch.idindex import IdIndex, id_hash


def test_membership_and_repeats_across_many_runs(monkeypatch):
    monkeypatch.setattr(idindex, "RUN_SIZE", 7)  # many sorted runs to merge
    index = IdIndex()
    for i in range(100):
        index.add(f"id-{i}")
    index.add("id-42")
    index.add("id-99")
    assert len(index) == 102
    assert "id-0" in index and "id-99" in index and "id-100" not in index
    assert index.repeated_hashes() == {id_hash("id-42"), id_hash("id-99")}
    index.add("late")  # adding after a lookup merges again
    assert "late" in index


def test_empty_index():
    index = IdIndex()
    assert len(index) == 0 and "x" not in index and index.repeated_hashes() == set()
