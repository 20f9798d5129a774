"""The output file: resume reading, torn last lines, rewriting, appends."""

from __future__ import annotations

import json

import pytest

from revka_cli.batch.journal import Journal, keep_answered, read_resume
from revka_cli.errors import UsageError


def ok(cid):
    return json.dumps({"id": "b", "custom_id": cid, "response": {"status_code": 200},
                       "error": None}) + "\n"


def failed(cid):
    return json.dumps({"id": "b", "custom_id": cid, "response": None,
                       "error": {"code": "ConnectError", "message": "down"}}) + "\n"


def test_answered_failed_and_a_torn_last_line(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text(ok("a") + failed("b") + ok("c") + ok("d")[:30])
    resume = read_resume(str(out), "openai")
    assert (resume.answered, resume.failed, resume.torn) == (2, 1, True)
    assert "a" in resume.done and "c" in resume.done and "b" not in resume.done
    keep_answered(str(out))
    assert out.read_text() == ok("a") + ok("c")


def test_a_complete_json_line_without_its_newline_is_torn_too(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text(ok("a") + ok("b").rstrip("\n"))
    resume = read_resume(str(out), "openai")
    assert resume.torn and "b" not in resume.done


def test_a_broken_line_before_the_last_is_refused(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text(ok("a") + "garbage\n" + ok("c"))
    with pytest.raises(UsageError, match="line 2 is not JSON"):
        read_resume(str(out), "openai")


def test_other_format_or_foreign_file_is_refused(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text(ok("a"))
    with pytest.raises(UsageError, match="holds --format openai"):
        read_resume(str(out), "results")
    out.write_text('{"hello": 1}\n')
    with pytest.raises(UsageError, match="not a revka batch record"):
        read_resume(str(out), "openai")


def test_missing_file_is_an_empty_resume(tmp_path):
    resume = read_resume(str(tmp_path / "none.jsonl"), "openai")
    assert (resume.answered, resume.failed, resume.torn) == (0, 0, False)


def test_journal_appends_whole_lines_and_refuses_after_close(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text(ok("old"))
    journal = Journal(str(out))
    assert journal.write({"custom_id": "n", "error": None, "text": "lone \udc80 surrogate"})
    journal.close()
    assert not journal.write({"custom_id": "late", "error": None})
    lines = out.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["text"] == "lone \udc80 surrogate"
    Journal(str(out), restart=True).close()
    assert out.read_text() == ""
