"""The audit log: who created, changed or deleted what, and when, with old and new values.

Entries are written by ``Store.audit`` inside each change's own transaction; here they
are read back with filters (client, user, dates, words) and exported to XLSX or CSV
with every text cell made safe for spreadsheets.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from branchdesk.i18n import _
from branchdesk.models.dates import format_date
from branchdesk.models.db import Store
from branchdesk.models.errors import BranchDeskError
from branchdesk.models.money import format_money, parse_money
from branchdesk.models.spreadsheet_safety import safe_row

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

#: The screen shows at most this many entries at once (newest first); filters narrow it down.
DEFAULT_LIMIT = 5000

ACTION_NAMES = {"create": _("Created"), "update": _("Changed"), "delete": _("Deleted")}
ENTITY_NAMES = {
    "branch": _("Branch"),
    "contract": _("Contract"),
    "client": _("Client"),
    "contact": _("Contact"),
    "client_note": _("Note"),
    "note": _("Note"),
    "outcome": _("Outcome"),
    "envelope": _("Hours envelope"),
    "ideal_week": _("Ideal week"),
    "hours_bank": _("Hours bank"),
    "visit": _("Visit"),
    "visits": _("Visits"),
    "suspension": _("Suspension"),
    "review": _("Review"),
    "worker": _("Worker"),
    "claim": _("Claim"),
    "claim_payment": _("Payment"),
    "caseload import": _("Caseload import"),
    "import_mapping": _("Column mapping"),
    "settings": _("Settings"),
}


@dataclass(frozen=True)
class FieldChange:
    """One field of an audit entry: its label, the old and new values as text, and which of them were recorded."""

    label: str
    old: str
    new: str
    had_old: bool
    has_new: bool


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: dt.datetime
    user: str
    action: str
    entity: str
    entity_id: int | None
    client_id: int | None
    client_ref: str
    client_name: str
    summary: str
    old: dict = field(default_factory=dict)
    new: dict = field(default_factory=dict)

    @property
    def action_text(self) -> str:
        return ACTION_NAMES.get(self.action, self.action)

    @property
    def entity_text(self) -> str:
        return ENTITY_NAMES.get(self.entity, self.entity.replace("_", " ").capitalize())

    @property
    def when_text(self) -> str:
        """``31/10/2026 17:15``."""
        return f"{format_date(self.at.date())} {self.at:%H:%M}"

    @property
    def client_text(self) -> str:
        if not self.client_ref:
            return ""
        return f"{self.client_ref} {self.client_name}".strip()

    def changes(self) -> list[FieldChange]:
        """Each field the entry records, in name order (the record's own numbers and empty ones left out)."""
        found = []
        for name in sorted(set(self.old) | set(self.new)):
            if name == "id" or name.endswith("_id"):
                continue  # the client and record columns already say which record it is
            old, new = value_text(self.old.get(name), name), value_text(self.new.get(name), name)
            if old or new:
                found.append(FieldChange(field_label(name), old, new, name in self.old, name in self.new))
        return found

    def changes_text(self) -> str:
        """One line per field: ``hours per week: 10 → 8.5`` (created and deleted values shown alone)."""
        lines = []
        for change in self.changes():
            if change.had_old and change.has_new:
                lines.append(f"{change.label}: {change.old or '—'} → {change.new or '—'}")
            elif change.has_new:
                lines.append(f"{change.label}: {change.new}")
            else:
                lines.append(_("{name}: {old} (removed)").format(name=change.label, old=change.old))
        return "\n".join(lines)


#: fields recorded as amounts in pounds ("1234.56"), shown as £1,234.56
MONEY_NAMES = {"amount", "total", "paid", "balance"}
AMOUNT = re.compile(r"-?\d+\.\d{2}")


def field_label(name: str) -> str:
    """``hours_per_week`` → ``hours per week``; ``hourly_rate_pence`` → ``hourly rate``."""
    return name.removesuffix("_pence").replace("_", " ")


def value_text(value, name: str = "") -> str:
    """A stored value as a person reads it: empty for nothing, Yes/No, money in pounds, dates as 31/10/2026."""
    if value is None:
        return ""
    if name.endswith("_pence") and isinstance(value, int) and not isinstance(value, bool):
        return format_money(value)
    if name in MONEY_NAMES and isinstance(value, str) and AMOUNT.fullmatch(value):
        return format_money(parse_money(value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(item, name) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return format_date(value)
        except ValueError:
            return value
    return str(value)


def _values(text: str | None) -> dict:
    if not text:
        return {}
    try:
        found = json.loads(text)
    except ValueError:
        return {"value": text}
    return found if isinstance(found, dict) else {"value": found}


def _parse_at(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return dt.datetime.min


def audit_entries(
    store: Store,
    *,
    client_id: int | None = None,
    user: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    text: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> list[AuditEntry]:
    """Audit entries, newest first, narrowed by client, user, dates (inclusive) and words.

    ``text`` is looked for in the summary, the record kind and the old and new values.
    """
    where, params = [], []
    if client_id is not None:
        where.append("a.client_id = ?")
        params.append(client_id)
    if user:
        where.append("a.user = ?")
        params.append(user)
    if since is not None:
        where.append("a.at >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("a.at < ?")
        params.append((until + dt.timedelta(days=1)).isoformat())
    if text and text.strip():
        pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            "(a.summary LIKE ? ESCAPE '\\' OR a.entity LIKE ? ESCAPE '\\' OR a.old_values LIKE ? ESCAPE '\\'"
            " OR a.new_values LIKE ? ESCAPE '\\' OR c.ref LIKE ? ESCAPE '\\' OR c.name LIKE ? ESCAPE '\\')"
        )
        params += [pattern] * 6
    sql = (
        "SELECT a.*, coalesce(c.ref, '') AS client_ref, coalesce(c.name, '') AS client_name"
        " FROM audit a LEFT JOIN clients c ON c.id = a.client_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.at DESC, a.id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [
        AuditEntry(
            id=row["id"],
            at=_parse_at(row["at"]),
            user=row["user"],
            action=row["action"],
            entity=row["entity"],
            entity_id=row["entity_id"],
            client_id=row["client_id"],
            client_ref=row["client_ref"],
            client_name=row["client_name"],
            summary=row["summary"],
            old=_values(row["old_values"]),
            new=_values(row["new_values"]),
        )
        for row in store.rows(sql, params)
    ]


def audit_users(store: Store) -> list[str]:
    """Everyone who appears in the audit log, alphabetically."""
    return [row[0] for row in store.rows("SELECT DISTINCT user FROM audit ORDER BY user COLLATE NOCASE")]


def audit_clients(store: Store) -> list[tuple[int, str]]:
    """(client id, "ref name") of every client the audit log mentions, by ref."""
    return [
        (row["id"], f"{row['ref']} {row['name']}")
        for row in store.rows(
            "SELECT id, ref, name FROM clients WHERE id IN (SELECT DISTINCT client_id FROM audit WHERE client_id IS NOT NULL) ORDER BY ref"
        )
    ]


EXPORT_HEADERS = (
    _("Date"),
    _("Time"),
    _("User"),
    _("Action"),
    _("Record"),
    _("Record number"),
    _("Client ref"),
    _("Client name"),
    _("Summary"),
    _("Old values"),
    _("New values"),
)


def _export_row(entry: AuditEntry) -> list:
    return [
        entry.at.date(),
        entry.at.strftime("%H:%M:%S"),
        entry.user,
        entry.action_text,
        entry.entity_text,
        entry.entity_id,
        entry.client_ref,
        entry.client_name,
        entry.summary,
        "\n".join(f"{change.label}: {change.old}" for change in entry.changes() if change.had_old),
        "\n".join(f"{change.label}: {change.new}" for change in entry.changes() if change.has_new),
    ]


def export_audit(entries: list[AuditEntry], path: str | os.PathLike) -> Path:
    """Write the entries to ``path``: an Excel workbook for ``.xlsx``, else CSV (UTF-8, Excel-friendly)."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".xlsx":
            _export_xlsx(entries, path)
        else:
            _export_csv(entries, path)
    except OSError as error:
        raise BranchDeskError(
            _("The audit log could not be saved to “{path}” ({reason}). Choose another place.").format(path=path, reason=error.strerror or error)
        ) from None
    return path


def _export_xlsx(entries: list[AuditEntry], path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Audit log")
    sheet.append(list(EXPORT_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in entries:
        sheet.append(safe_row(_export_row(entry)))
        sheet.cell(row=sheet.max_row, column=1).number_format = "DD/MM/YYYY"
    for column, width in zip("ABCDEFGHIJK", (12, 10, 18, 10, 16, 10, 12, 24, 48, 40, 40), strict=True):
        sheet.column_dimensions[column].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2, min_col=9, max_col=11):
        for cell in row:
            cell.alignment = wrap
    sheet.freeze_panes = "A2"
    book.save(path)


def _export_csv(entries: list[AuditEntry], path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_HEADERS)
        for entry in entries:
            row = _export_row(entry)
            row[0] = format_date(row[0])
            writer.writerow(safe_row("" if value is None else value for value in row))
