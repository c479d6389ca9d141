"""Branch-wide figures: caseload, capacity, reablement result, achievement by quarter."""

import datetime as dt
import io
from decimal import Decimal

from pypdf import PdfReader

from branchdesk.models import reports

D = dt.date


def _contract(store):
    return store.db["contracts"].insert(dict(ref="HCC", council="Herts", claim_prefix="HCC", core_basis="envelope", hourly_rate_pence=2000)).last_pk


def _client(store, contract, ref, start, end=None, reason=None, category="reablement", funding="council"):
    return store.db["clients"].insert(dict(
        ref=ref, name=f"Person {ref}", contract_id=contract, category=category, funding=funding,
        start_date=start.isoformat(), end_date=end and end.isoformat(), end_reason=reason,
    )).last_pk


def test_reablement_result(store):
    contract = _contract(store)
    _client(store, contract, "A", D(2026, 1, 1), D(2026, 2, 5), "no_further_care")  # 35 days: quick, at home
    _client(store, contract, "B", D(2026, 1, 1), D(2026, 3, 1), "no_further_care")  # 59 days: not quick, at home
    _client(store, contract, "C", D(2026, 1, 1), D(2026, 1, 20), "residential_care")  # not at home at 91 days
    _client(store, contract, "D", D(2026, 1, 1), D(2026, 6, 1), "died")  # died after day 91: at home at 91
    _client(store, contract, "E", D(2026, 9, 1), D(2026, 9, 20), "no_further_care")  # day 91 not reached yet
    _client(store, contract, "F", D(2026, 1, 1), category="long_term")  # not reablement
    result = reports.reablement_result(store, D(2026, 10, 1))
    assert result.ended == 5
    assert result.no_further_care_within_42 == 2  # A and E
    assert result.counted_at_91 == 4
    assert result.at_home_at_91 == 3
    assert result.at_home_share == Decimal("0.75")


def test_caseload_and_capacity(store):
    contract = _contract(store)
    a = _client(store, contract, "A", D(2026, 1, 1), category="dementia", funding="isf")
    b = _client(store, contract, "B", D(2026, 1, 1), category="long_term", funding="council")
    _client(store, contract, "C", D(2026, 1, 1), D(2026, 2, 1), "other", category="long_term")
    store.db["envelopes"].insert_all([
        dict(client_id=a, effective_date="2026-01-01", hours_per_week="10.5", reason="initial"),
        dict(client_id=b, effective_date="2026-01-01", hours_per_week="7", reason="initial"),
        dict(client_id=b, effective_date="2026-11-01", hours_per_week="5.25", reason="independence"),
    ])
    store.db["workers"].insert(dict(ref="W1", name="Ann", contracted_hours="30"))
    store.db["workers"].insert(dict(ref="W2", name="Bo", contracted_hours="16.5"))
    rows = {r["category"]: r for r in reports.caseload_by_category_and_funding(store, D(2026, 11, 15))}
    assert rows["dementia"]["isf"] == 1 and rows["long_term"]["council"] == 1
    assert rows["total"]["total"] == 2
    cap = reports.capacity(store, D(2026, 11, 15))
    assert cap.envelope_hours == Decimal("15.75")
    assert cap.contracted_hours == Decimal("46.5")
    assert cap.spare_hours == Decimal("30.75")


def test_achievement_by_quarter(store):
    contract = _contract(store)
    client = _client(store, contract, "A", D(2026, 1, 1), category="long_term")
    outcomes = [store.db["outcomes"].insert(dict(client_id=client, ref=f"O{i}", description="x", agreed_date="2026-01-01")).last_pk for i in range(4)]
    review = store.db["reviews"].insert(dict(client_id=client, review_date="2026-08-10", method="visit")).last_pk
    store.db["review_outcomes"].insert_all([
        dict(review_id=review, outcome_id=outcomes[0], status="achieved"),
        dict(review_id=review, outcome_id=outcomes[1], status="partly"),
        dict(review_id=review, outcome_id=outcomes[2], status="not_achieved"),
        dict(review_id=review, outcome_id=outcomes[3], status="withdrawn"),
    ])
    rows = {r["quarter"]: r for r in reports.outcome_achievement_by_quarter(store, D(2026, 11, 15), quarters=4)}
    assert list(rows) == ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    assert rows["2026 Q3"]["assessed"] == 3
    assert rows["2026 Q3"]["rate"] == Decimal("0.5")
    assert rows["2026 Q4"]["rate"] is None


def test_report_columns_fit_their_values_and_never_break_a_header_word():
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from branchdesk.models.pdf_common import FONT_BOLD, MARGIN
    from branchdesk.models.report_export import (
        CELL_SIZE,
        Column,
        Report,
        column_widths,
        render_report_pdf,
    )

    columns = [Column("what", "What"), Column("detail", "Detail")]
    columns += [Column(key, key.replace("_", " ").capitalize(), "money") for key in
                ("core", "episode", "outcome_upfront", "outcome_achieved", "outcome_partial", "reward", "hours_saved", "adjustment", "total")]
    rows = [{"what": "Planned above the envelope or cap", "detail": "Plan of 15.75 h/week is above the envelope of 14.75 h",
             **{c.key: 6832679 for c in columns[2:]}}]
    report = Report("Wide", columns, rows)
    page = landscape(A4)[0] - 2 * MARGIN
    widths = column_widths(report, page)
    assert abs(sum(widths) - page) < 1
    for column, width in zip(columns, widths, strict=True):
        assert width >= max(stringWidth(word, FONT_BOLD, CELL_SIZE) for word in column.header.split()) + 12
    text = " ".join(PdfReader(io.BytesIO(render_report_pdf(report))).pages[0].extract_text().split())
    assert "Adjustment" in text and "£68,326.79" in text
    narrow = Report("Two", columns[:2], rows)
    widths = column_widths(narrow, page)
    assert widths[0] < widths[1]  # the short column keeps its width; the long one takes the rest
    assert widths[0] >= stringWidth("Planned above the envelope or cap", "DejaVuSans", CELL_SIZE)
