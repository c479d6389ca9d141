"""The Today screen and the Reports menu on the demo branch."""

import datetime as dt

import openpyxl
import pypdf
import pytest

from branchdesk.models.db import open_branch
from branchdesk.models.report_catalogue import CATALOGUE
from branchdesk.models.report_export import render_report_pdf, write_report_xlsx
from branchdesk.models.today import today_summary

ON = dt.date(2026, 11, 15)  # the day the test demo branch was built for


@pytest.fixture
def demo_store(demo_copy):
    store = open_branch(demo_copy, user="tester")
    yield store
    store.close()


def test_summary_lists_reviews_and_claims_to_deal_with(demo_store):
    summary = today_summary(demo_store, ON)
    assert summary.overdue_reviews or summary.due_soon_reviews
    assert all(item.screen == "client" for item in summary.overdue_reviews + summary.due_soon_reviews)
    assert summary.caseload[-1]["category"] == "total"
    in_service = demo_store.value(
        "SELECT count(*) FROM clients WHERE start_date <= ? AND (end_date IS NULL OR end_date >= ?)", (ON.isoformat(), ON.isoformat()))
    assert summary.caseload[-1]["total"] == in_service == summary.capacity.clients


def test_last_month_not_issued_is_listed_to_issue(demo_store):
    issued = {r["month"] for r in demo_store.rows("SELECT month FROM claims")}
    summary = today_summary(demo_store, ON)
    if "2026-10" not in issued:
        assert any("October 2026" in item.text for item in summary.claims_to_issue)


def test_reports_show_words_not_codes(demo_store):
    from branchdesk.models.report_catalogue import caseload_report, claim_totals_report

    categories = [row["category"] for row in caseload_report(demo_store, ON).rows]
    assert categories == ["Reablement", "Long-term", "Dementia", "Palliative", "All clients"]
    months = [row["month"] for row in claim_totals_report(demo_store, ON).rows]
    assert months[-1] == "November 2026" and all(" 20" in month for month in months)


@pytest.mark.parametrize("title, builder", CATALOGUE, ids=[t for t, _b in CATALOGUE])
def test_every_report_exports_and_prints(demo_store, tmp_path, title, builder):
    report = builder(demo_store, ON)
    path = tmp_path / "report.xlsx"
    write_report_xlsx(report, path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == report.title
    headers = [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == report.columns[0].header)]
    assert headers == [c.header for c in report.columns]
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_report_pdf(report, "Demo"))
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert report.title in text and "Page 1 of" in text


def test_today_screen_shows_and_clicks_through(qtbot, demo_copy, monkeypatch):
    from branchdesk.ui import client_record
    from branchdesk.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    assert window.open_branch_file(demo_copy)
    today = window.screen("today")
    assert "Working out" in today.subheading.text()
    today.summary = None
    today.refresh(ON)
    qtbot.waitUntil(lambda: today.summary is not None, timeout=20000)
    assert today.subheading.text() == "Today, Sunday 15 November 2026"
    summary = today.summary
    reviews_text = today.reviews_card.label.text()
    first = (summary.overdue_reviews or summary.due_soon_reviews)[0]
    assert first.text.split(" (")[0] in reviews_text
    opened = []
    monkeypatch.setattr(client_record, "open_client_record", lambda context, client_id, parent=None, section=None: opened.append(client_id))
    today.reviews_card.label.linkActivated.emit("item0")
    assert opened == [(summary.overdue_reviews or summary.due_soon_reviews)[0].key]
    if summary.claims_to_issue:
        href = next(h for h, item in today.claims_card._links.items() if item is summary.claims_to_issue[0])
        today.claims_card.label.linkActivated.emit(href)
        assert window.stack.currentWidget() is window.screen("claims")
    window.close_branch()


def test_plans_above_envelope_and_continuity_flags_are_listed(demo_store):
    from branchdesk.models import continuity, ideal_week

    summary = today_summary(demo_store, ON)
    flagged = continuity.flagged_clients(demo_store, "2026-10")
    assert [item.key for item in summary.continuity_flags] == [line.client_id for line in flagged]
    for item in summary.plans_over:
        week = ideal_week.plan_on(demo_store, item.key, ON)
        check = ideal_week.check_plan(demo_store, week.id, today=ON)
        assert check.above_envelope or check.above_cap
