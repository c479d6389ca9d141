"""A branch manager's month, end to end, through the real window: a new branch, its caseload
imported, a referral with an ideal week, a review, a month's visits, and the month's claim
issued, posted, part paid and saved as a PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QMessageBox, QPushButton
from test_caseload_workbook import write_workbook

from branchdesk.models.dates import add_months, format_date, month_bounds, month_key, previous_month
from branchdesk.models.money import format_money
from branchdesk.models.reviews import proposed_next_review
from branchdesk.ui import caseload_import
from branchdesk.ui import claims as claims_ui
from branchdesk.ui.claim_dialogs import PaymentDialog, PostingDialog
from branchdesk.ui.claims import ClaimColumns
from branchdesk.ui.client_record import ClientRecordDialog
from branchdesk.ui.clients import Columns as ClientColumns
from branchdesk.ui.context import app_settings
from branchdesk.ui.ideal_week import ItemDialog, NewVersionDialog
from branchdesk.ui.main_window import MainWindow
from branchdesk.ui.referral import ReferralDialog
from branchdesk.ui.review_form import ReviewFormDialog
from branchdesk.ui.reviews import DueColumns
from branchdesk.ui.welcome import NewBranchDialog

CTRL = Qt.KeyboardModifier.ControlModifier
TODAY = dt.date.today()
#: "Last month", whatever day the test runs: the month whose claim is issued.
LAST_FIRST, LAST_LAST = month_bounds(*previous_month(TODAY.year, TODAY.month))
LAST_MONTH = month_key(LAST_FIRST.year, LAST_FIRST.month)
#: The caseload moved in from spreadsheets started about four months before that.
STARTED = add_months(LAST_FIRST, -4)
REVIEW_DAY = LAST_FIRST + dt.timedelta(days=9)


def caseload_sheets() -> dict[str, list[list]]:
    """SPEC §8: one contract that pays for outcomes and hours saved, two clients, two workers."""
    start = STARTED.isoformat()
    return {
        "Contracts": [
            ["ref", "council", "commissioner", "address", "core_basis", "hourly_rate", "core_share", "outcome_upfront_share",
             "hours_saved_share", "hours_saved_months", "claim_prefix", "supplier_number", "purchase_order", "print_names"],
            ["WCC", "Wiltshire Council", "Priya Shah", "County Hall\nBythesea Road\nTrowbridge\nBA14 8JN", "envelope", 24.5, 0.8, 0.2,
             0.5, 12, "WCC", "SUP-0042", "PO-7781", "full"],
        ],
        "Clients": [
            ["ref", "council_ref", "name", "postcode", "contract_ref", "category", "funding", "personal_budget_weekly", "start_date",
             "key_worker", "team"],
            ["C001", "WC-1001", "Mary O'Brien", "BA13 3AA", "WCC", "long_term", "council", 350, start, "Sam Patel", "North"],
            ["C002", "WC-1002", "Ted Brown", "BA14 8AA", "WCC", "long_term", "council", 420, start, "Jo Nowak", "South"],
        ],
        "Envelopes": [
            ["client_ref", "effective_date", "hours_per_week", "reason"],
            ["C001", start, 10.5, "initial"],
            ["C002", start, 14, "initial"],
        ],
        "Outcomes": [
            ["client_ref", "outcome_ref", "description", "domain", "agreed_date", "fee"],
            ["C001", "O1", "I want to make my own breakfast again", "food_drink", start, 400],
            ["C001", "O2", "I want to get to the lunch club on Tuesdays", "social_participation", start, 250],
        ],
        "Suspensions": [["client_ref", "start_date", "end_date", "reason"]],
        "Reviews": [["client_ref", "review_date", "method", "outcome_ref", "status", "notes"]],
        "Workers": [
            ["ref", "name", "team", "role", "contracted_hours"],
            ["W01", "Sam Patel", "North", "Senior carer", 37.5],
            ["W02", "Jo Nowak", "South", "Carer", 30],
        ],
    }


def visits_csv(path):
    """Last month's call-monitoring export: Mary every Monday morning, Ted twice (once missed)."""
    rows = ["client_ref,worker_ref,date,planned_start,actual_start,actual_end,status"]
    day = LAST_FIRST
    while day <= LAST_LAST:
        if day.weekday() == 0:
            rows.append(f"C001,W01,{day.isoformat()},09:00,09:05,09:50,completed")
        day += dt.timedelta(days=1)
    rows.append(f"C002,W02,{(LAST_FIRST + dt.timedelta(days=2)).isoformat()},10:00,10:10,11:10,completed")
    rows.append(f"C002,W02,{(LAST_FIRST + dt.timedelta(days=3)).isoformat()},10:00,,,missed")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path, len(rows) - 1


def drive(monkeypatch, cls, fill) -> list:
    """Instead of waiting in ``cls.exec()``, show the dialog and let ``fill(dialog)`` use it as a
    person would (it must close it); returns the dialogs shown."""
    shown = []

    def exec_(dialog):
        dialog.show()
        shown.append(dialog)
        fill(dialog)
        assert not dialog.isVisible(), f"{type(dialog).__name__} was left open: {dialog_problems(dialog)}"
        return dialog.result()

    monkeypatch.setattr(cls, "exec", exec_)
    return shown


def dialog_problems(dialog) -> list[str]:
    problems = getattr(dialog, "problems", None)
    labels = getattr(problems, "_labels", {})
    return [f"{field}: {label.text()}" for field, label in labels.items() if label.text()]


def click(qtbot, button: QPushButton) -> None:
    assert button.isEnabled(), f"“{button.text()}” is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def ok_button(dialog) -> QPushButton:
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)


def button(parent, text: str) -> QPushButton:
    found = [b for b in parent.findChildren(QPushButton) if b.text().replace("&", "") == text and b.isVisible()]
    assert len(found) == 1, f"{len(found)} visible buttons called “{text}”"
    return found[0]


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)
    return QApplication.focusWidget()


def go(qtbot, window, number: int):
    """Ctrl+number, as a person switches screens (the offscreen platform does not always give the
    window back its activation when a dialog closes, as a real desktop does)."""
    if not window.isActiveWindow():
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
    press(qtbot, Qt.Key(Qt.Key.Key_0 + number), CTRL)
    return window.stack.currentWidget()


def file_menu(window, text: str):
    """An item of the File menu, by its text."""
    menu = window.menuBar().actions()[0].menu()
    return next(action for action in menu.actions() if action.text().replace("&", "") == text)


@pytest.fixture
def window(qtbot):
    settings = app_settings()
    user_before = settings.value("user/name")
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    yield win
    win.close_branch()
    if user_before is None:
        settings.remove("user/name")
    else:
        settings.setValue("user/name", user_before)


def test_a_branch_managers_month(window, qtbot, monkeypatch, tmp_path):
    # Message boxes are noted rather than waited on: information is expected, a warning never is.
    infos: list[str] = []
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *args: infos.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *args: warnings.append(text))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: warnings.append(box.text()) or 0)

    # 1. A new branch from the welcome page, then its details in Settings.
    def new_branch(dialog: NewBranchDialog) -> None:
        qtbot.keyClicks(dialog.name, "Trowbridge Home Care")
        dialog.address.setPlainText("4 Fore Street\nTrowbridge\nBA14 8HD")
        qtbot.keyClicks(dialog.phone, "01225 700700")
        qtbot.keyClicks(dialog.email, "office@trowbridge.example")
        qtbot.keyClicks(dialog.cqc, "1-234567890")
        dialog.folder.setText(str(tmp_path))
        click(qtbot, ok_button(dialog))

    drive(monkeypatch, NewBranchDialog, new_branch)
    click(qtbot, button(window.welcome, "Create a new branch…"))
    assert window.context.store is not None and window.context.path == tmp_path / "trowbridge-home-care.sqlite"
    assert "Trowbridge Home Care" in window.windowTitle()

    settings = go(qtbot, window, 8)
    assert settings is window.screen("settings")
    assert settings.fields["name"].text() == "Trowbridge Home Care"
    settings.fields["name"].setText("Trowbridge and District Home Care")  # the name the council knows the branch by
    settings.user_name.setText("Sue Manager")
    for key, value in (("bank_account_name", "Trowbridge Home Care Ltd"), ("bank_sort_code", "20-00-00"),
                       ("bank_account_number", "12345678"), ("signatory_name", "Sue Manager"),
                       ("signatory_role", "Registered manager")):
        settings.fields[key].setText(value)
    press(qtbot, Qt.Key.Key_S, CTRL)
    store = window.context.store
    assert store.value("SELECT signatory_name FROM branch") == "Sue Manager"
    assert settings.saved_label.text() == "Saved."
    assert window.windowTitle() == "Trowbridge and District Home Care — BranchDesk"

    # 2. File → Import caseload…, checked and previewed before anything is written.
    workbook = write_workbook(tmp_path / "caseload.xlsx", caseload_sheets())
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(workbook), ""))
    previews = []

    def preview(dialog) -> None:
        previews.append(dialog.details.model().stringList())
        assert store.value("SELECT count(*) FROM clients") == 0
        click(qtbot, dialog.import_button)

    drive(monkeypatch, caseload_import.ImportPreviewDialog, preview)
    file_menu(window, "Import caseload…").trigger()
    qtbot.waitUntil(lambda: bool(infos), timeout=20000)
    assert infos.pop().startswith("Imported"), previews
    assert any(line.startswith("New: client C001") for line in previews[0])
    clients = go(qtbot, window, 2)
    assert clients is window.screen("clients")
    listed = {clients.proxy.index(r, ClientColumns.REF).data(): clients.proxy.index(r, ClientColumns.NAME).data()
              for r in range(clients.proxy.rowCount())}
    assert listed == {"C001": "Mary O'Brien", "C002": "Ted Brown"}
    assert store.value("SELECT name FROM branch") == "Trowbridge and District Home Care"  # no Branch sheet: the details typed in stay

    # 3. A new referral (Ctrl+N on Clients), then their ideal week from the client record (Enter on the row).
    def referral(dialog: ReferralDialog) -> None:
        assert dialog.ref.text() == "C003"
        dialog.name.setText("Siobhán D'Arcy")  # QTest types ASCII only
        qtbot.keyClicks(dialog.council_ref, "WC-2001")
        qtbot.keyClicks(dialog.postcode, "BA14 9XY")
        qtbot.keyClicks(dialog.budget, "300")
        qtbot.keyClicks(dialog.hours, "6")
        dialog.start_date.setText(format_date(LAST_FIRST))
        model = dialog.outcomes.model
        for column, value in ((0, "I want to walk to the shop again"), (1, "social_participation"), (3, "300")):
            model.setData(model.index(0, column), value)
        click(qtbot, button(dialog, "Add referral"))

    drive(monkeypatch, ReferralDialog, referral)
    clients.view.setFocus()
    press(qtbot, Qt.Key.Key_N, CTRL)
    siobhan = store.value("SELECT id FROM clients WHERE ref = 'C003'")
    assert siobhan and clients.current_client_id() == siobhan  # the new person is selected in the list
    assert store.value("SELECT hours_per_week FROM envelopes WHERE client_id = ?", (siobhan,)) == "6"

    def ideal_week(record: ClientRecordDialog) -> None:
        assert record.client_id == siobhan
        planner = record.section_widget("Ideal week")
        click(qtbot, planner.start_button)
        assert planner.week is not None and planner.add_button.isEnabled()
        click(qtbot, planner.add_button)
        click(qtbot, planner.add_button)
        assert [(i.kind, i.day, i.part_of_day) for i in planner.items] == [("paid_visit", 0, "morning"), ("family", 6, "lunchtime")]
        assert "Planned paid hours: <b>0.75</b> a week" in planner.totals.text()
        assert len(planner.grid.cards) == 2
        # each item is saved as it is added: the record has nothing left unsaved, so it just closes
        assert not record.dirty and not record.save_button.isEnabled() and record.cancel_button.text() == "Close"
        click(qtbot, record.cancel_button)

    def start_plan(dialog: NewVersionDialog) -> None:
        assert dialog.effective.text() == format_date(LAST_FIRST)
        dialog.agreed_with.setText("Siobhán and her daughter Niamh")
        click(qtbot, ok_button(dialog))

    items = iter([
        lambda d: (d.day.setCurrentIndex(0), d.minutes.setValue(45), qtbot.keyClicks(d.purpose, "Breakfast together"),
                   qtbot.keyClicks(d.time, "08:30")),
        lambda d: (d.kind.setCurrentIndex(d.kind.findData("family")), d.day.setCurrentIndex(6),
                   d.part.setCurrentIndex(d.part.findData("lunchtime")), d.minutes.setValue(0),
                   qtbot.keyClicks(d.who, "Daughter Niamh"), qtbot.keyClicks(d.purpose, "Sunday lunch at Niamh's")),
    ])

    def add_item(dialog: ItemDialog) -> None:
        next(items)(dialog)
        click(qtbot, ok_button(dialog))

    drive(monkeypatch, NewVersionDialog, start_plan)
    drive(monkeypatch, ItemDialog, add_item)
    records = drive(monkeypatch, ClientRecordDialog, ideal_week)
    clients.view.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    assert len(records) == 1
    plan = store.rows("SELECT kind, who, purpose, minutes FROM ideal_week_items AS i JOIN ideal_weeks AS w"
                      " ON w.id = i.ideal_week_id WHERE w.client_id = ? ORDER BY i.id", (siobhan,))
    assert [tuple(row) for row in plan] == [("paid_visit", "", "Breakfast together", 45),
                                            ("family", "Daughter Niamh", "Sunday lunch at Niamh's", None)]

    # 4. Mary's review, held last month and recorded from the Reviews screen: breakfast achieved,
    # and two and a half hours a week fewer because she does more for herself.
    mary = store.value("SELECT id FROM clients WHERE ref = 'C001'")
    reviews = go(qtbot, window, 3)
    assert reviews is window.screen("reviews")
    overdue = sum(item.state == "overdue" for item in reviews.visible_items())
    assert window.navigation.item(2).text() == f"Reviews  ({overdue} overdue)"
    reviews.select_client(mary)
    assert reviews.selected().client_id == mary and reviews.selected().state == "overdue"
    click(qtbot, reviews.record_button)
    form = next(d for d in window.findChildren(ReviewFormDialog) if d.isVisible())
    assert form.client_id == mary and form.method_buttons["visit"].isChecked()
    form.review_date.setDate(QDate(REVIEW_DAY.year, REVIEW_DAY.month, REVIEW_DAY.day))
    qtbot.keyClicks(form.participants, "Mary, her son Tom, Sam (key worker)")
    outcomes = {store.value("SELECT ref FROM outcomes WHERE id = ?", (oid,)): oid for oid in form.status_boxes}
    breakfast, lunch_club = outcomes["O1"], outcomes["O2"]
    form.status_boxes[breakfast].setCurrentIndex(form.status_boxes[breakfast].findData("achieved"))
    qtbot.keyClicks(form.evidence_edits[breakfast], "Makes her own porridge and tea every morning")
    qtbot.keyClicks(form.evidence_edits[lunch_club], "Went once with Tom")
    form.satisfaction_group.button(5).setChecked(True)
    form.sequence_checks["self_care"].setChecked(True)
    qtbot.keyClicks(form.new_hours, "8")
    assert form.changed.isChecked()  # typing new hours chooses "Change to"
    form.reason.setCurrentIndex(form.reason.findData("independence"))
    assert "Hours saved: 2.5 hours a week" in form.hours_saved.text()
    next_due = proposed_next_review(REVIEW_DAY)
    assert form.next_date.date().toPython() == next_due
    with qtbot.waitSignal(window.context.data_changed):
        click(qtbot, form.save_button)
    assert not form.isVisible()
    assert window.navigation.item(2).text() == (f"Reviews  ({overdue - 1} overdue)" if overdue > 1 else "Reviews")
    due = next(item for item in reviews.visible_items() if item.client_id == mary)
    assert due.due == next_due and due.method == "phone" and due.state == "later"
    row = next(r for r in range(reviews.proxy.rowCount()) if reviews.proxy.row_object(reviews.proxy.index(r, 0)).client_id == mary)
    assert reviews.proxy.index(row, DueColumns.DUE).data() == format_date(next_due)

    def envelope_history(record: ClientRecordDialog) -> None:
        assert record.client_id == mary
        section = record.section_widget("Envelope & hours")
        history = sorted(section.envelope_model.rows(), key=lambda change: change.effective_date)
        assert [(c.effective_date, c.hours, c.reason) for c in history] == [
            (STARTED, Decimal("10.5"), "initial"), (REVIEW_DAY, Decimal("8"), "independence")]
        assert history[-1].review_id is not None and history[-1].hours_saved == Decimal("2.5")
        assert "Next review due " + format_date(next_due) in record.referral.status.text()
        click(qtbot, record.cancel_button)

    drive(monkeypatch, ClientRecordDialog, envelope_history)
    reviews.view.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    clients = go(qtbot, window, 2)
    row = next(r for r in range(clients.proxy.rowCount()) if clients.proxy.index(r, ClientColumns.REF).data() == "C001")
    assert clients.proxy.index(row, ClientColumns.NEXT_REVIEW).data() == format_date(next_due)
    assert clients.proxy.index(row, ClientColumns.ENVELOPE).data() == "8"

    # 5. File → Import visits… (the call-monitoring export), then last month on the Visits screen.
    csv_path, visit_count = visits_csv(tmp_path / "visits.csv")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(csv_path), ""))
    file_menu(window, "Import visits…").trigger()
    qtbot.waitUntil(lambda: bool(infos), timeout=20000)
    imported = infos.pop()
    assert f"added {visit_count} visits" in imported and "The file's visits run from " in imported
    visits = go(qtbot, window, 4)
    assert visits is window.screen("visits")
    log = visits.log
    first_visit, last_visit = log.period()  # the log opens on the dates the file holds
    assert LAST_FIRST <= first_visit <= last_visit <= LAST_LAST and log.model.rowCount() == visit_count
    click(qtbot, button(visits, "Last month"))
    assert log.period() == (LAST_FIRST, LAST_LAST)
    assert log.model.rowCount() == visit_count
    shown = {(v.client_ref, v.status) for v in log.model.rows()}
    assert shown == {("C001", "completed"), ("C002", "completed"), ("C002", "missed")}
    assert f"{visit_count} visits · {visit_count - 1} completed" in log.totals.text()

    # 6. Last month's claim: read it, issue it, post it, record a part payment, save the PDF.
    claims_screen = go(qtbot, window, 5)
    assert claims_screen is window.screen("claims")
    qtbot.waitUntil(lambda: claims_screen.model.rowCount() > 0, timeout=20000)
    claims_screen.contract_filter.setCurrentIndex(claims_screen.contract_filter.findData("WCC"))
    row = next(r for r in range(claims_screen.proxy.rowCount())
               if claims_screen.proxy.row_object(claims_screen.proxy.index(r, 0)).claim.month == LAST_MONTH)
    rect = claims_screen.table.visualRect(claims_screen.proxy.index(row, ClaimColumns.MONTH))
    qtbot.mouseClick(claims_screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    draft = claims_screen.current_claim()
    assert draft.month == LAST_MONTH and draft.contract_ref == "WCC" and not draft.is_issued
    assert claims_screen.proxy.index(row, ClaimColumns.STATUS).data() == "Draft"
    assert "The month has ended: this claim can be issued." in claims_screen.facts.text()
    lines = claims_screen.lines_model
    shown = [(lines.index(r, 0).data(), lines.index(r, 1).data(), lines.index(r, 2).data(), lines.index(r, 3).data())
             for r in range(lines.rowCount())]
    components = {line.component for line in draft.lines if line.client_ref == "C001"}
    assert {"core", "outcome_achieved", "hours_saved"} <= components, shown
    achieved = next(line for line in draft.lines if line.component == "outcome_achieved")
    assert achieved.amount_pence == 32000  # £400 × (1 − 20% paid upfront)
    saved = next(line for line in draft.lines if line.component == "hours_saved")
    days = (LAST_LAST - REVIEW_DAY).days + 1
    assert saved.amount_pence == int((Decimal("2.5") * Decimal("24.50") * Decimal("0.5") * days / 7 * 100).quantize(Decimal(1), "ROUND_HALF_UP"))
    labels = {text for _client, text, _what, _amount in shown}
    assert {"Outcome achieved", "Hours saved"} <= labels, labels
    assert shown[-1][2] == "Total" and shown[-1][3] == format_money(draft.total_pence)
    siobhans = {line.component for line in draft.lines if line.client_ref == "C003"}
    assert siobhans == {"core", "outcome_upfront"}

    asked = []
    monkeypatch.setattr(claims_ui, "confirm", lambda parent, title, text, **kwargs: asked.append(text) or True)
    click(qtbot, claims_screen.issue_button)
    assert "This claim will be numbered WCC-0001" in asked[0]
    qtbot.waitUntil(lambda: (claims_screen.current_claim() or draft).number == "WCC-0001", timeout=20000)
    issued = claims_screen.current_claim()
    assert issued.total_pence == draft.total_pence and issued.month == LAST_MONTH
    assert "Claim WCC-0001 issued" in claims_screen.notice.text()
    assert not claims_screen.issue_button.isEnabled()

    def posting(dialog: PostingDialog) -> None:
        dialog.posted_on.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
        click(qtbot, ok_button(dialog))

    part = 10000

    def payment(dialog: PaymentDialog) -> None:
        assert dialog.amount.text() == f"{issued.total_pence // 100}.{issued.total_pence % 100:02d}"
        dialog.amount.clear()
        qtbot.keyClicks(dialog.amount, "100.00")
        qtbot.keyClicks(dialog.note, "BACS 4471")
        click(qtbot, ok_button(dialog))

    drive(monkeypatch, PostingDialog, posting)
    drive(monkeypatch, PaymentDialog, payment)
    click(qtbot, claims_screen.posting_button)
    qtbot.waitUntil(lambda: (claims_screen.current_claim() or draft).posted_on == TODAY, timeout=20000)
    click(qtbot, claims_screen.payment_button)
    qtbot.waitUntil(lambda: (claims_screen.current_claim() or draft).paid_pence == part, timeout=20000)
    balance = issued.total_pence - part
    current = claims_screen.table.currentIndex().row()
    assert claims_screen.proxy.index(current, ClaimColumns.STATUS).data() == "Part paid"
    assert claims_screen.proxy.index(current, ClaimColumns.BALANCE).data() == format_money(balance)
    assert f"the balance is now {format_money(balance)}" in claims_screen.notice.text()
    assert f"Balance {format_money(balance)}." in claims_screen.facts.text()

    target = tmp_path / "WCC-0001.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    click(qtbot, claims_screen.save_pdf_button)
    qtbot.waitUntil(target.exists, timeout=20000)
    assert str(target) in claims_screen.notice.text()
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    assert "WCC-0001" in text and format_money(issued.total_pence) in text and "Page 1 of" in text
    assert "Trowbridge and District Home Care" in text and "Sue Manager" in text and "Wiltshire Council" in text

    # The month is done: the Today screen says so.
    today = go(qtbot, window, 1)
    assert today is window.screen("today")
    qtbot.waitUntil(lambda: "To issue for last month: 0" in today.claims_card.label.text(), timeout=20000)
    assert "To post: 0" in today.claims_card.label.text() and "Every issued claim is posted." in today.claims_card.label.text()
    assert today.heading.text() == "Trowbridge and District Home Care"
    assert warnings == []
