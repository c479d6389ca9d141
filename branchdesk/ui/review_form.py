"""The review form: everything decided at a six-monthly review, saved in one go."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.calendars import other_method
from branchdesk.models.dates import format_date
from branchdesk.models.envelope import REASON_LABELS, contract_bands
from branchdesk.models.errors import BranchDeskError, ValidationError
from branchdesk.models.money import format_decimal, format_money, to_decimal
from branchdesk.models.reviews import (
    ASSESSMENT_STATUSES,
    CHANGE_REASONS,
    DOMAIN_LABELS,
    METHOD_LABELS,
    SEQUENCE_STEPS,
    STATUS_LABELS,
    NewOutcome,
    OutcomeAssessment,
    ReviewInput,
    client_schedule,
    current_envelope,
    is_hours_saved,
    open_outcomes,
    proposed_next_review,
    record_review,
    when_text,
)
from branchdesk.models.schema import DOMAINS
from branchdesk.ui import theme
from branchdesk.ui.context import app_settings
from branchdesk.ui.dialogs import FieldProblems, WindowModalDialog, button_row, show_error

SEQUENCE_QUESTIONS = {
    "self_care": _("Self-care: could the person do more for themselves, perhaps with some reablement?"),
    "technology": _("Technology: could equipment or technology help (pendant alarm, medication dispenser, sensors)?"),
    "community": _("Community: could family, friends, neighbours or local groups help?"),
    "team": _("Team: what should the paid team do that nobody else can?"),
}
SATISFACTION_CHOICES = (
    (1, _("1 Very unhappy")),
    (2, _("2 Unhappy")),
    (3, _("3 Neither")),
    (4, _("4 Happy")),
    (5, _("5 Very happy")),
)
DATE_FORMAT = "dd/MM/yyyy"


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def date_edit(day: dt.date) -> QDateEdit:
    edit = QDateEdit(to_qdate(day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    return edit


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: 600;")
    return label


class NewOutcomeRow(QWidget):
    """One outcome agreed at the review: the person's words, domain, target date, fee."""

    removed = Signal(object)

    def __init__(self, number: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.description = QLineEdit()
        self.description.setPlaceholderText(_("In the person's own words, e.g. “I want to walk to the shop again”"))
        self.description.setAccessibleName(_("New outcome {n}").format(n=number))
        self.domain = QComboBox()
        self.domain.addItem(_("Choose a domain…"), "")
        for domain in DOMAINS:
            self.domain.addItem(DOMAIN_LABELS[domain], domain)
        self.target = QLineEdit()
        self.target.setPlaceholderText(_("Target date"))
        self.target.setToolTip(_("The date the person hopes to achieve it by, as DD/MM/YYYY"))
        self.target.setAccessibleName(_("Target date"))
        self.target.setFixedWidth(130)
        self.fee = QLineEdit()
        self.fee.setPlaceholderText(_("Fee £"))
        self.fee.setAccessibleName(_("Fee"))
        self.fee.setToolTip(_("The fee for this outcome, where the contract pays per outcome"))
        self.fee.setFixedWidth(100)
        remove = QPushButton(_("Remove"))
        remove.clicked.connect(lambda: self.removed.emit(self))
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.description, 0, 0, 1, 4)
        layout.addWidget(self.domain, 1, 0)
        layout.addWidget(self.target, 1, 1)
        layout.addWidget(self.fee, 1, 2)
        layout.addWidget(remove, 1, 3)
        layout.setColumnStretch(0, 1)
        self.problem = QLabel()
        theme.text_colour(self.problem, "overdue")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem, 2, 0, 1, 4)

    def value(self) -> NewOutcome:
        return NewOutcome(self.description.text(), self.domain.currentData() or "", self.target.text().strip() or None, self.fee.text())

    def is_blank(self) -> bool:
        return not (self.description.text().strip() or self.target.text().strip() or self.fee.text().strip() or self.domain.currentData())


class ReviewFormDialog(WindowModalDialog):
    """Record a review for one client: how it was held, each outcome's status and evidence,
    new outcomes, satisfaction, the support sequence, the envelope and the next review."""

    saved = Signal(int)

    def __init__(self, context, client_id: int, parent: QWidget | None = None, today: dt.date | None = None):
        self.context = context
        self.client_id = client_id
        self.today = today or dt.date.today()
        store = context.store
        self.client = store.row("SELECT ref, name, start_date FROM clients WHERE id = ?", (client_id,))
        super().__init__(parent, _("Record review — {name}").format(name=self.client["name"]))
        self.review_id: int | None = None
        self.problems = FieldProblems()
        self.due = client_schedule(store, client_id, self.today)
        self.outcomes = open_outcomes(store, client_id, self.today)
        self.envelope = current_envelope(store, client_id, self.today)
        self.bands = contract_bands(store, client_id)
        self._next_edited = False
        self._updating_next = False
        self.status_boxes: dict[int, QComboBox] = {}
        self.evidence_edits: dict[int, QLineEdit] = {}
        self.new_rows: list[NewOutcomeRow] = []

        body = QWidget()
        column = QVBoxLayout(body)
        self.general_problem = QLabel()
        theme.text_colour(self.general_problem, "overdue", bold=True)
        self.general_problem.setWordWrap(True)
        self.general_problem.hide()
        column.addWidget(self.general_problem)
        column.addWidget(self._review_box())
        column.addWidget(self._outcomes_box())
        column.addWidget(self._new_outcomes_box())
        column.addWidget(self._satisfaction_box())
        column.addWidget(self._sequence_box())
        column.addWidget(self._envelope_box())
        column.addWidget(self._next_box())
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.scroll = scroll

        self.save_button = QPushButton(_("Save review"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.save(preview=False))
        self.save_print_button = QPushButton(_("Save and print record…"))
        self.save_print_button.clicked.connect(lambda: self.save(preview=True))
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addLayout(button_row(cancel, self.save_print_button, self.save_button))
        if app_settings().value(self._geometry_key) is None:
            self.resize(900, 780)
        self.review_date.dateChanged.connect(self._update_next)
        for button in self.method_buttons.values():
            button.toggled.connect(self._update_next)
        self._update_envelope()
        self._update_next()

    # -- sections ------------------------------------------------------------------------
    def _review_box(self) -> QGroupBox:
        box = QGroupBox(_("The review"))
        form = QFormLayout(box)
        due = self.due
        kind = _("first review") if due.first else _("six-monthly review")
        form.addRow(QLabel(_("{name} ({ref}) · {kind} due {day} by {method} ({when})").format(
            name=self.client["name"], ref=self.client["ref"], kind=kind, day=format_date(due.due),
            method=METHOD_LABELS[due.method].lower(), when=when_text(due))))
        self.review_date = date_edit(self.today)
        self.review_date.setMaximumDate(to_qdate(self.today))
        self.review_date.setAccessibleName(_("Review date"))
        self.review_date.setFixedWidth(140)
        form.addRow(_("Date held"), self.review_date)
        form.addRow("", self.problems.label_for("review_date"))
        self.method_group = QButtonGroup(self)
        methods = QHBoxLayout()
        self.method_buttons: dict[str, QRadioButton] = {}
        for method in ("visit", "phone"):
            button = QRadioButton(METHOD_LABELS[method])
            self.method_group.addButton(button)
            self.method_buttons[method] = button
            methods.addWidget(button)
        methods.addStretch(1)
        self.method_buttons[due.method].setChecked(True)
        form.addRow(_("Held by"), methods)
        form.addRow("", self.problems.label_for("method"))
        self.participants = QLineEdit()
        self.participants.setPlaceholderText(_("e.g. Mary, her daughter Jo, Sam (key worker)"))
        form.addRow(_("Who took part"), self.participants)
        return box

    def _outcomes_box(self) -> QGroupBox:
        box = QGroupBox(_("Outcomes"))
        grid = QGridLayout(box)
        if not self.outcomes:
            grid.addWidget(QLabel(_("No open outcomes to assess. Add any new outcomes agreed below.")), 0, 0)
            return box
        grid.addWidget(heading(_("What the person wants to achieve")), 0, 0)
        grid.addWidget(heading(_("Status")), 0, 1)
        grid.addWidget(heading(_("Evidence (what shows it)")), 0, 2)
        row = 1
        for outcome in self.outcomes:
            text = f"{outcome['ref']}  {outcome['description']}"
            if outcome["domain"]:
                text += f"\n{DOMAIN_LABELS.get(outcome['domain'], outcome['domain'])}"
            if outcome["fee_pence"]:
                text += " · " + _("fee {fee}").format(fee=format_money(outcome["fee_pence"]))
            label = QLabel(text)
            label.setWordWrap(True)
            status = QComboBox()
            for value in ASSESSMENT_STATUSES:
                status.addItem(STATUS_LABELS[value], value)
            status.setCurrentIndex(ASSESSMENT_STATUSES.index("active"))
            status.setAccessibleName(_("Status of {ref}").format(ref=outcome["ref"]))
            evidence = QLineEdit()
            evidence.setPlaceholderText(_("What you saw or were told"))
            evidence.setAccessibleName(_("Evidence for {ref}").format(ref=outcome["ref"]))
            self.status_boxes[outcome["id"]] = status
            self.evidence_edits[outcome["id"]] = evidence
            grid.addWidget(label, row, 0)
            grid.addWidget(status, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(evidence, row, 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(self.problems.label_for(f"outcome_{outcome['id']}"), row + 1, 0, 1, 3)
            row += 2
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(2, 3)
        return box

    def _new_outcomes_box(self) -> QGroupBox:
        box = QGroupBox(_("New outcomes agreed at this review"))
        self.new_layout = QVBoxLayout(box)
        add = QPushButton(_("Add an outcome"))
        add.clicked.connect(self.add_new_outcome)
        self.add_outcome_button = add
        row = button_row(add, stretch_first=False)
        row.addStretch(1)
        self.new_layout.addLayout(row)
        return box

    def add_new_outcome(self) -> NewOutcomeRow:
        row = NewOutcomeRow(len(self.new_rows) + 1)
        row.removed.connect(self._remove_new_outcome)
        self.new_rows.append(row)
        self.new_layout.insertWidget(self.new_layout.count() - 1, row)
        row.description.setFocus()
        return row

    def _remove_new_outcome(self, row: NewOutcomeRow) -> None:
        self.new_rows.remove(row)
        row.deleteLater()

    def _satisfaction_box(self) -> QGroupBox:
        box = QGroupBox(_("How satisfied is the person with their care?"))
        form = QFormLayout(box)
        self.satisfaction_group = QButtonGroup(self)
        choices = QHBoxLayout()
        for score, text in SATISFACTION_CHOICES:
            button = QRadioButton(text)
            self.satisfaction_group.addButton(button, score)
            choices.addWidget(button)
        not_given = QRadioButton(_("Not given"))
        self.satisfaction_group.addButton(not_given, 0)
        choices.addWidget(not_given)
        not_given.setChecked(True)
        choices.addStretch(1)
        form.addRow(_("Score"), choices)
        form.addRow("", self.problems.label_for("satisfaction"))
        self.satisfaction_words = QPlainTextEdit()
        self.satisfaction_words.setPlaceholderText(_("What they said, in their own words"))
        self.satisfaction_words.setFixedHeight(60)
        form.addRow(_("In their words"), self.satisfaction_words)
        return box

    def _sequence_box(self) -> QGroupBox:
        box = QGroupBox(_("Support sequence: before paid care, was each of these considered?"))
        column = QVBoxLayout(box)
        self.sequence_checks: dict[str, QCheckBox] = {}
        for step in SEQUENCE_STEPS:
            check = QCheckBox(SEQUENCE_QUESTIONS[step])
            self.sequence_checks[step] = check
            column.addWidget(check)
        column.addWidget(self.problems.label_for("sequence"))
        self.sequence_notes = QPlainTextEdit()
        self.sequence_notes.setPlaceholderText(_("What was decided (e.g. pendant alarm to be fitted; lunch club on Tuesdays)"))
        self.sequence_notes.setFixedHeight(60)
        column.addWidget(self.sequence_notes)
        return box

    def _envelope_box(self) -> QGroupBox:
        box = QGroupBox(_("Weekly hours (the envelope)"))
        form = QFormLayout(box)
        if self.envelope is None:
            current = _("No envelope recorded yet.")
        else:
            current = _("{hours} hours a week since {day} ({reason})").format(
                hours=format_decimal(self.envelope.hours), day=format_date(self.envelope.effective),
                reason=REASON_LABELS.get(self.envelope.reason, self.envelope.reason).lower())
            if self.envelope.band:
                current += " · " + _("band {band}").format(band=self.envelope.band)
        form.addRow(_("Now"), QLabel(current))
        self.unchanged = QRadioButton(_("Unchanged"))
        self.changed = QRadioButton(_("Change to"))
        self.unchanged.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.unchanged)
        group.addButton(self.changed)
        self.new_hours = QLineEdit()
        self.new_hours.setPlaceholderText(_("hours"))
        self.new_hours.setMaximumWidth(90)
        self.new_hours.setAccessibleName(_("New weekly hours"))
        self.reason = QComboBox()
        self.reason.addItem(_("Choose the reason…"), "")
        for reason in CHANGE_REASONS:
            self.reason.addItem(REASON_LABELS[reason], reason)
        decision = QHBoxLayout()
        decision.addWidget(self.unchanged)
        decision.addSpacing(16)
        decision.addWidget(self.changed)
        decision.addWidget(self.new_hours)
        decision.addWidget(QLabel(_("hours a week, because")))
        decision.addWidget(self.reason)
        decision.addStretch(1)
        form.addRow(_("Decision"), decision)
        form.addRow("", self.problems.label_for("envelope_hours"))
        form.addRow("", self.problems.label_for("envelope_reason"))
        self.band = QComboBox()
        if self.bands:
            for band in self.bands:
                self.band.addItem(band, band)
            if self.envelope and self.envelope.band in self.bands:
                self.band.setCurrentIndex(self.bands.index(self.envelope.band))
            form.addRow(_("Band"), self.band)
        self.envelope_note = QLineEdit()
        self.envelope_note.setPlaceholderText(_("Why, in a sentence (e.g. washes and dresses on her own now)"))
        form.addRow(_("Note"), self.envelope_note)
        self.hours_saved = QLabel()
        self.hours_saved.setWordWrap(True)
        theme.text_colour(self.hours_saved, "ok", bold=True)
        form.addRow("", self.hours_saved)
        for signal in (self.unchanged.toggled, self.new_hours.textChanged, self.reason.currentIndexChanged):
            signal.connect(self._update_envelope)
        self.new_hours.textEdited.connect(lambda _text: self.changed.setChecked(True))
        self.reason.activated.connect(lambda _index: self.changed.setChecked(True))
        return box

    def _next_box(self) -> QGroupBox:
        box = QGroupBox(_("Next review"))
        form = QFormLayout(box)
        self.next_date = date_edit(proposed_next_review(self.today))
        self.next_date.setAccessibleName(_("Next review date"))
        self.next_date.setFixedWidth(140)
        self.next_date.dateChanged.connect(self._next_date_edited)
        self.next_method = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.next_date)
        row.addWidget(self.next_method)
        row.addStretch(1)
        form.addRow(_("Due by"), row)
        form.labelForField(row).setBuddy(self.next_date)
        form.addRow("", self.problems.label_for("next_review_date"))
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(_("Anything else agreed"))
        self.notes.setFixedHeight(60)
        form.addRow(_("Other notes"), self.notes)
        return box

    # -- live hints ----------------------------------------------------------------------
    def _next_date_edited(self) -> None:
        if not self._updating_next:
            self._next_edited = True

    def _update_next(self) -> None:
        review_day = from_qdate(self.review_date.date())
        if not self._next_edited:
            self._updating_next = True
            self.next_date.setDate(to_qdate(proposed_next_review(review_day)))
            self._updating_next = False
        method = self.method()
        if method:
            self.next_method.setText(_("by {method} (six months after this review; change it if you agreed another date)").format(
                method=METHOD_LABELS[other_method(method)].lower()))

    def _update_envelope(self) -> None:
        text = ""
        if self.changed.isChecked() and self.envelope is not None:
            try:
                hours = to_decimal(self.new_hours.text())
            except ValueError:
                hours = None
            if hours is not None and is_hours_saved(self.reason.currentData() or "", self.envelope.hours, hours):
                text = _("Hours saved: {saved} hours a week fewer because the person is more independent or has support in the community. "
                         "The contract may pay a share of hours saved.").format(saved=format_decimal(self.envelope.hours - hours))
        self.hours_saved.setText(text)
        self.hours_saved.setVisible(bool(text))

    # -- saving --------------------------------------------------------------------------
    def method(self) -> str:
        return next((m for m, button in self.method_buttons.items() if button.isChecked()), "")

    def review_input(self) -> ReviewInput:
        score = self.satisfaction_group.checkedId()
        changed = self.changed.isChecked()
        return ReviewInput(
            review_date=from_qdate(self.review_date.date()),
            method=self.method(),
            participants=self.participants.text(),
            assessments=[
                OutcomeAssessment(outcome_id, box.currentData(), self.evidence_edits[outcome_id].text())
                for outcome_id, box in self.status_boxes.items()
            ],
            new_outcomes=[row.value() for row in self.new_rows if not row.is_blank()],
            satisfaction=score if score > 0 else None,
            satisfaction_words=self.satisfaction_words.toPlainText(),
            sequence={step: check.isChecked() for step, check in self.sequence_checks.items()},
            sequence_notes=self.sequence_notes.toPlainText(),
            envelope_decision="changed" if changed else "unchanged",
            envelope_hours=self.new_hours.text() if changed else "",
            envelope_reason=(self.reason.currentData() or "") if changed else "",
            envelope_band=(self.band.currentData() if self.bands else None),
            envelope_note=self.envelope_note.text() if changed else "",
            next_review_date=from_qdate(self.next_date.date()),
            notes=self.notes.toPlainText(),
        )

    def _show_problems(self, error: ValidationError) -> None:
        rows = [row for row in self.new_rows if not row.is_blank()]
        for row in self.new_rows:
            row.problem.hide()
        new_messages: dict[int, list[str]] = {}
        others = []
        for problem in error.problems:
            if problem.field.startswith("new_outcome_"):
                new_messages.setdefault(int(problem.field.rsplit("_", 1)[1]), []).append(problem.message)
            else:
                others.append(problem)
        for index, messages in new_messages.items():
            rows[index].problem.setText("\n".join(messages))
            rows[index].problem.show()
        unplaced = self.problems.show(others)
        count = len(error.problems)
        summary = _("This review cannot be saved yet: 1 problem is shown below.") if count == 1 else _(
            "This review cannot be saved yet: {n} problems are shown below.").format(n=count)
        if unplaced:
            summary += "\n" + "\n".join(p.message for p in unplaced)
        self.general_problem.setText(summary)
        self.general_problem.show()
        self.scroll.verticalScrollBar().setValue(0)

    def save(self, preview: bool = False) -> None:
        try:
            self.review_id = record_review(self.context.store, self.client_id, self.review_input(), today=self.today)
        except ValidationError as error:
            self._show_problems(error)
            return
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        self.context.notify_changed()
        self.saved.emit(self.review_id)
        if preview:
            from branchdesk.ui.review_history import show_review_record

            show_review_record(self.context, self.review_id, self.parentWidget())
        self.accept()


def record_review_for(context, client_id: int, parent: QWidget | None) -> ReviewFormDialog:
    """Open the review form for a client (window-modal; returns the dialog)."""
    dialog = ReviewFormDialog(context, client_id, parent)
    dialog.open()
    return dialog
