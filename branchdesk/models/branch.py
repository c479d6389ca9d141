"""The branch itself: name, address, contact details, bank details and claim signatory."""

from __future__ import annotations

from branchdesk.i18n import _
from branchdesk.models.db import Store
from branchdesk.models.errors import Problem, ValidationError

BRANCH_FIELDS = (
    "name",
    "address",
    "phone",
    "email",
    "cqc_location_id",
    "bank_account_name",
    "bank_sort_code",
    "bank_account_number",
    "signatory_name",
    "signatory_role",
)


def get_branch(store: Store) -> dict:
    """The branch's details (text fields; empty strings where unset, ``logo`` bytes or None)."""
    row = store.row("SELECT * FROM branch WHERE id = 1")
    if row is None:
        details = {key: "" for key in BRANCH_FIELDS}
        details["name"] = store.path.stem
        details["logo"] = None
        return details
    return {key: row[key] for key in (*BRANCH_FIELDS, "logo")}


def validate_branch(values: dict) -> list[Problem]:
    problems = []
    if not str(values.get("name") or "").strip():
        problems.append(Problem("name", _("Enter the branch's name.")))
    email = str(values.get("email") or "").strip()
    if email and ("@" not in email or " " in email):
        problems.append(Problem("email", _("“{email}” is not an email address.").format(email=email)))
    return problems


def save_branch(store: Store, values: dict) -> None:
    """Save the branch's details in one transaction, with an audit entry."""
    problems = validate_branch(values)
    if problems:
        raise ValidationError(problems)
    old = store.row("SELECT * FROM branch WHERE id = 1")
    new = {key: str(values.get(key) or "").strip() for key in BRANCH_FIELDS if key in values or old is None}
    if "logo" in values:
        new["logo"] = values["logo"]
    with store.transaction():
        if old is None:
            store.db["branch"].insert({"id": 1, **new})
            store.audit("create", "branch", 1, _("Branch details entered"), new={k: v for k, v in new.items() if k != "logo"})
        else:
            store.db["branch"].update(1, new)
            before = {k: old[k] for k in new if k != "logo"}
            store.audit("update", "branch", 1, _("Branch details changed"), old=before, new={k: v for k, v in new.items() if k != "logo"})
