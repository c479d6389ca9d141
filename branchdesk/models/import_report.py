"""What an import found: every problem with its sheet, row and column, or what it would change."""

from __future__ import annotations

from dataclasses import dataclass, field

from branchdesk.i18n import _, ngettext


@dataclass(frozen=True)
class ImportProblem:
    """One problem in an imported file. ``row`` is the spreadsheet/CSV row number (header = 1)."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None and not self.column and f"“{self.sheet}”" in self.message:
            return self.message  # a problem with the whole file that already names it
        where = [self.sheet] if self.sheet else []
        if self.row is not None:
            where.append(_("row {row}").format(row=self.row))
        if self.column:
            where.append(_("column {column}").format(column=self.column))
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class ImportReport:
    """The result of validating (and, when there are no problems, applying) an import.

    ``added``/``changed``/``unchanged`` count records per kind (e.g. ``{"clients": 3}``).
    """

    problems: list[ImportProblem] = field(default_factory=list)
    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    #: plain-sentence details for the preview ("Client C001: envelope 10 → 12 h/week")
    details: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.problems.append(ImportProblem(sheet, row, column, message))

    def count(self, bucket: str, kind: str, n: int = 1) -> None:
        target = getattr(self, bucket)
        target[kind] = target.get(kind, 0) + n

    def summary(self, dry_run: bool = False) -> str:
        """One or two plain sentences: what was (or would be) added and changed."""
        def describe(counts: dict[str, int]) -> str:
            parts = [f"{n} {kind[:-1] if n == 1 and kind.endswith('s') else kind}" for kind, n in counts.items() if n]
            return ", ".join(parts) if parts else _("nothing")

        if dry_run:
            head = _("Checked: no problems found. Importing would add {added} and change {changed}.")
        else:
            head = _("Imported: added {added}; changed {changed}.")
        text = head.format(added=describe(self.added), changed=describe(self.changed))
        unchanged = sum(self.unchanged.values())
        if unchanged:
            text += " " + ngettext("{n} record was already up to date.", "{n} records were already up to date.", unchanged).format(n=unchanged)
        return text
