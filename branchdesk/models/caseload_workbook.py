"""The caseload workbook (SPEC §8): a branch's contracts, clients, envelopes, outcomes,
suspensions, reviews and workers in one XLSX file, for moving in from spreadsheets and
for export.

Import checks every row of every sheet before anything is written; any problem means
nothing is written and each problem is reported with its sheet, row and column. Rows are
matched by their refs, so importing the same workbook twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from branchdesk.i18n import _, a_or_an
from branchdesk.models.clients import client_from_form
from branchdesk.models.contracts import contract_from_form, contract_to_row, parse_band_rates
from branchdesk.models.dates import format_date, iso, parse_optional_date
from branchdesk.models.db import Store
from branchdesk.models.envelope import parse_hours as parse_weekly_hours
from branchdesk.models.errors import BranchDeskError, ValidationError
from branchdesk.models.import_report import ImportProblem, ImportReport
from branchdesk.models.money import format_decimal, format_money
from branchdesk.models.outcomes import outcome_from_form
from branchdesk.models.schema import (
    ENVELOPE_REASONS,
    OUTCOME_STATUSES,
    REVIEW_METHODS,
    SUSPENSION_REASONS,
)
from branchdesk.models.spreadsheet_safety import safe_cell
from branchdesk.models.workers import worker_from_form
from branchdesk.models.xlsx_reading import SheetTooLong, open_xlsx

#: No real branch has more rows than this in any sheet; longer sheets are refused unread.
MAX_ROWS_PER_SHEET = 50_000
#: The largest whole number an SQLite column holds; a larger amount in a workbook is a typing mistake.
LARGEST_WHOLE_NUMBER = 2**63 - 1
PROGRESS_EVERY = 250

Progress = Callable[[int, int, str], None] | None
Abort = Callable[[], bool] | None


@dataclass(frozen=True)
class SheetSpec:
    name: str
    required: tuple[str, ...]
    columns: tuple[str, ...]


SHEETS = (
    SheetSpec("Branch", (), ("name", "address", "phone", "email", "cqc_location_id")),
    SheetSpec("Contracts", ("ref", "council", "core_basis", "hourly_rate"), (
        "ref", "council", "commissioner", "address", "core_basis", "hourly_rate", "core_share", "band_rates",
        "episode_fee", "outcome_upfront_share", "outcome_partial_share", "reward_share", "hours_saved_share",
        "hours_saved_months", "retainer_days", "bank_expiry_weeks", "claim_prefix", "supplier_number",
        "purchase_order", "print_names")),
    SheetSpec("Clients", ("ref", "name", "contract_ref", "category", "funding", "start_date"), (
        "ref", "council_ref", "name", "date_of_birth", "address", "postcode", "phone", "contract_ref", "category",
        "funding", "personal_budget_weekly", "start_date", "end_date", "end_reason", "ot_required", "social_worker",
        "key_worker", "team")),
    SheetSpec("Envelopes", ("client_ref", "effective_date", "hours_per_week"), (
        "client_ref", "effective_date", "hours_per_week", "band", "reason")),
    SheetSpec("Outcomes", ("client_ref", "outcome_ref", "description", "agreed_date"), (
        "client_ref", "outcome_ref", "description", "domain", "agreed_date", "target_date", "fee")),
    SheetSpec("Suspensions", ("client_ref", "start_date", "end_date", "reason"), (
        "client_ref", "start_date", "end_date", "reason")),
    SheetSpec("Reviews", ("client_ref", "review_date", "method", "outcome_ref", "status"), (
        "client_ref", "review_date", "method", "outcome_ref", "status", "notes")),
    SheetSpec("Workers", ("ref", "name"), ("ref", "name", "team", "role", "contracted_hours")),
)
SPEC_BY_NAME = {spec.name: spec for spec in SHEETS}

#: Database column → workbook column, for the columns a workbook row sets.
CONTRACT_COLUMNS = {
    "ref": "ref", "council": "council", "commissioner": "commissioner", "address": "address",
    "start_date": "start_date", "end_date": "end_date", "supplier_number": "supplier_number",
    "purchase_order": "purchase_order", "claim_prefix": "claim_prefix", "print_names": "print_names",
    "core_basis": "core_basis", "hourly_rate_pence": "hourly_rate", "core_share": "core_share",
    "band_rates": "band_rates", "episode_fee_pence": "episode_fee", "outcome_upfront_share": "outcome_upfront_share",
    "outcome_partial_share": "outcome_partial_share", "reward_share": "reward_share",
    "hours_saved_share": "hours_saved_share", "hours_saved_months": "hours_saved_months",
    "retainer_days": "retainer_days", "bank_expiry_weeks": "bank_expiry_weeks",
}
CLIENT_COLUMNS = {
    "ref": "ref", "council_ref": "council_ref", "name": "name", "date_of_birth": "date_of_birth",
    "address": "address", "postcode": "postcode", "phone": "phone", "contract_ref": "contract_ref",
    "category": "category", "funding": "funding", "personal_budget_weekly_pence": "personal_budget_weekly",
    "start_date": "start_date", "end_date": "end_date", "end_reason": "end_reason", "ot_required": "ot_required",
    "social_worker": "social_worker", "key_worker": "key_worker", "team": "team",
}
WORKER_COLUMNS = {"ref": "ref", "name": "name", "team": "team", "role": "role", "contracted_hours": "contracted_hours"}
OUTCOME_COLUMNS = {"description": "description", "domain": "domain", "agreed_date": "agreed_date",
                   "target_date": "target_date", "fee_pence": "fee"}
ENVELOPE_COLUMNS = {"hours_per_week": "hours_per_week", "band": "band", "reason": "reason"}
SUSPENSION_COLUMNS = {"end_date": "end_date", "reason": "reason"}
BRANCH_COLUMNS = {"name": "name", "address": "address", "phone": "phone", "email": "email", "cqc_location_id": "cqc_location_id"}
PENCE_COLUMNS = {"hourly_rate_pence", "episode_fee_pence", "personal_budget_weekly_pence", "fee_pence"}


@dataclass
class CaseloadWorkbook:
    """A caseload workbook as read: each sheet's rows (number, {column: value}) and what was wrong with its layout."""

    path: Path | None
    rows: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)
    columns: dict[str, set[str]] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    unusable: set[str] = field(default_factory=set)

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def _unneutralise(value):
    """Undo the apostrophe an export puts before text starting with = + - @."""
    if isinstance(value, str):
        value = value.strip()
        if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
            return value[1:].strip()
    return value


def read_caseload(path: Path | str, progress: Progress = None, abort: Abort = None) -> CaseloadWorkbook:
    """Read a caseload workbook's sheets, noting missing sheets and columns as problems.

    Raises ``BranchDeskError`` with a plain sentence when the file is not an XLSX workbook.
    """
    path = Path(path)
    workbook = CaseloadWorkbook(path)
    seen = 0
    with open_xlsx(path) as book:
        for spec in SHEETS:
            sheet = book.sheet(spec.name)
            if sheet is None:
                if spec.name != "Branch":
                    workbook.problems.append(ImportProblem(spec.name, None, "", _(
                        "The workbook has no “{sheet}” sheet. Add it, even if it holds only its header row.").format(sheet=spec.name)))
                    workbook.unusable.add(spec.name)
                continue
            sheet.header = [" ".join(h.split()).replace(" ", "_") for h in sheet.header]  # "Client Ref" is client_ref
            workbook.columns[spec.name] = sheet.columns
            duplicated = sorted({h for h in sheet.header if h and sheet.header.count(h) > 1})
            for column in duplicated:
                workbook.problems.append(ImportProblem(spec.name, sheet.header_row, column, _(
                    "The column “{column}” appears more than once; keep only one.").format(column=column)))
            missing = [c for c in spec.required if c not in sheet.columns]
            for column in missing:
                workbook.problems.append(ImportProblem(spec.name, sheet.header_row, column, _(
                    "The required column “{column}” is missing from the header row.").format(column=column)))
            if missing or duplicated:
                workbook.unusable.add(spec.name)
                continue
            rows: list[tuple[int, dict]] = []
            try:
                for number, values in sheet.rows(limit=MAX_ROWS_PER_SHEET):
                    rows.append((number, {k: _unneutralise(v) for k, v in values.items() if k in spec.columns}))
                    seen += 1
                    if seen % PROGRESS_EVERY == 0:
                        if abort and abort():
                            raise _Cancelled
                        if progress:
                            progress(seen, 0, _("Reading the {sheet} sheet… ({n:,} rows)").format(sheet=spec.name, n=seen))
            except SheetTooLong as error:
                workbook.problems.append(ImportProblem(spec.name, None, "", str(error)))
                workbook.unusable.add(spec.name)
                rows = []
            workbook.rows[spec.name] = rows
    return workbook


class _Cancelled(Exception):
    """The user stopped the import."""


# -- what is already in the branch ------------------------------------------------------
class _Existing:
    """The branch's records keyed as the workbook names them (refs, dates)."""

    def __init__(self, store: Store | None):
        self.branch: dict | None = None
        self.contracts: dict[str, dict] = {}
        self.clients: dict[str, dict] = {}
        self.workers: dict[str, dict] = {}
        self.outcomes: dict[tuple[str, str], dict] = {}
        self.envelopes: dict[tuple[str, str], dict] = {}
        self.suspensions: dict[tuple[str, str], dict] = {}
        self.reviews: dict[tuple[str, str], dict] = {}
        if store is None:
            return
        row = store.row("SELECT * FROM branch WHERE id = 1")
        self.branch = dict(row) if row else None
        contract_refs = {}
        for r in store.rows("SELECT * FROM contracts"):
            self.contracts[r["ref"]] = dict(r)
            contract_refs[r["id"]] = r["ref"]
        client_refs = {}
        for r in store.rows("SELECT * FROM clients"):
            values = dict(r)
            values["contract_ref"] = contract_refs[r["contract_id"]]
            self.clients[r["ref"]] = values
            client_refs[r["id"]] = r["ref"]
        self.workers = {r["ref"]: dict(r) for r in store.rows("SELECT * FROM workers")}
        outcome_refs = {}
        for r in store.rows("SELECT * FROM outcomes"):
            self.outcomes[(client_refs[r["client_id"]], r["ref"])] = dict(r)
            outcome_refs[r["id"]] = r["ref"]
        for r in store.rows("SELECT * FROM envelopes"):
            self.envelopes[(client_refs[r["client_id"]], r["effective_date"])] = dict(r)
        for r in store.rows("SELECT * FROM suspensions"):
            self.suspensions[(client_refs[r["client_id"]], r["start_date"])] = dict(r)
        by_id = {}
        for r in store.rows("SELECT * FROM reviews"):
            values = dict(r)
            values["outcomes"] = {}
            self.reviews[(client_refs[r["client_id"]], r["review_date"])] = values
            by_id[r["id"]] = values
        for r in store.rows("SELECT * FROM review_outcomes"):
            by_id[r["review_id"]]["outcomes"][outcome_refs[r["outcome_id"]]] = {"status": r["status"], "notes": r["notes"]}
        self.client_ids = {ref: values["id"] for ref, values in self.clients.items()}


@dataclass
class _Change:
    """One record the import adds or changes."""

    kind: str
    key: tuple
    new: dict
    old: dict | None = None
    detail: str = ""


class _CaseloadImport:
    """Checks a workbook against the branch, then (when asked and when clean) writes it."""

    def __init__(self, workbook: CaseloadWorkbook, existing: _Existing, report: ImportReport, today: dt.date,
                 progress: Progress, abort: Abort):
        self.workbook, self.existing, self.report, self.today = workbook, existing, report, today
        self.progress, self.abort = progress, abort
        self.done = 0
        self.total = max(workbook.row_count, 1)
        self.changes: list[_Change] = []
        # what the branch will hold once imported, for checking references between sheets
        self.contracts: dict[str, dict] = {}
        self.clients: dict[str, dict] = {}
        self.outcomes: dict[tuple[str, str], dict] = {}

    # -- helpers --------------------------------------------------------------------
    def problem(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.report.problem(sheet, row, column, message)

    def rows(self, sheet: str):
        for number, values in self.workbook.rows.get(sheet, []):
            self.done += 1
            if self.done % PROGRESS_EVERY == 0:
                if self.abort and self.abort():
                    raise _Cancelled
                if self.progress:
                    self.progress(self.done, self.total, _("Checking the {sheet} sheet…").format(sheet=sheet))
            yield number, values

    def present(self, sheet: str, mapping: dict[str, str]) -> list[str]:
        """Database columns whose workbook column is in the sheet (absent columns keep their values)."""
        columns = self.workbook.columns.get(sheet, set())
        return [db for db, wb in mapping.items() if wb in columns]

    def usable(self, sheet: str) -> bool:
        return sheet not in self.workbook.unusable

    def known_client(self, sheet: str, number: int, ref: str) -> bool:
        if not ref:
            self.problem(sheet, number, "client_ref", _("Enter the client's ref."))
            return False
        if ref in self.clients or ref in self.existing.clients:
            return True
        if self.usable("Clients"):
            self.problem(sheet, number, "client_ref", _("There is no client “{ref}” on the Clients sheet or in this branch.").format(ref=ref))
        return False

    def date(self, sheet: str, number: int, values: dict, column: str, what: str, required: bool) -> dt.date | None:
        try:
            day = parse_optional_date(values.get(column))
        except ValueError as error:
            self.problem(sheet, number, column, _("The {what} is not a valid date: {why}.").format(what=what, why=error))
            return None
        if day is None and required:
            self.problem(sheet, number, column, _("Enter the {what}.").format(what=what))
        return day

    def choice(self, sheet: str, number: int, values: dict, column: str, allowed: tuple[str, ...], what: str, required: bool) -> str | None:
        raw = values.get(column)
        text = "" if raw is None else str(raw).strip().lower()
        if not text:
            if required:
                self.problem(sheet, number, column, _("Enter the {what} (one of: {values}).").format(what=what, values=", ".join(allowed)))
            return None
        if text not in allowed:
            self.problem(sheet, number, column, _("“{value}” is not {what}; use one of: {values}.").format(
                value=raw, what=a_or_an(what), values=", ".join(allowed)))
            return None
        return text

    def too_large(self, sheet: str, number: int, values: dict, row: dict, mapping: dict[str, str]) -> bool:
        """Report each whole number (pence, days, months) too large to store; True when there was one."""
        found = False
        for db, wb in mapping.items():
            value = row.get(db)
            if isinstance(value, int) and abs(value) > LARGEST_WHOLE_NUMBER:
                self.problem(sheet, number, wb, _("“{value}” is far too large for the {what}; check the number.").format(
                    value=values.get(wb), what=wb.replace("_", " ")))
                found = True
        return found

    def compare(self, kind: str, key: tuple, new: dict, old: dict | None, columns: list[str], label: str) -> None:
        """Record an add, a change (with what changed) or an unchanged record."""
        if old is None:
            self.changes.append(_Change(kind, key, new, None, _("New: {label}").format(label=label)))
            self.report.count("added", kind)
            return
        differences = [c for c in columns if c in new and not _same(old.get(c), new[c])]
        if not differences:
            self.report.count("unchanged", kind)
            return
        shown = "; ".join(f"{c.replace('_pence', '').replace('_', ' ')} {_show(c, old.get(c))} → {_show(c, new[c])}" for c in differences)
        self.changes.append(_Change(kind, key, {c: new[c] for c in differences}, old,
                                    _("{label}: {changes}").format(label=label[:1].upper() + label[1:], changes=shown)))
        self.report.count("changed", kind)

    # -- sheets -----------------------------------------------------------------------
    def check(self) -> None:
        self.check_branch()
        self.check_contracts()
        self.check_workers()
        self.check_clients()
        self.check_outcomes()
        self.check_envelopes()
        self.check_suspensions()
        self.check_reviews()

    def check_branch(self) -> None:
        rows = list(self.rows("Branch"))
        if not rows:
            return
        if len(rows) > 1:
            self.problem("Branch", rows[1][0], "", _("The Branch sheet should have one row of details; remove the others."))
        number, values = rows[0]
        new = {db: str(values.get(wb) or "").strip() for db, wb in BRANCH_COLUMNS.items()}
        columns = self.present("Branch", BRANCH_COLUMNS)
        if not new["name"]:  # no column of the Branch sheet is required: the name stays, or a new branch is named after its file
            columns = [c for c in columns if c != "name"]
        email = new["email"]
        if email and ("@" not in email or " " in email):
            self.problem("Branch", number, "email", _("“{email}” is not an email address.").format(email=email))
        self.compare("branch details", (), {c: new[c] for c in columns}, self.existing.branch, columns, _("branch details"))

    def check_contracts(self) -> None:
        columns = self.present("Contracts", CONTRACT_COLUMNS)
        for number, values in self.rows("Contracts"):
            try:
                contract = contract_from_form(values)
            except ValidationError as error:
                for p in error.problems:
                    self.problem("Contracts", number, p.field, p.message)
                ref = str(values.get("ref") or "").strip()
                if ref:
                    self.contracts.setdefault(ref, {"band_rates": ""})
                continue
            row = contract_to_row(contract)
            if row["ref"] in self.contracts:
                self.problem("Contracts", number, "ref", _("The contract ref “{ref}” appears more than once.").format(ref=row["ref"]))
                continue
            self.contracts[row["ref"]] = row
            if self.too_large("Contracts", number, values, row, CONTRACT_COLUMNS):
                continue
            self.compare("contracts", (row["ref"],), row, self.existing.contracts.get(row["ref"]), columns,
                         _("contract {ref} ({council})").format(ref=row["ref"], council=row["council"]))

    def check_workers(self) -> None:
        columns = self.present("Workers", WORKER_COLUMNS)
        seen: set[str] = set()
        for number, values in self.rows("Workers"):
            try:
                worker = worker_from_form(values)
            except ValidationError as error:
                for p in error.problems:
                    self.problem("Workers", number, p.field, p.message)
                continue
            if worker.ref in seen:
                self.problem("Workers", number, "ref", _("The worker ref “{ref}” appears more than once.").format(ref=worker.ref))
                continue
            seen.add(worker.ref)
            row = {"ref": worker.ref, "name": worker.name, "team": worker.team, "role": worker.role,
                   "contracted_hours": None if worker.contracted_hours is None else format_decimal(worker.contracted_hours)}
            self.compare("workers", (worker.ref,), row, self.existing.workers.get(worker.ref), columns,
                         _("worker {ref} ({name})").format(ref=worker.ref, name=worker.name))

    def check_clients(self) -> None:
        columns = self.present("Clients", CLIENT_COLUMNS)
        contract_refs = set(self.contracts) | set(self.existing.contracts)
        ids = {ref: 0 for ref in contract_refs}
        for number, values in self.rows("Clients"):
            ref = str(values.get("ref") or "").strip()
            contract_ref = str(values.get("contract_ref") or "").strip()
            checked = dict(values)
            if contract_ref and contract_ref not in contract_refs and not self.usable("Contracts"):
                checked["contract_ref"] = ""  # the Contracts sheet itself is broken; say so only there
            try:
                client = client_from_form(checked, ids, today=self.today)
            except ValidationError as error:
                for p in error.problems:
                    if p.field == "contract_ref" and not checked.get("contract_ref") and contract_ref:
                        continue
                    self.problem("Clients", number, p.field, p.message)
                if ref:
                    self.clients.setdefault(ref, {"start_date": None, "contract_ref": contract_ref})
                continue
            if ref in self.clients:
                self.problem("Clients", number, "ref", _("The client ref “{ref}” appears more than once.").format(ref=ref))
                continue
            row = {
                "ref": client.ref, "council_ref": client.council_ref, "name": client.name,
                "date_of_birth": iso(client.date_of_birth), "address": client.address, "postcode": client.postcode,
                "phone": client.phone, "contract_ref": contract_ref, "category": client.category, "funding": client.funding,
                "personal_budget_weekly_pence": client.personal_budget_weekly_pence, "start_date": iso(client.start_date),
                "end_date": iso(client.end_date), "end_reason": client.end_reason, "ot_required": 1 if client.ot_required else 0,
                "social_worker": client.social_worker, "key_worker": client.key_worker, "team": client.team,
            }
            self.clients[ref] = row
            if self.too_large("Clients", number, values, row, CLIENT_COLUMNS):
                continue
            self.compare("clients", (ref,), row, self.existing.clients.get(ref), columns,
                         _("client {ref} ({name})").format(ref=ref, name=client.name))

    def client_start(self, ref: str) -> dt.date | None:
        values = self.clients.get(ref) or self.existing.clients.get(ref) or {}
        start = values.get("start_date")
        return dt.date.fromisoformat(start) if start else None

    def check_outcomes(self) -> None:
        columns = self.present("Outcomes", OUTCOME_COLUMNS)
        for number, values in self.rows("Outcomes"):
            client_ref = str(values.get("client_ref") or "").strip()
            known = self.known_client("Outcomes", number, client_ref)
            try:
                outcome = outcome_from_form(values)
            except ValidationError as error:
                for p in error.problems:
                    self.problem("Outcomes", number, p.field, p.message)
                ref = str(values.get("outcome_ref") or "").strip()
                if ref:
                    self.outcomes.setdefault((client_ref, ref), {"agreed_date": None})
                continue
            key = (client_ref, outcome.ref)
            if key in self.outcomes:
                self.problem("Outcomes", number, "outcome_ref", _("Client {client} has the outcome ref “{ref}” more than once.").format(
                    client=client_ref, ref=outcome.ref))
                continue
            row = {"description": outcome.description, "domain": outcome.domain, "agreed_date": iso(outcome.agreed_date),
                   "target_date": iso(outcome.target_date), "fee_pence": outcome.fee_pence}
            self.outcomes[key] = row
            if known and not self.too_large("Outcomes", number, values, row, OUTCOME_COLUMNS):
                self.compare("outcomes", key, row, self.existing.outcomes.get(key), columns,
                             _("outcome {ref} of client {client}").format(ref=outcome.ref, client=client_ref))

    def check_envelopes(self) -> None:
        columns = self.present("Envelopes", ENVELOPE_COLUMNS)
        seen: set[tuple[str, str]] = set()
        firsts: dict[str, str] = {}
        for key in self.existing.envelopes:
            firsts[key[0]] = min(firsts.get(key[0], key[1]), key[1])
        pending = []
        for number, values in self.rows("Envelopes"):
            client_ref = str(values.get("client_ref") or "").strip()
            known = self.known_client("Envelopes", number, client_ref)
            day = self.date("Envelopes", number, values, "effective_date", _("effective date"), True)
            hours = None
            raw = values.get("hours_per_week")
            if raw is None or str(raw).strip() == "":
                self.problem("Envelopes", number, "hours_per_week", _("Enter the hours per week."))
            else:
                hours, found = parse_weekly_hours(raw, "hours_per_week")
                for p in found:
                    self.problem("Envelopes", number, p.field, p.message)
            reason = self.choice("Envelopes", number, values, "reason", ENVELOPE_REASONS, _("reason for the envelope"), False)
            band = str(values.get("band") or "").strip()
            if band and known:
                bands = self.client_bands(client_ref)
                if bands is not None and bands and band not in bands:
                    spelt = next((name for name in bands if name.casefold() == band.casefold()), None)
                    if spelt is not None:  # "Lower" for the contract's "lower": the contract's spelling is kept
                        band = spelt
                    else:
                        self.problem("Envelopes", number, "band", _("“{band}” is not a band of the client's contract (bands: {bands}).").format(
                            band=band, bands=", ".join(bands)))
            if not known or day is None or hours is None:
                continue
            key = (client_ref, day.isoformat())
            if key in seen:
                self.problem("Envelopes", number, "effective_date", _("Client {client} has two envelopes from {day}.").format(
                    client=client_ref, day=format_date(day)))
                continue
            seen.add(key)
            firsts[client_ref] = min(firsts.get(client_ref, key[1]), key[1])
            pending.append((key, {"hours_per_week": format_decimal(hours), "band": band, "reason": reason}))
        for key, row in pending:
            old = self.existing.envelopes.get(key)
            if row["reason"] is None:
                row["reason"] = old["reason"] if old else ("initial" if firsts.get(key[0]) == key[1] else "other")
            self.compare("envelopes", key, row, old, columns,
                         _("envelope of client {client} from {day}").format(client=key[0], day=format_date(key[1])))

    def client_bands(self, client_ref: str) -> list[str] | None:
        contract_ref = (self.clients.get(client_ref) or self.existing.clients.get(client_ref) or {}).get("contract_ref")
        contract = self.contracts.get(contract_ref) or self.existing.contracts.get(contract_ref)
        if contract is None:
            return None
        try:
            return list(parse_band_rates(contract.get("band_rates") or ""))
        except ValueError:
            return None

    def check_suspensions(self) -> None:
        columns = self.present("Suspensions", SUSPENSION_COLUMNS)
        by_client: dict[str, dict[str, tuple[str, int | None]]] = defaultdict(dict)
        for (client_ref, start), values in self.existing.suspensions.items():
            by_client[client_ref][start] = (values["end_date"], None)
        for number, values in self.rows("Suspensions"):
            client_ref = str(values.get("client_ref") or "").strip()
            known = self.known_client("Suspensions", number, client_ref)
            start = self.date("Suspensions", number, values, "start_date", _("start date"), True)
            end = self.date("Suspensions", number, values, "end_date", _("end date"), True)
            reason = self.choice("Suspensions", number, values, "reason", SUSPENSION_REASONS, _("suspension reason"), True)
            if start and end and end < start:
                self.problem("Suspensions", number, "end_date", _("The suspension ends ({end}) before it starts ({start}).").format(
                    end=format_date(end), start=format_date(start)))
                continue
            if not known or start is None or end is None or reason is None:
                continue
            key = (client_ref, start.isoformat())
            if by_client[client_ref].get(key[1], (None, None))[1] is not None:
                self.problem("Suspensions", number, "start_date", _("Client {client} has two suspensions starting {day}.").format(
                    client=client_ref, day=format_date(start)))
                continue
            by_client[client_ref][key[1]] = (end.isoformat(), number)
            self.compare("suspensions", key, {"end_date": end.isoformat(), "reason": reason}, self.existing.suspensions.get(key), columns,
                         _("suspension of client {client} from {day}").format(client=client_ref, day=format_date(start)))
        for client_ref, periods in by_client.items():
            ordered = sorted(periods.items())
            for (start_a, (end_a, _row_a)), (start_b, (_end_b, row_b)) in zip(ordered, ordered[1:], strict=False):
                if start_b <= end_a and row_b is not None:
                    self.problem("Suspensions", row_b, "start_date", _("This suspension of client {client} overlaps the one from {start} to {end}.").format(
                        client=client_ref, start=format_date(start_a), end=format_date(end_a)))

    def check_reviews(self) -> None:
        grouped: dict[tuple[str, str], dict] = {}
        for number, values in self.rows("Reviews"):
            client_ref = str(values.get("client_ref") or "").strip()
            known = self.known_client("Reviews", number, client_ref)
            day = self.date("Reviews", number, values, "review_date", _("review date"), True)
            method = self.choice("Reviews", number, values, "method", REVIEW_METHODS, _("review method"), True)
            status = self.choice("Reviews", number, values, "status", OUTCOME_STATUSES, _("outcome status"), True)
            outcome_ref = str(values.get("outcome_ref") or "").strip()
            notes = str(values.get("notes") or "").strip()
            outcome = None
            if not outcome_ref:
                self.problem("Reviews", number, "outcome_ref", _("Enter the ref of the outcome assessed."))
            elif known:
                outcome = self.outcomes.get((client_ref, outcome_ref)) or self.existing.outcomes.get((client_ref, outcome_ref))
                if outcome is None and self.usable("Outcomes"):
                    self.problem("Reviews", number, "outcome_ref", _("Client {client} has no outcome “{ref}” on the Outcomes sheet or in this branch.").format(
                        client=client_ref, ref=outcome_ref))
            if day and outcome and outcome.get("agreed_date") and day.isoformat() < outcome["agreed_date"]:
                self.problem("Reviews", number, "review_date", _("Outcome {ref} was agreed on {agreed}, after this review.").format(
                    ref=outcome_ref, agreed=format_date(outcome["agreed_date"])))
            start = self.client_start(client_ref) if known else None
            if day and start and day < start:
                self.problem("Reviews", number, "review_date", _("The review ({day}) is before the client's service started ({start}).").format(
                    day=format_date(day), start=format_date(start)))
            if not known or day is None or method is None or status is None or outcome is None:
                continue
            key = (client_ref, day.isoformat())
            review = grouped.setdefault(key, {"method": method, "outcomes": {}, "row": number})
            if review["method"] != method:
                self.problem("Reviews", number, "method", _("Rows for the review of client {client} on {day} give different methods ({a} and {b}); a review has one method.").format(
                    client=client_ref, day=format_date(day), a=review["method"], b=method))
                continue
            if outcome_ref in review["outcomes"]:
                self.problem("Reviews", number, "outcome_ref", _("Outcome {ref} is assessed twice in the review of client {client} on {day}.").format(
                    ref=outcome_ref, client=client_ref, day=format_date(day)))
                continue
            review["outcomes"][outcome_ref] = {"status": status, "notes": notes}
        for key, review in grouped.items():
            old = self.existing.reviews.get(key)
            label = _("review of client {client} on {day}").format(client=key[0], day=format_date(key[1]))
            if old is None:
                self.compare("reviews", key, review, None, [], label)
                continue
            changed = [ref for ref, value in review["outcomes"].items() if old["outcomes"].get(ref) != value]
            if old["method"] == review["method"] and not changed:
                self.report.count("unchanged", "reviews")
                continue
            parts = []
            if old["method"] != review["method"]:
                parts.append(_("method {a} → {b}").format(a=old["method"], b=review["method"]))
            for ref in changed:
                before = old["outcomes"].get(ref)
                parts.append(_("outcome {ref} {a} → {b}").format(ref=ref, a=before["status"] if before else _("not assessed"),
                                                                 b=review["outcomes"][ref]["status"]))
            self.changes.append(_Change("reviews", key, review, old, f"{label[:1].upper() + label[1:]}: {'; '.join(parts)}"))
            self.report.count("changed", "reviews")

    # -- writing -----------------------------------------------------------------------
    def write(self, store: Store) -> None:
        """Write every change in one transaction, each with an audit entry."""
        conn = store.conn
        contract_ids = {ref: values["id"] for ref, values in self.existing.contracts.items()}
        client_ids = dict(self.existing.client_ids) if self.existing.clients else {}
        outcome_ids = {key: values["id"] for key, values in self.existing.outcomes.items()}
        total = max(len(self.changes), 1)

        def insert(table: str, values: dict) -> int:
            names = ", ".join(values)
            marks = ", ".join("?" for _v in values)
            return conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(values.values())).lastrowid

        def update(table: str, row_id: int, values: dict) -> None:
            sets = ", ".join(f"{name} = ?" for name in values)
            conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*values.values(), row_id))

        def audit(change: _Change, entity: str, row_id: int, client_ref: str | None) -> None:
            old = None if change.old is None else {k: change.old.get(k) for k in change.new if k != "outcomes"}
            new = {k: v for k, v in change.new.items() if k not in ("outcomes", "row")}
            if change.kind == "reviews":
                new["outcomes"] = change.new["outcomes"]
                if old is not None:
                    old["outcomes"] = change.old["outcomes"]
            store.audit("create" if change.old is None else "update", entity, row_id, change.detail, old=old, new=new,
                        client_id=client_ids.get(client_ref) if client_ref else None)

        with store.transaction():
            if self.existing.branch is None and not any(c.kind == "branch details" for c in self.changes):
                name = store.path.stem
                insert("branch", {"id": 1, "name": name})
                store.audit("create", "branch", 1, _("Branch details entered"), new={"name": name})
            for index, change in enumerate(self.changes, start=1):
                if index % PROGRESS_EVERY == 0 and self.progress:
                    self.progress(index, total, _("Saving… ({n:,} of {total:,})").format(n=index, total=total))
                kind, key, new = change.kind, change.key, change.new
                if kind == "branch details":
                    if change.old is None:
                        values = {"id": 1, **new}
                        values.setdefault("name", store.path.stem)
                        insert("branch", values)
                    else:
                        update("branch", 1, new)
                    audit(change, "branch", 1, None)
                elif kind == "contracts":
                    if change.old is None:
                        contract_ids[key[0]] = insert("contracts", new)
                    else:
                        update("contracts", change.old["id"], new)
                    audit(change, "contract", contract_ids[key[0]], None)
                elif kind == "workers":
                    row_id = insert("workers", new) if change.old is None else change.old["id"]
                    if change.old is not None:
                        update("workers", row_id, new)
                    audit(change, "worker", row_id, None)
                elif kind == "clients":
                    values = dict(new)
                    if "contract_ref" in values:
                        values["contract_id"] = contract_ids[values.pop("contract_ref")]
                    if change.old is None:
                        client_ids[key[0]] = insert("clients", values)
                    else:
                        update("clients", change.old["id"], values)
                    audit(change, "client", client_ids[key[0]], key[0])
                elif kind == "outcomes":
                    if change.old is None:
                        outcome_ids[key] = insert("outcomes", {"client_id": client_ids[key[0]], "ref": key[1], **new})
                    else:
                        update("outcomes", change.old["id"], new)
                    audit(change, "outcome", outcome_ids[key], key[0])
                elif kind == "envelopes":
                    if change.old is None:
                        row_id = insert("envelopes", {"client_id": client_ids[key[0]], "effective_date": key[1], **new})
                    else:
                        row_id = change.old["id"]
                        update("envelopes", row_id, new)
                    audit(change, "envelope", row_id, key[0])
                elif kind == "suspensions":
                    if change.old is None:
                        row_id = insert("suspensions", {"client_id": client_ids[key[0]], "start_date": key[1], **new})
                    else:
                        row_id = change.old["id"]
                        update("suspensions", row_id, new)
                    audit(change, "suspension", row_id, key[0])
                elif kind == "reviews":
                    if change.old is None:
                        row_id = insert("reviews", {"client_id": client_ids[key[0]], "review_date": key[1], "method": new["method"]})
                    else:
                        row_id = change.old["id"]
                        if change.old["method"] != new["method"]:
                            update("reviews", row_id, {"method": new["method"]})
                    for ref, assessed in new["outcomes"].items():
                        conn.execute(
                            "INSERT INTO review_outcomes (review_id, outcome_id, status, notes) VALUES (?, ?, ?, ?)"
                            " ON CONFLICT(review_id, outcome_id) DO UPDATE SET status = excluded.status, notes = excluded.notes",
                            (row_id, outcome_ids[(key[0], ref)], assessed["status"], assessed["notes"]))
                    audit(change, "review", row_id, key[0])
            source = self.workbook.path.name if self.workbook.path else _("a workbook")
            store.audit("create", "caseload import", None, _("Caseload workbook {name}: {summary}").format(
                name=source, summary=self.report.summary()))


def _same(old, new) -> bool:
    if old is None or old == "":
        return new is None or new == ""
    if new is None or new == "":
        return False
    if isinstance(new, str) and isinstance(old, str):
        return old == new
    return str(old) == str(new)


def _show(column: str, value) -> str:
    if value is None or value == "":
        return _("(empty)")
    if column in PENCE_COLUMNS:
        return format_money(int(value))
    if column.endswith("date"):
        return format_date(value)
    return f"“{value}”"


def import_caseload(
    store: Store | None,
    workbook_or_path: CaseloadWorkbook | Path | str,
    dry_run: bool = False,
    progress: Progress = None,
    abort: Abort = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Check a caseload workbook against the branch and, unless ``dry_run``, import it.

    Nothing is written when any problem is found (the report lists every one) or when
    ``abort()`` turns true. ``store`` may be None for a dry run against an empty branch.
    """
    if store is None and not dry_run:
        raise BranchDeskError(_("Open a branch file before importing a caseload."))
    report = ImportReport()
    try:
        workbook = workbook_or_path if isinstance(workbook_or_path, CaseloadWorkbook) else read_caseload(
            Path(workbook_or_path), progress, abort)
        report.problems.extend(workbook.problems)
        job = _CaseloadImport(workbook, _Existing(store), report, today or dt.date.today(), progress, abort)
        job.check()
        report.details = [change.detail for change in job.changes]
        if report.problems or dry_run:
            return report
        if abort and abort():
            raise _Cancelled
        if job.changes or job.existing.branch is None:  # a workbook already imported leaves the file as it was
            job.write(store)
    except _Cancelled:
        report.problem("", None, "", _("The import was stopped; nothing was imported."))
        return report
    report.applied = True
    return report


# -- export ---------------------------------------------------------------------------------
def _decimal(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _pounds(pence: int | None) -> Decimal | None:
    return None if pence is None else Decimal(pence) / 100


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def caseload_sheets(store: Store) -> dict[str, list[list]]:
    """Every sheet of the caseload workbook as rows of cell values (header first)."""
    contracts = {r["id"]: r["ref"] for r in store.rows("SELECT id, ref FROM contracts")}
    clients = {r["id"]: r["ref"] for r in store.rows("SELECT id, ref FROM clients")}
    outcomes = {r["id"]: r["ref"] for r in store.rows("SELECT id, ref FROM outcomes")}
    sheets: dict[str, list[list]] = {spec.name: [list(spec.columns)] for spec in SHEETS}
    branch = store.row("SELECT * FROM branch WHERE id = 1")
    if branch is not None:
        sheets["Branch"].append([branch[c] for c in SPEC_BY_NAME["Branch"].columns])
    for r in store.rows("SELECT * FROM contracts ORDER BY ref"):
        sheets["Contracts"].append([
            r["ref"], r["council"], r["commissioner"], r["address"], r["core_basis"], _pounds(r["hourly_rate_pence"]),
            _decimal(r["core_share"]), r["band_rates"], _pounds(r["episode_fee_pence"]) if r["episode_fee_pence"] else None,
            _decimal(r["outcome_upfront_share"]), _decimal(r["outcome_partial_share"]), _decimal(r["reward_share"]),
            _decimal(r["hours_saved_share"]), r["hours_saved_months"], r["retainer_days"], r["bank_expiry_weeks"],
            r["claim_prefix"], r["supplier_number"], r["purchase_order"], r["print_names"],
        ])
    for r in store.rows("SELECT * FROM clients ORDER BY ref"):
        sheets["Clients"].append([
            r["ref"], r["council_ref"], r["name"], _day(r["date_of_birth"]), r["address"], r["postcode"], r["phone"],
            contracts[r["contract_id"]], r["category"], r["funding"], _pounds(r["personal_budget_weekly_pence"]),
            _day(r["start_date"]), _day(r["end_date"]), r["end_reason"], "Y" if r["ot_required"] else "N",
            r["social_worker"], r["key_worker"], r["team"],
        ])
    for r in store.rows("SELECT e.* FROM envelopes e JOIN clients c ON c.id = e.client_id ORDER BY c.ref, e.effective_date"):
        sheets["Envelopes"].append([clients[r["client_id"]], _day(r["effective_date"]), _decimal(r["hours_per_week"]), r["band"], r["reason"]])
    for r in store.rows("SELECT o.* FROM outcomes o JOIN clients c ON c.id = o.client_id ORDER BY c.ref, o.ref"):
        sheets["Outcomes"].append([
            clients[r["client_id"]], r["ref"], r["description"], r["domain"], _day(r["agreed_date"]), _day(r["target_date"]),
            _pounds(r["fee_pence"]) if r["fee_pence"] else None,
        ])
    for r in store.rows("SELECT s.* FROM suspensions s JOIN clients c ON c.id = s.client_id ORDER BY c.ref, s.start_date"):
        sheets["Suspensions"].append([clients[r["client_id"]], _day(r["start_date"]), _day(r["end_date"]), r["reason"]])
    for r in store.rows(
        "SELECT r.client_id, r.review_date, r.method, ro.outcome_id, ro.status, ro.notes"
        " FROM review_outcomes ro JOIN reviews r ON r.id = ro.review_id JOIN clients c ON c.id = r.client_id"
        " JOIN outcomes o ON o.id = ro.outcome_id ORDER BY c.ref, r.review_date, o.ref"
    ):
        sheets["Reviews"].append([clients[r["client_id"]], _day(r["review_date"]), r["method"], outcomes[r["outcome_id"]], r["status"], r["notes"]])
    for r in store.rows("SELECT * FROM workers ORDER BY ref"):
        sheets["Workers"].append([r["ref"], r["name"], r["team"], r["role"], _decimal(r["contracted_hours"])])
    return sheets


def export_caseload(store: Store, path: Path | str) -> Path:
    """Write the branch's caseload workbook (SPEC §8) to ``path``; text that a spreadsheet
    would run as a formula is neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for name, rows in caseload_sheets(store).items():
        sheet = book.create_sheet(name)
        widths = [len(h) for h in rows[0]]
        for values in rows:
            cells = [safe_cell(v) for v in values]
            sheet.append(cells)
            for i, value in enumerate(cells):
                widths[i] = max(widths[i], min(len(str(value)) if value is not None else 0, 50))
        for cell in sheet[1]:
            cell.font = bold
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width + 2
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
    temporary = path.with_name(path.name + ".part")
    try:
        book.save(temporary)
        os.replace(temporary, path)
    except PermissionError:
        temporary.unlink(missing_ok=True)
        raise BranchDeskError(_("BranchDesk cannot write “{name}”. If it is open in a spreadsheet program, close it there and try again.").format(
            name=path.name)) from None
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise BranchDeskError(_("The workbook could not be saved to “{name}” ({why}).").format(name=path.name, why=error.strerror)) from None
    return path
