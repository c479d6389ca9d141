"""The Claims screen, driven as a branch manager would: choose a month, read why, issue it, record what follows."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from test_claim_pdf import BRANCH, make_claim

from branchdesk.models import claims
from branchdesk.models.claim_pdf import claim_pdf_for_branch
from branchdesk.models.contracts import contract_from_form, save_contract
from branchdesk.ui.claim_dialogs import CompareColumns, ComparisonDialog, PaymentDialog
from branchdesk.ui.claims import ClaimColumns, ClaimsScreen
from branchdesk.ui.context import AppContext
from branchdesk.ui.pdf_preview import PdfPreviewDialog, render_to_printer

TODAY = dt.date(2026, 11, 15)


@pytest.fixture
def branch(store):
    """A contract paying 80% of the envelope at £24.50/h, with three clients since the summer."""
    contract = contract_from_form({
        "ref": "HCC", "council": "Hampshire County Council", "commissioner": "Priya Shah", "address": "The Castle\nWinchester\nSO23 8UQ",
        "core_basis": "envelope", "hourly_rate": "24.50", "core_share": "0.8", "start_date": "2026-01-01", "claim_prefix": "HCC",
    })
    contract_id = save_contract(store, contract)
    with store.transaction():
        for number, (name, hours) in enumerate([("Mary Jones", "7"), ("Arthur Pendleton", "10.5"), ("Grace Adeyemi", "14")], start=1):
            client_id = store.db["clients"].insert({
                "ref": f"C{number:03d}", "council_ref": f"HC70010{number}", "name": name, "contract_id": contract_id,
                "category": "long_term", "funding": "council", "start_date": "2026-07-01"}).last_pk
            store.db["envelopes"].insert({"client_id": client_id, "effective_date": "2026-07-01", "hours_per_week": hours, "reason": "initial"})
            store.db["visits"].insert({"client_id": client_id, "visit_date": "2026-10-05", "minutes": 60, "status": "completed",
                                       "match_key": f"{client_id}-2026-10-05"})
    return store


@pytest.fixture
def screen(qtbot, branch):
    context = AppContext()
    context.store = branch
    widget = ClaimsScreen(context)
    widget.today = lambda: TODAY
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    widget.refresh()
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0, timeout=10000)
    return widget


def cell(screen: ClaimsScreen, column: ClaimColumns) -> str:
    index = screen.table.currentIndex()
    return screen.proxy.index(index.row(), column).data()


def test_issue_a_month_and_see_its_number_and_status(qtbot, screen):
    assert screen.select("HCC", "2026-10")
    assert cell(screen, ClaimColumns.STATUS) == "Draft"
    draft_total = screen.current_claim().total_pence
    assert draft_total > 0
    assert "Draft claim, contract HCC, October 2026" in screen.title.text()
    asked = []
    screen.confirm_issue = lambda text: asked.append(text) or True
    assert screen.issue_button.isEnabled()
    qtbot.mouseClick(screen.issue_button, Qt.MouseButton.LeftButton)
    assert "This claim will be numbered HCC-0001. Issued claims cannot be changed or deleted." in asked[0]
    qtbot.waitUntil(lambda: screen.current_claim() is not None and screen.current_claim().number == "HCC-0001", timeout=10000)
    assert cell(screen, ClaimColumns.STATUS) == "Issued"
    assert cell(screen, ClaimColumns.NUMBER) == "HCC-0001"
    assert screen.current_claim().total_pence == draft_total
    assert "HCC-0001" in screen.notice.text()
    assert not screen.issue_button.isEnabled()
    assert screen.payment_button.isEnabled() and screen.credit_button.isEnabled()
    assert screen.select("HCC", "2026-09")
    asked.clear()
    screen.confirm_issue = lambda text: asked.append(text) and False
    screen.issue()
    assert "numbered HCC-0002" in asked[0]


def test_declining_the_confirmation_issues_nothing(screen, branch):
    screen.select("HCC", "2026-10")
    screen.confirm_issue = lambda text: False
    screen.issue()
    assert branch.value("SELECT COUNT(*) FROM claims") == 0


def test_lines_grouped_by_client_with_why_this_amount(screen):
    screen.select("HCC", "2026-10")
    model = screen.lines_model
    texts = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert any("C001" in t and "Mary Jones" in t for t in texts)
    assert model.index(0, 2).data() == "Subtotal"
    assert model.index(model.rowCount() - 1, 2).data() == "Total"
    screen.lines.selectRow(1)
    line = screen.current_line()
    assert line is not None and line.component == "core"
    assert line.explanation in screen.why.text()
    assert screen.why_button.isEnabled()
    assert model.index(1, 3).data(Qt.ItemDataRole.ToolTipRole) == line.explanation


def test_record_a_part_payment_leaves_a_balance(qtbot, screen, branch):
    issued = claims.issue_claim(branch, "HCC", "2026-10", on=dt.date(2026, 11, 3))
    dialog = PaymentDialog(screen, issued)
    qtbot.addWidget(dialog)
    dialog.save = lambda **values: claims.record_payment(branch, issued.id, **values)
    dialog.amount.setText("abc")
    dialog.accept()
    assert dialog.result_claim is None and not dialog.problems._labels["amount"].isHidden()
    dialog.amount.setText("100.00")
    dialog.accept()
    assert dialog.result_claim.paid_pence == 10000
    assert dialog.result_claim.balance_pence == issued.total_pence - 10000


def test_drafts_to_issue_and_awaiting_payment_filters(qtbot, screen, branch):
    claims.issue_claim(branch, "HCC", "2026-09", on=dt.date(2026, 10, 3))
    screen.refresh()

    def rows():
        return [screen.proxy.row_object(screen.proxy.index(r, 0)) for r in range(screen.proxy.rowCount())]

    qtbot.waitUntil(lambda: any(row.claim.number == "HCC-0001" for row in rows()), timeout=10000)
    screen.show_filter.setCurrentIndex(screen.show_filter.findData("unpaid"))
    assert [row.claim.number for row in rows()] == ["HCC-0001"]
    screen.show_filter.setCurrentIndex(screen.show_filter.findData("to_issue"))
    assert rows() and all(not row.claim.is_issued and row.claim.lines for row in rows())


def test_compare_with_time_and_task(qtbot, branch):
    comparison = claims.time_and_task_comparison(branch, "HCC", "2026-10")
    dialog = ComparisonDialog(None, comparison, "Contract HCC, October 2026")
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 3
    assert "3.00 delivered hours × £24.50 = £73.50" in dialog.totals.text()
    hours = [dialog.model.display(row, CompareColumns.HOURS) for row in dialog.model.rows()]
    assert all(text.count(".") == 1 and len(text.split(".")[1]) == 2 for text in hours)


def test_preview_dialog_and_printing_to_a_file(qtbot, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    pdf = claim_pdf_for_branch(BRANCH, make_claim(40))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    dialog = PdfPreviewDialog(None, "Claim HCC-0007", pdf, "Claim HCC-0007.pdf")
    qtbot.addWidget(dialog)
    assert dialog.page_count() == pages
    assert dialog.page_label.text() == f"Page 1 of {pages}"
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert render_to_printer(dialog.document, printer, 2, 3) == 2
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == 2
