"""Daily visit data for the council (SPEC §7): one CSV row per visit in a date range."""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from branchdesk.i18n import _
from branchdesk.models.db import Store
from branchdesk.models.errors import BranchDeskError, ValidationError
from branchdesk.models.spreadsheet_safety import safe_row

#: The columns exactly as the council receives them.
VISIT_DATA_COLUMNS = ("council_ref", "date", "planned_start", "actual_start", "actual_end", "minutes", "worker_ref", "status")


@dataclass(frozen=True)
class VisitDataResult:
    rows: int
    #: clients in the export without a council ref (their rows carry an empty council_ref)
    without_council_ref: list[str]


def export_visit_data(store: Store, path: str | Path, first: dt.date, last: dt.date | None = None,
                      contract_id: int | None = None) -> VisitDataResult:
    """Write the visits of ``first``..``last`` (inclusive; one day when ``last`` is None) to a CSV file.

    ``contract_id`` limits the file to that contract's clients, so one council never
    receives another's data. Dates are ``YYYY-MM-DD``; text that a spreadsheet would
    read as a formula is neutralised. The file is written whole or not at all.
    """
    last = last or first
    if last < first:
        raise ValidationError(_("The last day is before the first day; choose the dates again."))
    sql = """
        SELECT c.ref AS client_ref, c.council_ref, v.visit_date, v.planned_start, v.actual_start, v.actual_end,
               v.minutes, COALESCE(w.ref, '') AS worker_ref, v.status
        FROM visits v JOIN clients c ON c.id = v.client_id LEFT JOIN workers w ON w.id = v.worker_id
        WHERE v.visit_date BETWEEN ? AND ?
    """
    params: list = [first.isoformat(), last.isoformat()]
    if contract_id is not None:
        sql += " AND c.contract_id = ?"
        params.append(contract_id)
    sql += " ORDER BY v.visit_date, COALESCE(v.planned_start, v.actual_start), c.council_ref, c.ref"
    rows = store.rows(sql, params)
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    missing = sorted({row["client_ref"] for row in rows if not row["council_ref"].strip()})
    try:
        with open(partial, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(VISIT_DATA_COLUMNS)
            for row in rows:
                writer.writerow(safe_row([
                    row["council_ref"], row["visit_date"], row["planned_start"] or "", row["actual_start"] or "",
                    row["actual_end"] or "", "" if row["minutes"] is None else row["minutes"], row["worker_ref"], row["status"],
                ]))
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BranchDeskError(_("The visit data could not be saved to “{name}” ({why}). Choose another folder.").format(
            name=path.name, why=error.strerror or error)) from None
    return VisitDataResult(len(rows), missing)
