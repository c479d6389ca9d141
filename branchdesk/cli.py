"""``branchdesk-cli``: every job of the app without a window, for scripting and tests.

Exit status 0 on success, 1 on a user or data error, 2 on a usage error. Errors go to
stderr as one plain sentence each; no traceback ever reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from branchdesk import __version__
from branchdesk.models.errors import BranchDeskError, ValidationError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
#: notes printed after an import's summary, at most
MAX_DETAILS = 10


class UsageError(Exception):
    """The command line itself is wrong (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and exit(2) itself
        raise UsageError(f"{message[0].upper()}{message[1:]}. Run “branchdesk-cli --help” for the commands.")


def _say_error(message: str) -> None:
    print(message, file=sys.stderr)


def _open(args, create: bool = False):
    from branchdesk.models.db import open_branch

    return open_branch(Path(args.db), create=create)


def _print_json(value) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=None))


# -- demo, check, backup ------------------------------------------------------------------
def cmd_demo(args) -> int:
    from branchdesk.models.demo import build_demo

    if args.clients < 1 or args.months < 1:
        raise UsageError("--clients and --months must be at least 1.")
    summary = build_demo(Path(args.db), clients=args.clients, months=args.months, seed=args.seed)
    print(summary)
    return EXIT_OK


def cmd_check(args) -> int:
    """Exit 1 only when the file is unsound; records still to complete are listed, exit 0."""
    from branchdesk.models.checks import file_problems, records_to_complete

    with _open(args) as store:
        findings = file_problems(store)
        to_complete = [] if findings else records_to_complete(store)
    if not findings:
        print(f"{args.db}: all checks passed.")
        for note in to_complete:
            print(note)
        return EXIT_OK
    for finding in findings:
        _say_error(finding)
    return EXIT_ERROR


def cmd_backup(args) -> int:
    from branchdesk.models.backups import back_up_now

    with _open(args) as store:
        destination = back_up_now(store, Path(args.to) if args.to else None)
    print(f"Backed up to {destination}")
    return EXIT_OK


# -- imports and exports ------------------------------------------------------------------
def _report_import(report, dry_run: bool) -> int:
    if report.problems:
        for problem in report.problems:
            _say_error(str(problem))
        count = len(report.problems)
        _say_error(f"Nothing was imported: {count} {'problem was' if count == 1 else 'problems were'} found.")
        return EXIT_ERROR
    print(report.summary(dry_run=dry_run))
    return EXIT_OK


def cmd_import_caseload(args) -> int:
    from branchdesk.models.caseload_workbook import import_caseload, read_caseload

    db = Path(args.db)
    workbook = read_caseload(Path(args.file))  # refuse a file that is not a workbook before creating a branch for it
    if not db.exists():  # check against an empty branch first: a bad workbook leaves no new file behind
        report = import_caseload(None, workbook, dry_run=True)
        if args.dry_run or report.problems:
            return _report_import(report, dry_run=args.dry_run)
    with _open(args, create=True) as store:
        report = import_caseload(store, workbook, dry_run=args.dry_run)
    return _report_import(report, args.dry_run)


def cmd_import_visits(args) -> int:
    from branchdesk.models.visits_import import import_visits_file

    with _open(args) as store:
        report = import_visits_file(store, Path(args.file), mapping_name=args.mapping, dry_run=args.dry_run)
    status = _report_import(report, args.dry_run)
    if status == EXIT_OK:
        for detail in report.details[:MAX_DETAILS]:  # the dates the file holds, rows it repeats, visits kept as corrected
            print(detail)
        if len(report.details) > MAX_DETAILS:
            print(f"…and {len(report.details) - MAX_DETAILS:,} more.")
    return status


def cmd_export_caseload(args) -> int:
    from branchdesk.models.caseload_workbook import export_caseload

    with _open(args) as store:
        export_caseload(store, Path(args.file))
    print(f"Caseload exported to {args.file}")
    return EXIT_OK


# -- claims -------------------------------------------------------------------------------
def cmd_claim_build(args) -> int:
    from branchdesk.models import claims

    with _open(args) as store:
        claim = claims.build_claim(store, args.contract, args.month)
        if args.pdf:
            claims.write_claim_pdf(store, claim, Path(args.pdf))
        if args.xlsx:
            claims.write_claim_xlsx(store, claim, Path(args.xlsx))
    if args.json:
        _print_json(claims.claim_as_json(claim))
    else:
        print(claims.claim_as_text(claim))
    return EXIT_OK


def _writable(path: str) -> None:
    """Refuse an output file that cannot be written before a claim is issued and numbered."""
    import os

    target = Path(path)
    folder = target.resolve().parent
    if target.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
        raise BranchDeskError(f"The file “{path}” cannot be written there, so no claim was issued; choose another folder.")


def cmd_claim_issue(args) -> int:
    from branchdesk.models import claims

    if args.pdf:
        _writable(args.pdf)
    with _open(args) as store:
        claim = claims.issue_claim(store, args.contract, args.month)
        if args.pdf:
            claims.write_claim_pdf(store, claim, Path(args.pdf))
    print(f"Issued claim {claim.number} for {claim.contract_ref} {claim.month}: {claims.format_total(claim)}")
    return EXIT_OK


def cmd_claim_list(args) -> int:
    from branchdesk.models import claims

    with _open(args) as store:
        listing = claims.list_claims(store)
    if args.json:
        _print_json([claims.summary_as_json(c) for c in listing])
    else:
        for line in claims.list_as_text(listing):
            print(line)
    return EXIT_OK


# -- reviews ------------------------------------------------------------------------------
def cmd_reviews_due(args) -> int:
    from branchdesk.models import reviews
    from branchdesk.models.dates import parse_date

    try:
        on = parse_date(args.on) if args.on is not None else None
    except ValueError as error:
        raise UsageError(f"--on: {error}.") from None
    if args.within is not None and args.within < 0:
        raise UsageError("--within must be 0 or more days.")
    with _open(args) as store:
        due = reviews.reviews_due(store, on=on, within=args.within)
    if args.json:
        _print_json([reviews.due_as_json(item) for item in due])
    else:
        for line in reviews.due_as_text(due, on=on, within=args.within):
            print(line)
    return EXIT_OK


def _month(text: str) -> str:
    """``--month``: a calendar month written YYYY-MM (anything else is a usage error)."""
    from branchdesk.models.dates import month_key, parse_month

    try:
        key = month_key(*parse_month(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if key != text.strip():
        raise argparse.ArgumentTypeError(f"“{text}” is not a month (use YYYY-MM, e.g. {key})")
    return key


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="branchdesk-cli", description="BranchDesk without a window.")
    parser.add_argument("--version", action="version", version=f"BranchDesk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    def db_option(sub):
        sub.add_argument("--db", required=True, metavar="FILE", help="the branch file")

    demo = commands.add_parser("demo", help="build a demo branch")
    db_option(demo)
    demo.add_argument("--clients", type=int, default=120)
    demo.add_argument("--months", type=int, default=18)
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(handler=cmd_demo)

    imp = commands.add_parser("import", help="import a caseload workbook or a visits file")
    imp_kinds = imp.add_subparsers(dest="kind", metavar="KIND", parser_class=_Parser)
    imp_kinds.required = True
    caseload = imp_kinds.add_parser("caseload", help="import a caseload workbook (XLSX)")
    caseload.add_argument("file", metavar="FILE.xlsx")
    db_option(caseload)
    caseload.add_argument("--dry-run", action="store_true")
    caseload.set_defaults(handler=cmd_import_caseload)
    visits = imp_kinds.add_parser("visits", help="import a visits file (CSV or XLSX)")
    visits.add_argument("file", metavar="FILE")
    db_option(visits)
    visits.add_argument("--mapping", metavar="NAME")
    visits.add_argument("--dry-run", action="store_true")
    visits.set_defaults(handler=cmd_import_visits)

    exp = commands.add_parser("export", help="export the caseload workbook")
    exp_kinds = exp.add_subparsers(dest="kind", metavar="KIND", parser_class=_Parser)
    exp_kinds.required = True
    exp_caseload = exp_kinds.add_parser("caseload", help="export the caseload workbook (XLSX)")
    exp_caseload.add_argument("file", metavar="FILE.xlsx")
    db_option(exp_caseload)
    exp_caseload.set_defaults(handler=cmd_export_caseload)

    claim = commands.add_parser("claim", help="build, issue and list monthly claims")
    claim_actions = claim.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    claim_actions.required = True
    build = claim_actions.add_parser("build", help="compute a month's claim (a draft unless issued)")
    db_option(build)
    build.add_argument("--contract", required=True, metavar="REF")
    build.add_argument("--month", required=True, type=_month, metavar="YYYY-MM")
    build.add_argument("--json", action="store_true")
    build.add_argument("--pdf", metavar="FILE")
    build.add_argument("--xlsx", metavar="FILE")
    build.set_defaults(handler=cmd_claim_build)
    issue = claim_actions.add_parser("issue", help="issue a month's claim (numbers and freezes it)")
    db_option(issue)
    issue.add_argument("--contract", required=True, metavar="REF")
    issue.add_argument("--month", required=True, type=_month, metavar="YYYY-MM")
    issue.add_argument("--pdf", metavar="FILE")
    issue.set_defaults(handler=cmd_claim_issue)
    listing = claim_actions.add_parser("list", help="list issued claims")
    db_option(listing)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_claim_list)

    reviews = commands.add_parser("reviews", help="outcome reviews")
    review_actions = reviews.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    review_actions.required = True
    due = review_actions.add_parser("due", help="reviews overdue and due soon")
    db_option(due)
    due.add_argument("--on", metavar="YYYY-MM-DD")
    due.add_argument("--within", type=int, metavar="DAYS")
    due.add_argument("--json", action="store_true")
    due.set_defaults(handler=cmd_reviews_due)

    backup = commands.add_parser("backup", help="back up the branch file")
    db_option(backup)
    backup.add_argument("--to", metavar="DIR")
    backup.set_defaults(handler=cmd_backup)

    check = commands.add_parser("check", help="check the branch file's integrity")
    db_option(check)
    check.set_defaults(handler=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except UsageError as error:
        _say_error(str(error))
        return EXIT_USAGE
    except SystemExit as done:  # --help and --version
        return int(done.code or 0)
    try:
        return args.handler(args)
    except UsageError as error:
        _say_error(str(error))
        return EXIT_USAGE
    except ValidationError as error:
        for problem in error.problems:
            _say_error(problem.message)
        return EXIT_ERROR
    except BranchDeskError as error:
        _say_error(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _say_error("Stopped.")
        return EXIT_ERROR
    except BrokenPipeError:  # the output was piped into a program that stopped reading (e.g. head)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except MemoryError:
        _say_error("There was not enough memory to finish; close other programs and try again.")
        return EXIT_ERROR
    except Exception as error:  # the last guard: a plain sentence, never a traceback
        _say_error(f"Something went wrong that BranchDesk did not expect ({type(error).__name__}: {error}). Nothing more was changed.")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
