"""The Reviews screen, the review form and the review history, driven as a user would."""

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_reviews import add_client, add_outcome

from branchdesk.models import reviews
from branchdesk.models.dates import add_months
from branchdesk.models.reviews import OutcomeAssessment, ReviewInput

TODAY = dt.date.today()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.fixture
def context(qtbot, store):
    from branchdesk.ui.context import AppContext

    ctx = AppContext()
    ctx.store = store
    return ctx


@pytest.fixture
def caseload(store):
    """Mary: first review 10 days overdue; Ted: a phone call due in 20 days; Ann: later; Bob: ended."""
    mary = add_client(store, "C001", days_ago(52), name="Mary Jones", key_worker="Sam Patel", team="North", hours="14")
    add_outcome(store, mary, "O1", "I want to make my own breakfast again", agreed=days_ago(52))
    add_outcome(store, mary, "O2", "I want to get back to my garden", agreed=days_ago(52))
    ted = add_client(store, "C002", days_ago(400), name="Ted Brown", key_worker="Chloe Davies", team="South")
    reviews.record_review(store, ted, ReviewInput(add_months(TODAY + dt.timedelta(days=20), -6), "visit"))
    add_client(store, "C003", days_ago(5), name="Ann Lee", key_worker="Sam Patel", team="North")
    add_client(store, "C004", days_ago(300), end=days_ago(100), name="Bob Gone")
    return {"mary": mary, "ted": ted}


def shown(screen) -> list[str]:
    return [item.client_ref for item in screen.visible_items()]


def test_screen_lists_the_caseload_with_filters_and_a_badge(qtbot, context, caseload):
    from branchdesk.ui.reviews import ReviewsScreen, navigation_badge

    screen = ReviewsScreen(context)
    qtbot.addWidget(screen)
    screen.refresh()
    assert shown(screen) == ["C001", "C002", "C003"]  # soonest first; the ended client is not listed
    assert "1 overdue · 1 due in the next 28 days · 1 later" in screen.summary.text()
    assert navigation_badge(context) == "1 overdue"
    model = screen.proxy
    assert model.index(0, 2).data() == "10 days overdue"
    assert model.index(1, 3).data() == "Phone call"
    assert model.index(0, 3).data() == "Visit (first)"

    screen.state_filter.setCurrentIndex(screen.state_filter.findText("Overdue and due in the next 28 days"))
    assert shown(screen) == ["C001", "C002"]
    screen.state_filter.setCurrentIndex(0)
    screen.method_filter.setCurrentIndex(screen.method_filter.findData("phone"))
    assert shown(screen) == ["C002"]
    screen.method_filter.setCurrentIndex(0)
    screen.worker_filter.setCurrentIndex(screen.worker_filter.findData("Sam Patel"))
    assert shown(screen) == ["C001", "C003"]
    qtbot.keyClicks(screen.search, "ann")
    assert shown(screen) == ["C003"]
    assert screen.shown.text() == "1 of 3 clients shown"


def test_no_badge_when_nothing_is_overdue(qtbot, context, store):
    from branchdesk.ui.reviews import navigation_badge

    add_client(store, "C001", days_ago(5))
    assert navigation_badge(context) == ""


def test_filling_in_a_review_end_to_end(qtbot, context, caseload, store):
    from branchdesk.ui.review_form import ReviewFormDialog
    from branchdesk.ui.reviews import ReviewsScreen

    screen = ReviewsScreen(context)
    qtbot.addWidget(screen)
    screen.refresh()
    screen.view.selectRow(0)
    screen.record_review()
    form = screen.findChild(ReviewFormDialog)
    assert form is not None and form.client_id == caseload["mary"]
    qtbot.addWidget(form)
    assert form.method_buttons["visit"].isChecked()  # the first review is a visit
    assert len(form.status_boxes) == 2

    breakfast, garden = sorted(form.status_boxes)
    form.status_boxes[breakfast].setCurrentIndex(form.status_boxes[breakfast].findData("achieved"))
    form.changed.setChecked(True)
    qtbot.keyClicks(form.new_hours, "16")
    form.reason.setCurrentIndex(form.reason.findData("independence"))
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    # nothing saved; each problem beside its field
    assert store.value("SELECT count(*) FROM reviews WHERE client_id = ?", (caseload["mary"],)) == 0
    assert form.isVisible()
    assert "evidence" in form.problems._labels[f"outcome_{breakfast}"].text()
    assert "reduce the hours" in form.problems._labels["envelope_reason"].text()
    assert "2 problems" in form.general_problem.text()

    qtbot.keyClicks(form.participants, "Mary, her daughter Jo, Sam")
    qtbot.keyClicks(form.evidence_edits[breakfast], "Seen making porridge alone")
    form.status_boxes[garden].setCurrentIndex(form.status_boxes[garden].findData("partly"))
    qtbot.keyClicks(form.evidence_edits[garden], "Sits out in the garden with Jo")
    form.new_hours.clear()
    qtbot.keyClicks(form.new_hours, "10.5")
    assert "Hours saved: 3.5 hours a week" in form.hours_saved.text()
    qtbot.mouseClick(form.add_outcome_button, Qt.MouseButton.LeftButton)
    new = form.new_rows[0]
    qtbot.keyClicks(new.description, "I want to walk to the post office")
    new.domain.setCurrentIndex(new.domain.findData("social_participation"))
    qtbot.keyClicks(new.fee, "250")
    form.satisfaction_group.button(4).setChecked(True)
    qtbot.keyClicks(form.satisfaction_words, "They listen to me.")
    form.sequence_checks["self_care"].setChecked(True)
    form.sequence_checks["technology"].setChecked(True)
    qtbot.keyClicks(form.sequence_notes, "Pendant alarm fitted.")
    assert form.next_date.date().toPython() == reviews.proposed_next_review(TODAY)
    assert "by phone call" in form.next_method.text()

    with qtbot.waitSignal(context.data_changed):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    record = reviews.get_review(store, form.review_id)
    assert record.review_date == TODAY and record.method == "visit" and record.satisfaction == 4
    assert record.participants == "Mary, her daughter Jo, Sam"
    assert {a.ref: a.status for a in record.assessed} == {"O1": "achieved", "O2": "partly"}
    assert record.sequence == {"self_care": True, "technology": True, "community": False, "team": False}
    assert record.envelope_change.new_hours == Decimal("10.5") and record.envelope_change.hours_saved
    assert [o.description for o in record.new_outcomes] == ["I want to walk to the post office"]
    assert record.next_review_date == reviews.proposed_next_review(TODAY)

    screen.refresh()
    assert "0 overdue" in screen.summary.text()


def test_ongoing_is_stored_as_active_and_save_and_print_opens_the_record(qtbot, context, caseload, store):
    from branchdesk.ui.pdf_preview import PdfPreviewDialog
    from branchdesk.ui.review_form import ReviewFormDialog

    form = ReviewFormDialog(context, caseload["mary"])
    qtbot.addWidget(form)
    assert {box.currentText() for box in form.status_boxes.values()} == {"Ongoing"}
    form.method_buttons["phone"].setChecked(True)
    qtbot.mouseClick(form.save_print_button, Qt.MouseButton.LeftButton)
    statuses = {r["status"] for r in store.rows("SELECT status FROM review_outcomes")}
    assert statuses == {"active"}
    preview = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PdfPreviewDialog) and w.isVisible())
    assert preview.pdf_bytes.startswith(b"%PDF")
    preview.close()


def test_history_shows_reviews_and_status_over_time(qtbot, context, store):
    from branchdesk.ui.review_history import ReviewHistorySection

    client = add_client(store, "C001", days_ago(400))
    outcome = add_outcome(store, client, "O1", agreed=days_ago(400))
    reviews.record_review(store, client, ReviewInput(days_ago(350), "visit", satisfaction=3,
                                                     assessments=[OutcomeAssessment(outcome, "partly", "Toast only")]))
    reviews.record_review(store, client, ReviewInput(days_ago(170), "phone", satisfaction=5,
                                                     assessments=[OutcomeAssessment(outcome, "achieved", "Porridge too")]))
    section = ReviewHistorySection(context, client)
    qtbot.addWidget(section)
    assert section.reviews_model.rowCount() == 2
    assert section.reviews_model.index(0, 0).data() == days_ago(170).strftime("%d/%m/%Y")
    assert section.reviews_model.index(0, 4).data() == "1 achieved"
    timeline = section.timeline_model
    assert timeline.columnCount() == 4
    assert [timeline.index(0, c).data() for c in range(1, 4)] == ["Achieved", "Partly achieved", "Achieved"]
    assert timeline.index(0, 2).data(Qt.ItemDataRole.ToolTipRole) == "Toast only"
    assert "Next review due" in section.next_due.text()
    assert section.open_button.isEnabled()


def test_print_list_and_review_record_open_the_preview(qtbot, context, caseload):
    from branchdesk.ui.pdf_preview import PdfPreviewDialog
    from branchdesk.ui.review_history import ReviewHistorySection
    from branchdesk.ui.reviews import ReviewsScreen

    screen = ReviewsScreen(context)
    qtbot.addWidget(screen)
    screen.refresh()
    screen.state_filter.setCurrentIndex(screen.state_filter.findText("Overdue"))
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    preview = screen.findChild(PdfPreviewDialog)
    assert preview is not None and preview.pdf_bytes.startswith(b"%PDF")
    assert preview.suggested_filename.endswith(".pdf")
    preview.close()

    section = ReviewHistorySection(context, caseload["ted"])
    qtbot.addWidget(section)
    qtbot.mouseClick(section.open_button, Qt.MouseButton.LeftButton)
    record = section.findChild(PdfPreviewDialog)
    assert record is not None and record.suggested_filename.startswith("Review C002 ")
    record.close()
