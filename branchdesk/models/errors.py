"""Errors a user can act on, in plain sentences."""

from __future__ import annotations

from dataclasses import dataclass


class BranchDeskError(Exception):
    """A problem the user can understand and fix; ``str(error)`` is one plain sentence."""


class BranchFileError(BranchDeskError):
    """The branch file cannot be opened or used (missing, damaged, too new, read-only...)."""


@dataclass(frozen=True)
class Problem:
    """One validation problem: which field (or "" for the whole record) and what is wrong."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


class ValidationError(BranchDeskError):
    """Input that cannot be saved; ``problems`` lists every problem at once."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(" ".join(p.message for p in self.problems))

    def for_field(self, field: str) -> list[str]:
        """Messages about one field."""
        return [p.message for p in self.problems if p.field == field]


class NotFound(BranchDeskError):
    """A record the user named does not exist."""
