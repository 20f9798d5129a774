"""A config problem: what is wrong, where (file, line, column, dotted key), and how bad."""

from __future__ import annotations

from revka_cli.records import Record

ERROR = "error"
WARNING = "warning"


class Problem(Record):
    severity: str
    key: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def location(self) -> str:
        parts = [self.file or "<defaults>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        where = self.location()
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self._fields}
