"""The Review record PDF, read back with pypdf."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from test_reviews import add_client, add_outcome

from branchdesk.models import reviews
from branchdesk.models.errors import BranchDeskError
from branchdesk.models.review_pdf import render_review_pdf, write_review_pdf
from branchdesk.models.reviews import NewOutcome, OutcomeAssessment, ReviewInput

D = dt.date


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def held(store):
    client = add_client(store, "C001", D(2026, 1, 5), name="Mary O'Brien <b>&</b>", hours="14")
    breakfast = add_outcome(store, client, "O1")
    garden = add_outcome(store, client, "O2", "I want to get back to my garden")
    review_id = reviews.record_review(store, client, ReviewInput(
        review_date="2026-02-16", method="visit", participants="Mary, her daughter Jo, Sam Patel",
        assessments=[OutcomeAssessment(breakfast, "achieved", "Seen making porridge <alone>"),
                     OutcomeAssessment(garden, "active", "")],
        new_outcomes=[NewOutcome("I want to walk to the post office", "social_participation", "2026-08-01", "250")],
        satisfaction=4, satisfaction_words="They listen to me & I like Sam.",
        sequence={"self_care": True, "technology": True, "community": False},
        sequence_notes="Pendant alarm fitted.",
        envelope_decision="changed", envelope_hours="10.5", envelope_reason="independence",
    ), today=D(2026, 3, 1))
    return review_id


def test_review_record_shows_everything_decided(store, held):
    pdf = render_review_pdf(store, held)
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    for expected in (
        "Review record", "Mary O'Brien <b>&</b>", "16/02/2026", "Visit", "Mary, her daughter Jo, Sam Patel",
        "I want to make my own breakfast again", "Achieved", "Seen making porridge <alone>",
        "I want to get back to my garden", "Ongoing",
        "New outcomes agreed at this review", "I want to walk to the post office", "01/08/2026", "£250.00",
        "4 out of 5 (happy)", "They listen to me & I like Sam.",
        "Support sequence", "Self-care: Yes", "Technology: Yes", "Community: No", "Team: Not recorded", "Pendant alarm fitted.",
        "Changed from 14 to 10.5 hours a week", "More independent", "Hours saved: 3.5 hours a week",
        "Next review: by 16/08/2026, by phone call.",
        "Signature", "The person (or their representative)", "For the branch",
    ):
        assert expected in text.replace("\n", " ") or expected in text, expected
    assert "Page 1 of" in text


def test_an_unchanged_envelope_and_no_outcomes(store):
    client = add_client(store, "C002", D(2026, 1, 5), hours="7")
    review_id = reviews.record_review(store, client, ReviewInput("2026-02-16", "phone"), today=D(2026, 3, 1))
    text = text_of(render_review_pdf(store, review_id))
    assert "Unchanged at 7 hours a week." in text
    assert "No outcomes were assessed at this review." in text
    assert "Not given" in text
    assert "Phone call" in text and "by visit" in text


def test_saving_to_a_folder_that_is_missing_is_a_plain_error(store, held, tmp_path):
    path = write_review_pdf(store, held, tmp_path / "review.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    with pytest.raises(BranchDeskError, match="could not be saved"):
        write_review_pdf(store, held, tmp_path / "no such folder" / "review.pdf")


def test_the_review_list_prints_and_exports(store, tmp_path):
    from openpyxl import load_workbook

    from branchdesk.models.review_pdf import render_due_list_pdf

    add_client(store, "C001", D(2026, 8, 1), name="=HYPERLINK(\"http://x\")", key_worker="Sam Patel")
    add_client(store, "C002", D(2026, 10, 1), name="Ted Brown", key_worker="")
    on = D(2026, 10, 1)
    items = reviews.schedule(store, on)
    text = text_of(render_due_list_pdf(store, items, on, "Reviews: all clients")).replace("\n", " ")
    assert "Reviews: all clients" in text and "As on 01/10/2026: 1 overdue, 0 due soon, 1 later." in text
    assert "19 days overdue" in text and "12/09/2026" in text and "Visit (first)" in text

    path = reviews.write_due_list_xlsx(items, tmp_path / "reviews.xlsx", on)
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "Reviews as on 01/10/2026"
    assert [c.value for c in sheet[2]][:5] == ["Client ref", "Client", "Key worker", "Team", "Due date"]
    first = [c.value for c in sheet[3]]
    assert first[0] == "C001" and first[1].startswith("'=")  # a formula is neutralised
    assert first[4].date() == D(2026, 9, 12) and first[7] == "Overdue" and first[8] == "19 days overdue"
    assert sheet.max_row == 4


@pytest.mark.parametrize("points", [3, 7, 11, 30])
def test_the_signatures_are_never_on_a_page_of_their_own(store, held, points):
    notes = "\n".join(f"Point {n}: talked through how the week is going and what could change." for n in range(1, points + 1))
    store.conn.execute("UPDATE reviews SET notes = ? WHERE id = ?", (notes, held))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(render_review_pdf(store, held))).pages]
    signed = next(text for text in pages if "agree with what it records" in text)
    assert f"Point {points}:" in signed
