"""Problems found in the author's content, reported as ``path:line: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ContentProblem:
    """One problem in one file. ``line`` counts from 1 in the file itself."""

    path: str
    line: int
    message: str
    hint: str = ""

    def as_list(self) -> list:
        """JSON-ready, for the cache; ``ContentProblem(*value)`` reads it back."""
        return [self.path, self.line, self.message, self.hint]

    def __str__(self) -> str:
        location = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{location}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ContentError(Exception):
    """Raised by a reader for one problem; collected into ContentErrors."""

    def __init__(self, message: str, line: int = 0, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint

    def at(self, path: str) -> ContentProblem:
        return ContentProblem(path, self.line, self.message, self.hint)


class ContentErrors(Exception):
    """Every problem found in one run, so the author can fix them all at once."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
