"""The batch input: read line by line (never held whole), checked in a first pass.

The first pass parses every line, counts the items and finds duplicate custom_ids, so that a bad
line or a duplicate is a usage error (exit 2) before any request is sent. Standard input cannot be
read twice: `-` is copied to an unnamed temporary file during the first pass (in $TMPDIR, deleted
when revka exits) and the second pass reads the copy.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

from revka_cli.batch.idindex import IdIndex, id_hash
from revka_cli.batch.items import BatchItem, LineError, parse_line
from revka_cli.errors import UsageError

MAX_LINE_BYTES = 16 * 1024 * 1024  # one item: a prompt with a few inline images at most


class Scan:
    """What the first pass found."""

    def __init__(self, done) -> None:
        self.done = done  # custom_ids answered on an earlier run (an IdIndex, or any container)
        self.items = self.skipped = 0
        self.ignored: dict[str, int] = {}  # key -> items that carried it
        self.forms: dict[str, int] = {}


class BatchInput:
    def __init__(self, path: str, *, lines_mode: bool, stdin=None) -> None:
        self.path, self.lines_mode = path, lines_mode
        self._stdin, self._spool = stdin, None

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()

    def _raw_lines(self, first: bool) -> Iterator[tuple[int, bytes]]:
        if self.path == "-" and first:
            self._spool = tempfile.TemporaryFile(prefix="revka-batch-")
            yield from _numbered(_tee(self._stdin, self._spool))
            self._spool.flush()
            return
        if self.path == "-":
            self._spool.seek(0)
            yield from _numbered(self._spool)
            return
        try:
            with open(os.path.expanduser(self.path), "rb") as handle:
                yield from _numbered(handle)
        except FileNotFoundError:
            raise UsageError(f"input file not found: {self.path}", "pass a JSONL file, or - for "
                             "stdin") from None
        except IsADirectoryError:
            raise UsageError(f"input {self.path} is a directory", "pass a JSONL file") from None

    def items(self, first: bool = False) -> Iterator[BatchItem]:
        """Every item of the input, in order; a bad line raises UsageError naming it."""
        index = 0
        for line_no, raw in self._raw_lines(first):
            text = _decode(raw, line_no).rstrip("\r\n")
            if not text.strip():
                continue
            try:
                item = parse_line(text, line_no=line_no, index=index, lines_mode=self.lines_mode)
            except LineError as exc:
                raise UsageError(f"input line {line_no}: {exc}", "see 'revka batch --help' for "
                                 "the input forms") from None
            index += 1
            yield item

    def scan(self, done=()) -> Scan:
        """The first pass: every line checked, duplicates refused, answered items counted.
        Holds 8 bytes per item."""
        scan, ids = Scan(done), IdIndex()
        for item in self.items(first=True):
            scan.items += 1
            scan.skipped += item.custom_id in done
            scan.forms[item.form] = scan.forms.get(item.form, 0) + 1
            for key in item.ignored:
                scan.ignored[key] = scan.ignored.get(key, 0) + 1
            ids.add(item.custom_id)
        repeated = ids.repeated_hashes()
        if repeated:
            self._refuse_duplicates(repeated)
        return scan

    def _refuse_duplicates(self, hashes: set[int]) -> None:
        lines: dict[str, list[int]] = {}
        for item in self.items():
            if id_hash(item.custom_id) in hashes:
                lines.setdefault(item.custom_id, []).append(item.line_no)
        dups = {cid: nos for cid, nos in lines.items() if len(nos) > 1}
        if not dups:
            return  # only a 64-bit hash collision between different ids
        cid, nos = next(iter(dups.items()))
        more = f" ({len(dups) - 1} more duplicated ids)" if len(dups) > 1 else ""
        where = ", ".join(map(str, nos[:5]))
        raise UsageError(f"duplicate custom_id {cid!r} on input lines {where}{more}",
                         "give every line its own custom_id (or leave it out: it defaults to the "
                         "line number)")


def _tee(source, copy) -> Iterator[bytes]:
    stream = getattr(source, "buffer", source)
    for raw in stream:
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        copy.write(raw)
        yield raw


def _numbered(handle) -> Iterator[tuple[int, bytes]]:
    for line_no, raw in enumerate(handle, 1):
        if len(raw) > MAX_LINE_BYTES:
            raise UsageError(f"input line {line_no} is longer than "
                             f"{MAX_LINE_BYTES // (1024 * 1024)} MB", "split it, or pass images "
                             "by path or URL")
        yield line_no, raw


def _decode(raw: bytes, line_no: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"input line {line_no} is not valid UTF-8 (byte {exc.start})",
                         "convert the file to UTF-8 first, e.g. with iconv") from None
