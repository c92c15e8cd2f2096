"""Validation errors that name the file, the line and the field."""
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True, order=True)
class DataError:
    """One problem in the sources: where it is and what is wrong."""

    file: str
    line: Optional[int]
    field: Optional[str]
    message: str

    def __str__(self):
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            where += f": field '{self.field}'"
        return f"{where}: {self.message}"


class ValidationFailed(Exception):
    """Raised with every error of a run, so all of them are reported at once."""

    def __init__(self, errors):
        self.errors = sorted(errors, key=lambda e: (e.file, e.line or 0, e.field or "", e.message))
        super().__init__(f"{len(self.errors)} error(s) in the sources")

    def report(self):
        return "\n".join(str(e) for e in self.errors)
