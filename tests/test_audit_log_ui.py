"""Help → Audit log…: filter by client, user, dates and words; the chosen change in full; export."""

import datetime as dt

import openpyxl
import pytest
from PySide6.QtCore import QDate

from branchdesk.ui import audit_log as audit_screen
from branchdesk.ui.audit_log import AuditColumns, AuditLogDialog
from branchdesk.ui.context import AppContext


@pytest.fixture
def dialog(qtbot, store, monkeypatch):
    monkeypatch.setattr(audit_screen, "show_info", lambda *args, **kwargs: None)
    with store.transaction():
        contract = store.db["contracts"].insert(
            dict(ref="HCC", council="Hertfordshire", claim_prefix="HCC", core_basis="envelope", hourly_rate_pence=2450)).last_pk
        mary = store.db["clients"].insert(dict(ref="C1", name="Mary <Jones> & Co", contract_id=contract,
                                               category="long_term", funding="council", start_date="2026-01-05")).last_pk
        rows = [
            ("2026-10-01 09:00:00", "Ann", "create", "client", mary, mary, "Client C1 added", None, '{"name": "Mary <Jones> & Co"}'),
            ("2026-10-02 10:30:00", "Bob", "update", "envelope", 7, mary, "Envelope changed", '{"hours_per_week": "10"}',
             '{"hours_per_week": "8.5"}'),
            ("2026-10-20 11:00:00", "Ann", "update", "contract", contract, None, "Contract HCC changed", '{"hourly_rate_pence": 2400}',
             '{"hourly_rate_pence": 2450}'),
        ]
        for row in rows:
            store.conn.execute("INSERT INTO audit (at, user, action, entity, entity_id, client_id, summary, old_values, new_values)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
    context = AppContext()
    context.store = store
    widget = AuditLogDialog(context)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _summaries(dialog):
    return [dialog.proxy.index(row, AuditColumns.SUMMARY).data() for row in range(dialog.proxy.rowCount())]


def test_every_change_newest_first_with_the_first_in_full(dialog):
    assert _summaries(dialog) == ["Branch details entered", "Contract HCC changed", "Envelope changed", "Client C1 added"]
    dialog.view.selectRow(2)
    assert dialog.proxy.index(2, AuditColumns.CHANGES).data() == "hours per week: 10 → 8.5"
    details = dialog.details.toPlainText()
    assert "Envelope changed" in details and "Bob" in details and "8.5" in details and "Mary <Jones> & Co" in details
    assert dialog.count.text() == "4 entries"


def test_filters(dialog, qtbot):
    dialog.user.setCurrentIndex(dialog.user.findData("Ann"))
    assert _summaries(dialog) == ["Contract HCC changed", "Client C1 added"]
    dialog.user.setCurrentIndex(0)
    dialog.client.setCurrentIndex(1)
    assert _summaries(dialog) == ["Envelope changed", "Client C1 added"]
    dialog.client.setCurrentIndex(0)
    dialog.since.setDate(QDate(2026, 10, 2))
    dialog.until.setDate(QDate(2026, 10, 19))
    dialog.since_check.setChecked(True)
    dialog.until_check.setChecked(True)
    assert _summaries(dialog) == ["Envelope changed"]
    dialog.since_check.setChecked(False)
    dialog.until_check.setChecked(False)
    qtbot.keyClicks(dialog.text, "2450")
    qtbot.waitUntil(lambda: _summaries(dialog) == ["Contract HCC changed"], timeout=3000)
    dialog.text.setText("nothing like this")
    qtbot.waitUntil(lambda: dialog.proxy.rowCount() == 0, timeout=3000)
    assert "No changes match" in dialog.details.toPlainText()


def test_export_what_is_shown(dialog, tmp_path):
    dialog.user.setCurrentIndex(dialog.user.findData("Bob"))
    path = tmp_path / "audit.xlsx"
    dialog.export_to(str(path))
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == dt.datetime(2026, 10, 2) and rows[1][2] == "Bob" and rows[1][10] == "hours per week: 8.5"
