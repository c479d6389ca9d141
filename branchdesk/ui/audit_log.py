"""Help → Audit log…: who changed what, when, with old and new values; filters and export."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum
from html import escape

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.audit_log import (
    DEFAULT_LIMIT,
    AuditEntry,
    audit_clients,
    audit_entries,
    audit_users,
    export_audit,
)
from branchdesk.models.errors import BranchDeskError
from branchdesk.ui.dialogs import WindowModalDialog, button_row, show_error, show_info
from branchdesk.ui.tables import FilterProxy, RecordTableModel

TEXT_DELAY_MS = 300


class AuditColumns(IntEnum):
    WHEN = 0
    USER = 1
    ACTION = 2
    RECORD = 3
    CLIENT = 4
    SUMMARY = 5
    CHANGES = 6


class AuditModel(RecordTableModel):
    Columns = AuditColumns
    headers = {
        AuditColumns.WHEN: _("When"),
        AuditColumns.USER: _("Who"),
        AuditColumns.ACTION: _("Did"),
        AuditColumns.RECORD: _("Record"),
        AuditColumns.CLIENT: _("Client"),
        AuditColumns.SUMMARY: _("What"),
        AuditColumns.CHANGES: _("Old → new"),
    }

    def display(self, entry: AuditEntry, column: int):
        if column == AuditColumns.WHEN:
            return entry.when_text
        if column == AuditColumns.USER:
            return entry.user
        if column == AuditColumns.ACTION:
            return entry.action_text
        if column == AuditColumns.RECORD:
            return entry.entity_text
        if column == AuditColumns.CLIENT:
            return entry.client_text
        if column == AuditColumns.SUMMARY:
            return entry.summary
        return entry.changes_text().replace("\n", "; ")

    def sort_key(self, entry: AuditEntry, column: int):
        if column == AuditColumns.WHEN:
            return f"{entry.at.isoformat()} {entry.id:012d}"
        return super().sort_key(entry, column)

    def tooltip(self, entry: AuditEntry, column: int):
        if column == AuditColumns.CHANGES:
            return entry.changes_text() or None
        if column == AuditColumns.SUMMARY:
            return entry.summary
        return None


def changes_html(entry: AuditEntry) -> str:
    """The selected entry in full: a heading, then each field with its old and new value."""
    heading = _("{when} · {user} · {action} {record}").format(
        when=entry.when_text, user=entry.user, action=entry.action_text.lower(), record=entry.entity_text.lower())
    parts = [f"<p><b>{escape(entry.summary)}</b><br>{escape(heading)}"]
    if entry.client_text:
        parts.append("<br>" + escape(_("Client: {client}").format(client=entry.client_text)))
    parts.append("</p>")
    changes = entry.changes()
    if changes:
        rows = "".join(
            f"<tr><td>{escape(change.label)}</td><td>{escape(change.old)}</td><td>{escape(change.new)}</td></tr>" for change in changes
        )
        parts.append(
            "<table border='0' cellspacing='0' cellpadding='4' width='100%'>"
            f"<tr><th align='left'>{escape(_('Field'))}</th><th align='left'>{escape(_('Old value'))}</th>"
            f"<th align='left'>{escape(_('New value'))}</th></tr>{rows}</table>"
        )
    return "".join(parts)


def _date_filter(label: str) -> tuple[QCheckBox, QDateEdit]:
    check = QCheckBox(label)
    field = QDateEdit()
    field.setCalendarPopup(True)
    field.setDisplayFormat("dd/MM/yyyy")
    field.setEnabled(False)
    check.toggled.connect(field.setEnabled)
    return check, field


def _date_of(field: QDateEdit) -> dt.date:
    value = field.date()
    return dt.date(value.year(), value.month(), value.day())


class AuditLogDialog(WindowModalDialog):
    """The audit log with filters by client, user, date and words; the selected entry in full below."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent, _("Audit log"))
        self.context = context
        self.entries: list[AuditEntry] = []

        self.client = QComboBox()
        self.client.setAccessibleName(_("Client"))
        self.user = QComboBox()
        self.user.setAccessibleName(_("Who"))
        self.since_check, self.since = _date_filter(_("From"))
        self.until_check, self.until = _date_filter(_("To"))
        today = QDate.currentDate()
        self.since.setDate(today.addMonths(-1))
        self.until.setDate(today)
        self.text = QLineEdit()
        self.text.setPlaceholderText(_("Words in the change, e.g. a name or a value"))
        self.text.setClearButtonEnabled(True)
        self.text.setAccessibleName(_("Search"))
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(TEXT_DELAY_MS)
        self._text_timer.timeout.connect(self.reload)
        self.text.textChanged.connect(lambda _text: self._text_timer.start())
        for combo in (self.client, self.user):
            combo.currentIndexChanged.connect(lambda _index: self.reload())
        for check, field in ((self.since_check, self.since), (self.until_check, self.until)):
            check.toggled.connect(lambda _on: self.reload())
            field.dateChanged.connect(lambda _day: self.reload())

        filters = QGridLayout()
        filters.addWidget(QLabel(_("Client")), 0, 0)
        filters.addWidget(self.client, 0, 1)
        filters.addWidget(QLabel(_("Who")), 0, 2)
        filters.addWidget(self.user, 0, 3)
        filters.addWidget(self.since_check, 0, 4)
        filters.addWidget(self.since, 0, 5)
        filters.addWidget(self.until_check, 0, 6)
        filters.addWidget(self.until, 0, 7)
        filters.addWidget(QLabel(_("Search")), 1, 0)
        filters.addWidget(self.text, 1, 1, 1, 7)
        filters.setColumnStretch(1, 2)
        filters.setColumnStretch(3, 1)

        self.model = AuditModel()
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(AuditColumns.WHEN, Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.setAccessibleName(_("Audit entries"))
        header = self.view.horizontalHeader()
        for column in (AuditColumns.WHEN, AuditColumns.USER, AuditColumns.ACTION, AuditColumns.RECORD):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(AuditColumns.CLIENT, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(AuditColumns.SUMMARY, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(AuditColumns.CHANGES, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(AuditColumns.CLIENT, 170)
        header.resizeSection(AuditColumns.SUMMARY, 300)
        self.view.selectionModel().currentRowChanged.connect(self._show_details)

        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.details.setAccessibleName(_("The selected change in full"))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        self.count = QLabel()
        export = QPushButton(_("Export…"))
        export.setToolTip(_("Save the entries shown as an Excel workbook or a CSV file"))
        export.clicked.connect(self.export)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.accept)
        bottom = button_row(export, close)
        bottom.insertWidget(0, self.count)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.resize(1100, 680)
        self._fill_choices()
        self.reload()

    def _fill_choices(self) -> None:
        store = self.context.store
        for combo in (self.client, self.user):
            combo.blockSignals(True)
        self.client.addItem(_("All clients"), None)
        for client_id, text in audit_clients(store):
            self.client.addItem(text, client_id)
        self.user.addItem(_("Everyone"), None)
        for name in audit_users(store):
            self.user.addItem(name, name)
        for combo in (self.client, self.user):
            combo.blockSignals(False)

    def filters(self) -> dict:
        return {
            "client_id": self.client.currentData(),
            "user": self.user.currentData(),
            "since": _date_of(self.since) if self.since_check.isChecked() else None,
            "until": _date_of(self.until) if self.until_check.isChecked() else None,
            "text": self.text.text(),
        }

    def reload(self) -> None:
        self.entries = audit_entries(self.context.store, **self.filters())
        self.model.set_rows(self.entries)
        if len(self.entries) >= DEFAULT_LIMIT:
            self.count.setText(_("Showing the newest {count:,} entries; narrow the filters to see older ones.").format(count=len(self.entries)))
        else:
            self.count.setText(_("{count:,} entries").format(count=len(self.entries)) if len(self.entries) != 1 else _("1 entry"))
        if self.entries:
            self.view.selectRow(0)
        else:
            self.details.setHtml(f"<p>{escape(_('No changes match these filters.'))}</p>")

    def _show_details(self, current, _previous=None) -> None:
        if current.isValid():
            self.details.setHtml(changes_html(self.proxy.row_object(current)))

    def export(self) -> None:
        path, chosen_filter = QFileDialog.getSaveFileName(
            self, _("Export the audit log"), _("audit log.xlsx"), _("Excel workbook (*.xlsx);;CSV file (*.csv)"))
        if not path:
            return
        if not path.lower().endswith((".xlsx", ".csv")):
            path += ".csv" if "csv" in chosen_filter.lower() else ".xlsx"
        self.export_to(path)

    def export_to(self, path: str) -> None:
        shown = [self.proxy.row_object(self.proxy.index(row, 0)) for row in range(self.proxy.rowCount())]
        try:
            export_audit(shown, path)
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        show_info(self, _("{count:,} entries saved to {path}").format(count=len(shown), path=path), _("Exported"))


def show_audit_log(window) -> None:
    """Help → Audit log…"""
    AuditLogDialog(window.context, window).exec()
