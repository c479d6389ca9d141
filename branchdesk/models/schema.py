"""The branch file's schema and its numbered forward migrations.

The version lives in ``PRAGMA user_version``. ``upgrade_to_N`` takes a file from
version N-1 to N; all pending upgrades run in one transaction after a backup copy
of the file has been written (see ``db.open_branch``).
"""

from __future__ import annotations

import sqlite3

CATEGORIES = ("reablement", "long_term", "dementia", "palliative")
FUNDING = ("council", "direct_payment", "isf", "self_funder")
END_REASONS = ("no_further_care", "moved_provider", "residential_care", "hospital", "died", "other")
DOMAINS = (
    "control_daily_life",
    "personal_care",
    "food_drink",
    "safety",
    "social_participation",
    "occupation",
    "accommodation",
    "dignity",
    "health",
    "end_of_life",
)
OUTCOME_STATUSES = ("active", "achieved", "partly", "not_achieved", "withdrawn")
ENVELOPE_REASONS = ("initial", "independence", "community_link", "needs_increased", "needs_decreased", "other")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PARTS_OF_DAY = ("morning", "lunchtime", "afternoon", "teatime", "evening", "night")
ITEM_KINDS = ("paid_visit", "family", "friend", "community", "technology", "other")
VISIT_STATUSES = ("completed", "missed", "cancelled_by_client", "cancelled_by_provider", "no_access")
SUSPENSION_REASONS = ("hospital", "respite", "holiday", "other")
REVIEW_METHODS = ("visit", "phone")
CORE_BASES = ("envelope", "band", "delivered", "none")
COMPONENTS = (
    "core",
    "episode",
    "outcome_upfront",
    "outcome_achieved",
    "outcome_partial",
    "reward",
    "hours_saved",
    "adjustment",
)
CLAIM_KINDS = ("claim", "credit_note")
BANK_KINDS = ("store", "draw")
AUDIT_ACTIONS = ("create", "update", "delete")

SCHEMA_VERSION = 3


def _in(column: str, values: tuple[str, ...], nullable: bool = False) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    check = f"{column} IN ({quoted})"
    return f"CHECK ({column} IS NULL OR {check})" if nullable else f"CHECK ({check})"


def _is_decimal(column: str, nullable: bool = True) -> str:
    """A CHECK that a TEXT column holds a plain non-negative decimal such as ``10.5``."""
    check = (
        f"(typeof({column}) = 'text' AND {column} <> '' AND {column} NOT GLOB '*[^0-9.]*' "
        f"AND {column} NOT GLOB '*.*.*')"
    )
    return f"CHECK ({column} IS NULL OR {check})" if nullable else f"CHECK ({check})"


def _share(column: str) -> str:
    return f"{_is_decimal(column)} CHECK ({column} IS NULL OR CAST({column} AS REAL) <= 1)"


def _run(db: sqlite3.Connection, script: str) -> None:
    """Run each statement of ``script`` inside the caller's transaction.

    (``executescript`` would commit first, breaking the one-transaction upgrade.)
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        db.execute(statement)


def upgrade_to_1(db: sqlite3.Connection) -> None:
    """Every entity of the branch: contracts, clients, plans, visits, reviews, claims, audit."""
    _run(
        db,
        f"""
        CREATE TABLE branch (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL CHECK (trim(name) <> ''),
            address TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            cqc_location_id TEXT NOT NULL DEFAULT '',
            logo BLOB,
            bank_account_name TEXT NOT NULL DEFAULT '',
            bank_sort_code TEXT NOT NULL DEFAULT '',
            bank_account_number TEXT NOT NULL DEFAULT '',
            signatory_name TEXT NOT NULL DEFAULT '',
            signatory_role TEXT NOT NULL DEFAULT ''
        );

        CREATE TABLE contracts (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE CHECK (trim(ref) <> ''),
            council TEXT NOT NULL CHECK (trim(council) <> ''),
            commissioner TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT '',
            start_date TEXT,
            end_date TEXT,
            supplier_number TEXT NOT NULL DEFAULT '',
            purchase_order TEXT NOT NULL DEFAULT '',
            claim_prefix TEXT NOT NULL CHECK (trim(claim_prefix) <> ''),
            print_names TEXT NOT NULL DEFAULT 'initials' {_in('print_names', ('full', 'initials'))},
            core_basis TEXT NOT NULL {_in('core_basis', CORE_BASES)},
            hourly_rate_pence INTEGER NOT NULL CHECK (hourly_rate_pence >= 0),
            core_share TEXT {_share('core_share')},
            band_rates TEXT NOT NULL DEFAULT '',
            episode_fee_pence INTEGER NOT NULL DEFAULT 0 CHECK (episode_fee_pence >= 0),
            outcome_upfront_share TEXT {_share('outcome_upfront_share')},
            outcome_partial_share TEXT {_share('outcome_partial_share')},
            reward_share TEXT {_share('reward_share')},
            hours_saved_share TEXT {_share('hours_saved_share')},
            hours_saved_months INTEGER NOT NULL DEFAULT 0 CHECK (hours_saved_months >= 0),
            retainer_days INTEGER NOT NULL DEFAULT 0 CHECK (retainer_days >= 0),
            bank_expiry_weeks INTEGER NOT NULL DEFAULT 13 CHECK (bank_expiry_weeks >= 0),
            CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
        );

        CREATE TABLE workers (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE CHECK (trim(ref) <> ''),
            name TEXT NOT NULL CHECK (trim(name) <> ''),
            team TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL DEFAULT '',
            contracted_hours TEXT {_is_decimal('contracted_hours')},
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
        );

        CREATE TABLE clients (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE CHECK (trim(ref) <> ''),
            council_ref TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL CHECK (trim(name) <> ''),
            date_of_birth TEXT,
            address TEXT NOT NULL DEFAULT '',
            postcode TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            contract_id INTEGER NOT NULL REFERENCES contracts(id),
            category TEXT NOT NULL {_in('category', CATEGORIES)},
            funding TEXT NOT NULL {_in('funding', FUNDING)},
            personal_budget_weekly_pence INTEGER CHECK (personal_budget_weekly_pence IS NULL OR personal_budget_weekly_pence >= 0),
            start_date TEXT NOT NULL,
            end_date TEXT,
            end_reason TEXT {_in('end_reason', END_REASONS, nullable=True)},
            ot_required INTEGER NOT NULL DEFAULT 0 CHECK (ot_required IN (0, 1)),
            ot_done_date TEXT,
            social_worker TEXT NOT NULL DEFAULT '',
            key_worker TEXT NOT NULL DEFAULT '',
            team TEXT NOT NULL DEFAULT '',
            CHECK (end_date IS NULL OR end_date >= start_date),
            CHECK (end_reason IS NULL OR end_date IS NOT NULL)
        );
        CREATE INDEX clients_contract ON clients(contract_id);
        CREATE INDEX clients_council_ref ON clients(council_ref);

        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            name TEXT NOT NULL CHECK (trim(name) <> ''),
            relationship TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            may_be_told INTEGER NOT NULL DEFAULT 0 CHECK (may_be_told IN (0, 1))
        );
        CREATE INDEX contacts_client ON contacts(client_id);

        CREATE TABLE client_notes (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            written_on TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL
        );
        CREATE INDEX client_notes_client ON client_notes(client_id);

        CREATE TABLE outcomes (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            ref TEXT NOT NULL CHECK (trim(ref) <> ''),
            description TEXT NOT NULL CHECK (trim(description) <> ''),
            domain TEXT {_in('domain', DOMAINS, nullable=True)},
            agreed_date TEXT NOT NULL,
            target_date TEXT,
            fee_pence INTEGER NOT NULL DEFAULT 0 CHECK (fee_pence >= 0),
            withdrawn_date TEXT,
            UNIQUE (client_id, ref)
        );

        CREATE TABLE envelopes (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            effective_date TEXT NOT NULL,
            hours_per_week TEXT NOT NULL {_is_decimal('hours_per_week', nullable=False)},
            band TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT 'initial' {_in('reason', ENVELOPE_REASONS)},
            note TEXT NOT NULL DEFAULT '',
            review_id INTEGER REFERENCES reviews(id) ON DELETE SET NULL,
            UNIQUE (client_id, effective_date)
        );

        CREATE TABLE ideal_weeks (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            effective_date TEXT NOT NULL,
            agreed_with TEXT NOT NULL DEFAULT '',
            agreed_on TEXT,
            override_reason TEXT NOT NULL DEFAULT '',
            UNIQUE (client_id, effective_date)
        );

        CREATE TABLE ideal_week_items (
            id INTEGER PRIMARY KEY,
            ideal_week_id INTEGER NOT NULL REFERENCES ideal_weeks(id) ON DELETE CASCADE,
            day INTEGER NOT NULL CHECK (day BETWEEN 0 AND 6),
            part_of_day TEXT NOT NULL {_in('part_of_day', PARTS_OF_DAY)},
            kind TEXT NOT NULL {_in('kind', ITEM_KINDS)},
            approx_time TEXT,
            minutes INTEGER CHECK (minutes IS NULL OR minutes > 0),
            who TEXT NOT NULL DEFAULT '',
            purpose TEXT NOT NULL DEFAULT '',
            CHECK (kind <> 'paid_visit' OR minutes IS NOT NULL)
        );
        CREATE INDEX ideal_week_items_week ON ideal_week_items(ideal_week_id);

        CREATE TABLE ideal_week_item_outcomes (
            item_id INTEGER NOT NULL REFERENCES ideal_week_items(id) ON DELETE CASCADE,
            outcome_id INTEGER NOT NULL REFERENCES outcomes(id) ON DELETE CASCADE,
            PRIMARY KEY (item_id, outcome_id)
        );

        CREATE TABLE ideal_week_item_workers (
            item_id INTEGER NOT NULL REFERENCES ideal_week_items(id) ON DELETE CASCADE,
            worker_id INTEGER NOT NULL REFERENCES workers(id),
            PRIMARY KEY (item_id, worker_id)
        );

        CREATE TABLE hours_bank (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            kind TEXT NOT NULL {_in('kind', BANK_KINDS)},
            entry_date TEXT NOT NULL,
            week_start TEXT,
            hours TEXT NOT NULL {_is_decimal('hours', nullable=False)},
            purpose TEXT NOT NULL DEFAULT '',
            expires_on TEXT,
            CHECK (kind <> 'store' OR (week_start IS NOT NULL AND expires_on IS NOT NULL))
        );
        CREATE INDEX hours_bank_client ON hours_bank(client_id);

        CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            worker_id INTEGER REFERENCES workers(id),
            visit_date TEXT NOT NULL,
            planned_start TEXT,
            actual_start TEXT,
            actual_end TEXT,
            minutes INTEGER CHECK (minutes IS NULL OR minutes >= 0),
            status TEXT NOT NULL {_in('status', VISIT_STATUSES)},
            source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('import', 'manual')),
            match_key TEXT NOT NULL UNIQUE
        );
        CREATE INDEX visits_client_date ON visits(client_id, visit_date);
        CREATE INDEX visits_date ON visits(visit_date);
        CREATE INDEX visits_worker_date ON visits(worker_id, visit_date);

        CREATE TABLE suspensions (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            start_date TEXT NOT NULL,
            end_date TEXT NOT NULL,
            reason TEXT NOT NULL {_in('reason', SUSPENSION_REASONS)},
            note TEXT NOT NULL DEFAULT '',
            CHECK (end_date >= start_date)
        );
        CREATE INDEX suspensions_client ON suspensions(client_id);

        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            review_date TEXT NOT NULL,
            method TEXT NOT NULL {_in('method', REVIEW_METHODS)},
            participants TEXT NOT NULL DEFAULT '',
            satisfaction INTEGER CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5),
            satisfaction_words TEXT NOT NULL DEFAULT '',
            seq_self_care INTEGER CHECK (seq_self_care IS NULL OR seq_self_care IN (0, 1)),
            seq_technology INTEGER CHECK (seq_technology IS NULL OR seq_technology IN (0, 1)),
            seq_community INTEGER CHECK (seq_community IS NULL OR seq_community IN (0, 1)),
            seq_team INTEGER CHECK (seq_team IS NULL OR seq_team IN (0, 1)),
            sequence_notes TEXT NOT NULL DEFAULT '',
            envelope_decision TEXT NOT NULL DEFAULT 'unchanged' CHECK (envelope_decision IN ('unchanged', 'changed')),
            next_review_date TEXT,
            notes TEXT NOT NULL DEFAULT '',
            UNIQUE (client_id, review_date)
        );

        CREATE TABLE review_outcomes (
            review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
            outcome_id INTEGER NOT NULL REFERENCES outcomes(id) ON DELETE CASCADE,
            status TEXT NOT NULL {_in('status', OUTCOME_STATUSES)},
            notes TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (review_id, outcome_id)
        );
        CREATE INDEX review_outcomes_outcome ON review_outcomes(outcome_id);

        CREATE TABLE claims (
            id INTEGER PRIMARY KEY,
            contract_id INTEGER NOT NULL REFERENCES contracts(id),
            month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
            kind TEXT NOT NULL DEFAULT 'claim' {_in('kind', CLAIM_KINDS)},
            seq INTEGER NOT NULL CHECK (seq >= 1),
            number TEXT NOT NULL UNIQUE,
            issued_on TEXT NOT NULL,
            issued_by TEXT NOT NULL DEFAULT '',
            total_pence INTEGER NOT NULL,
            pdf BLOB,
            sealed INTEGER NOT NULL DEFAULT 0 CHECK (sealed IN (0, 1)),
            credits_claim_id INTEGER REFERENCES claims(id),
            credit_reason TEXT NOT NULL DEFAULT '',
            posted_on TEXT,
            queried_on TEXT,
            query_note TEXT NOT NULL DEFAULT '',
            UNIQUE (contract_id, seq),
            CHECK (kind = 'claim' OR credits_claim_id IS NOT NULL)
        );
        CREATE UNIQUE INDEX claims_one_per_month ON claims(contract_id, month) WHERE kind = 'claim';

        CREATE TABLE claim_lines (
            id INTEGER PRIMARY KEY,
            claim_id INTEGER NOT NULL REFERENCES claims(id),
            position INTEGER NOT NULL,
            client_id INTEGER REFERENCES clients(id) ON DELETE SET NULL,
            client_ref TEXT NOT NULL,
            council_ref TEXT NOT NULL DEFAULT '',
            client_name TEXT NOT NULL DEFAULT '',
            component TEXT NOT NULL {_in('component', COMPONENTS)},
            description TEXT NOT NULL,
            explanation TEXT NOT NULL DEFAULT '',
            amount_pence INTEGER NOT NULL,
            adjusts_month TEXT,
            adjusts_component TEXT
        );
        CREATE INDEX claim_lines_claim ON claim_lines(claim_id);

        CREATE TABLE claim_payments (
            id INTEGER PRIMARY KEY,
            claim_id INTEGER NOT NULL REFERENCES claims(id),
            paid_on TEXT NOT NULL,
            amount_pence INTEGER NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX claim_payments_claim ON claim_payments(claim_id);

        -- Issued claims are frozen: the store itself refuses to change or delete them.
        CREATE TRIGGER claims_frozen BEFORE UPDATE OF contract_id, month, kind, seq, number, issued_on,
            issued_by, total_pence, pdf, credits_claim_id ON claims
        WHEN OLD.sealed = 1
        BEGIN SELECT RAISE(ABORT, 'An issued claim cannot be changed.'); END;

        CREATE TRIGGER claims_stay_sealed BEFORE UPDATE OF sealed ON claims
        WHEN OLD.sealed = 1 AND NEW.sealed <> 1
        BEGIN SELECT RAISE(ABORT, 'An issued claim cannot be changed.'); END;

        CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims
        BEGIN SELECT RAISE(ABORT, 'An issued claim cannot be deleted.'); END;

        CREATE TRIGGER claim_lines_no_update BEFORE UPDATE ON claim_lines
        BEGIN SELECT RAISE(ABORT, 'An issued claim cannot be changed.'); END;

        CREATE TRIGGER claim_lines_no_delete BEFORE DELETE ON claim_lines
        BEGIN SELECT RAISE(ABORT, 'An issued claim cannot be changed.'); END;

        CREATE TRIGGER claim_lines_sealed BEFORE INSERT ON claim_lines
        WHEN (SELECT sealed FROM claims WHERE id = NEW.claim_id) = 1
        BEGIN SELECT RAISE(ABORT, 'An issued claim cannot be changed.'); END;

        CREATE TRIGGER claim_payments_no_delete BEFORE DELETE ON claim_payments
        BEGIN SELECT RAISE(ABORT, 'A recorded payment cannot be deleted; record a correction instead.'); END;

        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            action TEXT NOT NULL {_in('action', AUDIT_ACTIONS)},
            entity TEXT NOT NULL,
            entity_id INTEGER,
            client_id INTEGER,
            summary TEXT NOT NULL DEFAULT '',
            old_values TEXT,
            new_values TEXT
        );
        CREATE INDEX audit_client ON audit(client_id);
        CREATE INDEX audit_at ON audit(at);

        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'The audit log cannot be changed.'); END;

        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )


def upgrade_to_2(db: sqlite3.Connection) -> None:
    """Named column mappings for visit files from call-monitoring systems."""
    _run(
        db,
        """
        CREATE TABLE import_mappings (
            name TEXT PRIMARY KEY CHECK (trim(name) <> ''),
            mapping TEXT NOT NULL,
            saved_on TEXT NOT NULL
        );
        """
    )


def upgrade_to_3(db: sqlite3.Connection) -> None:
    """Issued claims also refuse ``INSERT OR REPLACE``, which deletes without firing delete triggers,
    and a credit note's reason is frozen with the rest of it."""
    _run(
        db,
        """
        DROP TRIGGER claims_frozen;
        CREATE TRIGGER claims_frozen BEFORE UPDATE OF contract_id, month, kind, seq, number, issued_on,
            issued_by, total_pence, pdf, credits_claim_id, credit_reason ON claims
        WHEN OLD.sealed = 1
        BEGIN SELECT RAISE(ABORT, 'An issued claim cannot be changed.'); END;

        CREATE TRIGGER claims_not_replaced BEFORE INSERT ON claims
        WHEN EXISTS (SELECT 1 FROM claims WHERE sealed = 1 AND (id = NEW.id OR number = NEW.number
            OR (contract_id = NEW.contract_id AND seq = NEW.seq)
            OR (kind = 'claim' AND NEW.kind = 'claim' AND contract_id = NEW.contract_id AND month = NEW.month)))
        BEGIN SELECT RAISE(ABORT, 'An issued claim cannot be changed.'); END;

        CREATE TRIGGER claims_not_replaced_by_update BEFORE UPDATE OF id, contract_id, month, kind, seq, number ON claims
        WHEN EXISTS (SELECT 1 FROM claims WHERE sealed = 1 AND id <> OLD.id AND (id = NEW.id OR number = NEW.number
            OR (contract_id = NEW.contract_id AND seq = NEW.seq)
            OR (kind = 'claim' AND NEW.kind = 'claim' AND contract_id = NEW.contract_id AND month = NEW.month)))
        BEGIN SELECT RAISE(ABORT, 'An issued claim cannot be changed.'); END;

        CREATE TRIGGER claim_lines_not_replaced BEFORE INSERT ON claim_lines
        WHEN EXISTS (SELECT 1 FROM claim_lines WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'An issued claim cannot be changed.'); END;
        """
    )


UPGRADES = {1: upgrade_to_1, 2: upgrade_to_2, 3: upgrade_to_3}
