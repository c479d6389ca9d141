"""Help → Check this branch file, and ``branchdesk-cli check``: is everything in the file sound?

SQLite's own checks (the file's structure, links between records) and ours: every
client in service has an hours envelope, issued claims still add up to the totals
they were issued with, claim numbers run without gaps or repeats, hours banks never
go below zero. Each finding is one plain sentence; an empty list means all is well.
A client without an envelope is a record to complete, not a fault in the file, so
``branchdesk-cli check`` lists it but still exits 0.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal, InvalidOperation

from branchdesk.i18n import _
from branchdesk.models.db import APPLICATION_ID, Store
from branchdesk.models.money import format_money
from branchdesk.models.schema import SCHEMA_VERSION

#: At most this many findings of one kind are spelt out; the rest are counted.
MAX_EXAMPLES = 10

TABLE_NAMES = {
    "clients": _("clients"),
    "contacts": _("contacts"),
    "client_notes": _("client notes"),
    "outcomes": _("outcomes"),
    "envelopes": _("hours envelopes"),
    "ideal_weeks": _("ideal weeks"),
    "ideal_week_items": _("ideal-week items"),
    "ideal_week_item_outcomes": _("ideal-week item outcomes"),
    "ideal_week_item_workers": _("ideal-week preferred workers"),
    "hours_bank": _("hours-bank entries"),
    "visits": _("visits"),
    "suspensions": _("suspensions"),
    "reviews": _("reviews"),
    "review_outcomes": _("review outcomes"),
    "claims": _("claims"),
    "claim_lines": _("claim lines"),
    "claim_payments": _("claim payments"),
}


def check_branch(store: Store, today: dt.date | None = None) -> list[str]:
    """Every problem found in the branch file, as plain sentences (empty: all checks passed)."""
    structure = _structure(store)
    if structure:
        return structure  # our own checks would read damaged pages; restore first
    return _unsound(store) + records_to_complete(store, today)


def file_problems(store: Store) -> list[str]:
    """What makes the file unsound (damage, broken links, issued claims that no longer match);
    records still to complete are left to ``records_to_complete``."""
    return _structure(store) or _unsound(store)


def records_to_complete(store: Store, today: dt.date | None = None) -> list[str]:
    """Gaps in sound data that the manager should fill in: clients in service without an hours envelope."""
    return _envelopes(store, today or dt.date.today())


def _unsound(store: Store) -> list[str]:
    findings: list[str] = []
    for check in (_foreign_keys, _version, _claims_add_up, _claim_numbers, _claims_sealed, _credit_notes, _hours_banks):
        findings += check(store)
    return findings


def _limited(found: list[str], more: str) -> list[str]:
    if len(found) <= MAX_EXAMPLES:
        return found
    return [*found[:MAX_EXAMPLES], more.format(count=len(found) - MAX_EXAMPLES)]


def _structure(store: Store) -> list[str]:
    try:
        verdicts = [row[0] for row in store.rows("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as error:
        verdicts = [str(error)]
    if verdicts == ["ok"]:
        return []
    return [
        _("The branch file is damaged: SQLite's integrity check reports “{detail}”. Stop using it and restore "
          "the latest good backup (File → Restore…).").format(detail="; ".join(verdicts[:3]))
    ]


def _foreign_keys(store: Store) -> list[str]:
    counts: dict[str, int] = {}
    for row in store.rows("PRAGMA foreign_key_check"):
        counts[row[0]] = counts.get(row[0], 0) + 1
    return [
        _("{count} of the {what} refer to records that no longer exist.").format(count=count, what=TABLE_NAMES.get(table, table))
        for table, count in sorted(counts.items())
    ]


def _version(store: Store) -> list[str]:
    found = []
    if store.value("PRAGMA application_id") != APPLICATION_ID:
        found.append(_("The file is not marked as a BranchDesk branch file."))
    if store.value("PRAGMA user_version") != SCHEMA_VERSION:
        found.append(_("The file's version ({version}) is not the one this BranchDesk uses ({expected}).").format(
            version=store.value("PRAGMA user_version"), expected=SCHEMA_VERSION))
    return found


def _claims_add_up(store: Store) -> list[str]:
    rows = store.rows(
        "SELECT c.number, c.total_pence, coalesce(sum(l.amount_pence), 0) AS lines_pence, count(l.id) AS line_count"
        " FROM claims c LEFT JOIN claim_lines l ON l.claim_id = c.id GROUP BY c.id"
        " HAVING lines_pence <> c.total_pence ORDER BY c.contract_id, c.seq"
    )
    found = [
        _("Issued claim {number} was issued for {total} but its lines now add up to {lines}.").format(
            number=row["number"], total=format_money(row["total_pence"]), lines=format_money(row["lines_pence"]))
        for row in rows
    ]
    return _limited(found, _("…and {count} more issued claims whose lines do not add up to their totals."))


def _claim_numbers(store: Store) -> list[str]:
    found = []
    for contract in store.rows("SELECT id, ref FROM contracts ORDER BY ref"):
        numbers = store.rows("SELECT seq, number FROM claims WHERE contract_id = ? ORDER BY seq", (contract["id"],))
        seqs = [row["seq"] for row in numbers]
        if not seqs:
            continue
        missing = sorted(set(range(1, max(seqs) + 1)) - set(seqs))
        repeated = sorted({seq for seq in seqs if seqs.count(seq) > 1})
        if missing:
            found.append(_("Claim numbers for contract {ref} have a gap: number(s) {numbers} are missing.").format(
                ref=contract["ref"], numbers=", ".join(str(seq) for seq in missing[:MAX_EXAMPLES])))
        if repeated:
            found.append(_("Claim numbers for contract {ref} are used twice: {numbers}.").format(
                ref=contract["ref"], numbers=", ".join(str(seq) for seq in repeated[:MAX_EXAMPLES])))
        for row in numbers:
            if not str(row["number"]).endswith(str(row["seq"])):
                found.append(_("Claim {number} of contract {ref} does not carry its sequence number {seq}.").format(
                    number=row["number"], ref=contract["ref"], seq=row["seq"]))
    return found


def _claims_sealed(store: Store) -> list[str]:
    numbers = [row["number"] for row in store.rows("SELECT number FROM claims WHERE sealed = 0 ORDER BY contract_id, seq")]
    if not numbers:
        return []
    return [_("Issued claim(s) {numbers} are not frozen, so they could be changed.").format(numbers=", ".join(numbers[:MAX_EXAMPLES]))]


def _credit_notes(store: Store) -> list[str]:
    rows = store.rows(
        "SELECT n.number, c.number AS credited FROM claims n JOIN claims c ON c.id = n.credits_claim_id"
        " WHERE n.kind = 'credit_note' AND n.contract_id <> c.contract_id"
    )
    return [
        _("Credit note {number} credits claim {credited}, which belongs to another contract.").format(number=row["number"], credited=row["credited"])
        for row in rows
    ]


def _hours_banks(store: Store) -> list[str]:
    balances: dict[int, Decimal] = {}
    for row in store.rows("SELECT client_id, kind, hours FROM hours_bank"):
        try:
            hours = Decimal(row["hours"])
        except InvalidOperation:
            continue
        balances[row["client_id"]] = balances.get(row["client_id"], Decimal(0)) + (hours if row["kind"] == "store" else -hours)
    below = [client_id for client_id, balance in balances.items() if balance < 0]
    if not below:
        return []
    placeholders = ",".join("?" * len(below))
    refs = [row["ref"] for row in store.rows(f"SELECT ref FROM clients WHERE id IN ({placeholders}) ORDER BY ref", below)]
    return [_("The hours bank of client(s) {refs} has more drawn down than was stored.").format(refs=", ".join(refs[:MAX_EXAMPLES]))]


def _envelopes(store: Store, today: dt.date) -> list[str]:
    rows = store.rows(
        "SELECT ref, name FROM clients c WHERE (end_date IS NULL OR end_date >= ?) AND start_date <= ?"
        " AND NOT EXISTS (SELECT 1 FROM envelopes e WHERE e.client_id = c.id) ORDER BY ref",
        (today.isoformat(), today.isoformat()),
    )
    found = [
        _("Client {ref} ({name}) is in service but has no hours envelope; enter one on the client's page.").format(ref=row["ref"], name=row["name"])
        for row in rows
    ]
    return _limited(found, _("…and {count} more clients in service without an hours envelope."))
