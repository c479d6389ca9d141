"""The ideal-week sheet: read back with pypdf, large print checked in the page content."""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.generic import ContentStream

from branchdesk.models.ideal_week import PlanItem, add_item, new_version
from branchdesk.models.ideal_week_pdf import (
    plain_hours,
    plain_minutes,
    plain_time,
    render_ideal_week_pdf,
    save_ideal_week_pdf,
)
from tests.test_ideal_week import TODAY, make_client


def busy_week(store) -> int:
    client = make_client(store, budget_pence=None)
    store.conn.execute("UPDATE clients SET name = 'Zoë O’Brien' WHERE id = ?", (client,))
    store.conn.execute("UPDATE branch SET phone = '01432 555 0123' WHERE id = 1")
    anna = store.db["workers"].insert({"ref": "W1", "name": "Anna Kowalska"}).last_pk
    ben = store.db["workers"].insert({"ref": "W2", "name": "Ben Okafor"}).last_pk
    week = new_version(store, client, "2026-11-02", "Zoë and her son Tom", "2026-10-28", today=TODAY)
    slots = [("morning", "07:45", 45, "Wash & dress <then> breakfast"), ("lunchtime", "12:00", 30, "Lunch"),
             ("teatime", "17:30", 30, "Tea"), ("evening", "21:00", 30, "Bed")]
    for day in range(7):
        for part, time, minutes, purpose in slots:
            add_item(store, week, PlanItem(day, part, "paid_visit", time, minutes, purpose=purpose,
                                           worker_ids=[anna, ben] if part == "morning" else [anna]), today=TODAY)
    add_item(store, week, PlanItem(1, "lunchtime", "community", "12:00", who="Lunch club", purpose="Lunch and company"), today=TODAY)
    add_item(store, week, PlanItem(6, "afternoon", "family", who="Daughter Sue", purpose="Sunday lunch"), today=TODAY)
    add_item(store, week, PlanItem(0, "night", "technology", who="Pendant alarm", purpose="Press it if you fall"), today=TODAY)
    return week


def font_sizes(pdf: bytes) -> set[float]:
    """The font sizes at which text is shown on any page (a size set but never used does not count)."""
    sizes = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        size = None
        for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
            if operator == b"Tf":
                size = float(operands[1])
            elif operator in (b"Tj", b"TJ", b"'", b'"'):
                sizes.add(size)
    return sizes


def test_busy_week_text_and_large_print(store, tmp_path):
    week = busy_week(store)
    path = save_ideal_week_pdf(store, week, tmp_path / "week.pdf")
    pdf = path.read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert "Your week: Zoë O’Brien" in flat
    assert "This plan starts on 02/11/2026. We agreed it with Zoë and her son Tom on 28/10/2026." in flat
    assert "Care workers visit for about 15¾ hours a week." in flat
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        assert day in text
    for part in ("Morning", "Lunchtime", "Afternoon", "Teatime", "Evening", "Night"):
        assert part in text
    assert "Wash & dress <then> breakfast" in flat  # user text escaped, printed as typed
    assert "Anna or Ben come for 45 minutes" in flat
    assert "Lunch club" in flat and "Daughter Sue" in flat and "Pendant alarm" in flat
    assert "call Test Branch on 01432 555 0123" in flat
    assert f"Page 1 of {len(reader.pages)}" in flat
    assert min(font_sizes(pdf)) >= 14
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape


def test_almost_empty_week(store):
    client = make_client(store, budget_pence=None)
    week = new_version(store, client, "2026-10-01", today=TODAY)
    add_item(store, week, PlanItem(2, "morning", "paid_visit", "09:00", 60, purpose="Practise making breakfast"), today=TODAY)
    pdf = render_ideal_week_pdf(store, week)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    flat = " ".join(reader.pages[0].extract_text().split())
    assert "9am Practise making breakfast" in flat
    assert "A care worker comes for 1 hour" in flat
    assert "about 1 hour a week" in flat
    assert min(font_sizes(pdf)) >= 14


def test_plain_english_helpers():
    assert [plain_time(t) for t in ("07:45", "09:00", "12:00", "13:05", "00:00", None)] == [
        "7:45am", "9am", "12 noon", "1:05pm", "midnight", ""]
    assert [plain_minutes(m) for m in (45, 60, 90, 120)] == ["45 minutes", "1 hour", "1 hour 30 minutes", "2 hours"]
    from decimal import Decimal
    assert [plain_hours(Decimal(h)) for h in ("10.5", "15.75", "0.25", "7", "8.33")] == ["10½", "15¾", "¼", "7", "8¼"]


def test_a_busy_week_starts_on_the_first_page(store):
    """When the morning is too tall to fit below the introduction, the title stays on top with
    the week below it and the introduction moves after the week: no first page of words alone."""
    client = make_client(store, budget_pence=None)
    week = new_version(store, client, "2026-11-02", "Zoë and her son Tom", "2026-10-28", today=TODAY)
    for day in range(7):
        add_item(store, week, PlanItem(day, "morning", "paid_visit", "07:00", 60,
                                       purpose="Help to get up, wash and dress; breakfast together and a chat"), today=TODAY)
        add_item(store, week, PlanItem(day, "morning", "friend", who="Doreen (friend)",
                                       purpose="Coffee and a catch-up; takes you to the hairdresser once a month"), today=TODAY)
        add_item(store, week, PlanItem(day, "morning", "other", who="Community nurse", purpose="Leg dressings (Mondays and Thursdays)"), today=TODAY)
        add_item(store, week, PlanItem(day, "lunchtime", "paid_visit", "12:00", 30, purpose="Lunch"), today=TODAY)
    pdf = render_ideal_week_pdf(store, week)
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
    assert "Your week:" in pages[0]
    assert "Monday" in pages[0] and "Morning" in pages[0] and "Help to get up" in pages[0]
    assert "This plan starts on 02/11/2026." in " ".join(pages)
    assert min(font_sizes(pdf)) >= 14
