"""The Review record (SPEC §7): an A4 PDF of one review, for the person's file and to sign.

Who the review was for and how it was held; each outcome assessed with its status and
evidence; outcomes newly agreed; the person's satisfaction in their own words; the
support-sequence check; the envelope decision; the next review; signature lines.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from branchdesk.i18n import _
from branchdesk.models.branch import get_branch
from branchdesk.models.calendars import other_method
from branchdesk.models.dates import format_date
from branchdesk.models.db import Store
from branchdesk.models.envelope import REASON_LABELS
from branchdesk.models.errors import BranchDeskError
from branchdesk.models.money import format_decimal, format_money
from branchdesk.models.pdf_common import (
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    GREY,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    SHADE,
    draw_letterhead,
    escape,
    fitted,
    para,
    printable,
    render_document,
    styles,
)
from branchdesk.models.reviews import (
    DOMAIN_LABELS,
    METHOD_LABELS,
    SEQUENCE_LABELS,
    SEQUENCE_STEPS,
    STATUS_LABELS,
    DueReview,
    ReviewRecord,
    get_review,
    when_text,
)

SATISFACTION_WORDS = {
    1: _("very unhappy"),
    2: _("unhappy"),
    3: _("neither happy nor unhappy"),
    4: _("happy"),
    5: _("very happy"),
}
LETTERHEAD_BOTTOM = 42 * mm
OVERDUE_SHADE = colors.HexColor("#f6d5d2")


def satisfaction_text(score: int | None) -> str:
    """``4 out of 5 (happy)``."""
    if score is None:
        return _("Not given")
    return _("{score} out of 5 ({words})").format(score=score, words=SATISFACTION_WORDS.get(score, ""))


def _grid(rows: list[list], widths: list[float], header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    table.setStyle(TableStyle(commands))
    return table


def _details(client, review: ReviewRecord) -> Table:
    pairs = [
        (_("Name"), client["name"]),
        (_("Our ref"), client["ref"]),
        (_("Council ref"), client["council_ref"] or _("—")),
        (_("Date of birth"), format_date(client["date_of_birth"]) or _("—")),
        (_("Review date"), format_date(review.review_date)),
        (_("Held by"), METHOD_LABELS[review.method]),
        (_("Key worker"), client["key_worker"] or _("—")),
        (_("Who took part"), review.participants or _("Not recorded")),
    ]
    half = len(pairs) // 2
    rows = []
    for (l1, v1), (l2, v2) in zip(pairs[:half], pairs[half:], strict=True):
        rows.append([para(l1, "cell_bold"), para(v1, "cell"), para(l2, "cell_bold"), para(v2, "cell")])
    table = Table(rows, colWidths=[28 * mm, CONTENT_WIDTH / 2 - 28 * mm, 30 * mm, CONTENT_WIDTH / 2 - 30 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _outcome_cell(ref: str, description: str, domain: str | None) -> list[Flowable]:
    cell: list[Flowable] = [Paragraph(f"<b>{escape(ref)}</b>  {escape(description)}", styles()["cell"])]
    if domain:
        cell.append(para(DOMAIN_LABELS.get(domain, domain), "small"))
    return cell


def _outcomes(review: ReviewRecord) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [para(_("Outcomes"), s["heading"])]
    if not review.assessed:
        story.append(para(_("No outcomes were assessed at this review."), "body"))
    else:
        rows = [[para(_("What the person wants to achieve"), "cell_header"), para(_("Status"), "cell_header"),
                 para(_("Evidence"), "cell_header")]]
        for item in review.assessed:
            rows.append([_outcome_cell(item.ref, item.description, item.domain), para(STATUS_LABELS[item.status], "cell_bold"),
                         para(item.notes or _("—"), "cell")])
        story.append(_grid(rows, [70 * mm, 28 * mm, CONTENT_WIDTH - 98 * mm]))
    if review.new_outcomes:
        story.append(para(_("New outcomes agreed at this review"), s["heading"]))
        rows = [[para(_("What the person wants to achieve"), "cell_header"), para(_("Target date"), "cell_header"),
                 para(_("Fee"), "cell_header")]]
        for item in review.new_outcomes:
            target = item.target_date
            rows.append([_outcome_cell(item.ref, item.description, item.domain), para(format_date(target) or _("—"), "cell"),
                         para(format_money(item.fee_pence) if item.fee_pence else _("—"), "cell_right")])
        story.append(_grid(rows, [CONTENT_WIDTH - 58 * mm, 30 * mm, 28 * mm]))
    return story


def _satisfaction(review: ReviewRecord) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [para(_("How satisfied the person is"), s["heading"]), para(satisfaction_text(review.satisfaction), "bold")]
    if review.satisfaction_words:
        story.append(para(_("In their own words: “{words}”").format(words=review.satisfaction_words), "body"))
    return [KeepTogether(story)]


def _considered(value: bool | None) -> str:
    if value is None:
        return _("Not recorded")
    return _("Yes") if value else _("No")


def _sequence(review: ReviewRecord) -> list[Flowable]:
    s = styles()
    cells = [Paragraph(f"<b>{escape(SEQUENCE_LABELS[step])}</b>: {escape(_considered(review.sequence.get(step)))}", s["cell"])
             for step in SEQUENCE_STEPS]
    table = _grid([cells], [CONTENT_WIDTH / len(SEQUENCE_STEPS)] * len(SEQUENCE_STEPS), header=False)
    story: list[Flowable] = [para(_("Support sequence"), s["heading"]),
                             para(_("Before paid care, was each of these considered, in this order?"), "small"),
                             Spacer(1, 2 * mm), table]
    if review.sequence_notes:
        story += [Spacer(1, 2 * mm), para(_("What was decided"), "bold"), para(review.sequence_notes, "body")]
    return [KeepTogether(story)]


def envelope_text(review: ReviewRecord) -> list[str]:
    """The envelope decision in plain sentences."""
    change = review.envelope_change
    if change is None:
        if review.envelope_before is None:
            return [_("Unchanged (no envelope recorded).")]
        return [_("Unchanged at {hours} hours a week.").format(hours=format_decimal(review.envelope_before))]
    lines = []
    if change.old_hours is None:
        lines.append(_("{new} hours a week from {day}.").format(new=format_decimal(change.new_hours), day=format_date(review.review_date)))
    else:
        lines.append(_("Changed from {old} to {new} hours a week, from {day}.").format(
            old=format_decimal(change.old_hours), new=format_decimal(change.new_hours), day=format_date(review.review_date)))
    lines.append(_("Reason: {reason}.").format(reason=REASON_LABELS.get(change.reason, change.reason)))
    if change.hours_saved:
        why = _("the person has become more independent") if change.reason == "independence" else _("support was found in the community")
        lines.append(_("Hours saved: {hours} hours a week, because {why}.").format(hours=format_decimal(change.old_hours - change.new_hours), why=why))
    if change.band:
        lines.append(_("Band: {band}.").format(band=change.band))
    return lines


def _envelope_and_next(review: ReviewRecord) -> list[Flowable]:
    s = styles()
    envelope: list[Flowable] = [para(_("Weekly hours (the envelope)"), s["heading"])]
    envelope += [para(line, "body") for line in envelope_text(review)]
    if review.envelope_change and review.envelope_change.note:
        envelope.append(para(_("Note: {note}").format(note=review.envelope_change.note), "body"))
    if review.next_review_date:
        next_text = _("by {day}, by {method}.").format(day=format_date(review.next_review_date),
                                                       method=METHOD_LABELS[other_method(review.method)].lower())
    else:
        next_text = _("not set.")
    story = [KeepTogether(envelope), Spacer(1, 3 * mm), para(_("Next review: {when}").format(when=next_text), s["bold"])]
    if review.notes:
        story.append(KeepTogether([para(_("Other notes"), s["heading"]), para(review.notes, "body")]))
    return story


def _signatures() -> KeepTogether:
    s = styles()
    width = (CONTENT_WIDTH - 10 * mm) / 2
    labels = (_("Signature"), _("Name"), _("Date"))

    def block(title: str) -> Table:
        rows = [[para(title, "bold"), ""]] + [[para(label, "cell"), ""] for label in labels]
        table = Table(rows, colWidths=[22 * mm, width - 22 * mm], rowHeights=[6 * mm, 10 * mm, 7 * mm, 7 * mm])
        table.setStyle(TableStyle([
            ("SPAN", (0, 0), (1, 0)),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LINEBELOW", (1, 1), (1, -1), 0.6, colors.black),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ]))
        return table

    row = Table([[block(_("The person (or their representative)")), block(_("For the branch"))]], colWidths=[width + 10 * mm, width])
    row.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return KeepTogether([Spacer(1, 4 * mm), para(_("We have talked through this review together and agree with what it records."), s["bold"]),
                         Spacer(1, 1 * mm), row])


def render_review_pdf(store: Store, review_id: int) -> bytes:
    """The Review record of one review, on the branch letterhead."""
    review = get_review(store, review_id)
    client = store.row("SELECT ref, council_ref, name, date_of_birth, key_worker FROM clients WHERE id = ?", (review.client_id,))
    branch = get_branch(store)
    title = _("Review record")
    running = _("Review record · {name} · {day}").format(name=client["name"], day=format_date(review.review_date))

    def first_page(canvas: Canvas, _document) -> None:
        canvas.saveState()
        draw_letterhead(canvas, branch, right_width=62 * mm)
        text, size = fitted(canvas, printable(title), FONT_BOLD, 20, 60 * mm)
        canvas.setFont(FONT_BOLD, size)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 14 * mm - size, text)
        sub, sub_size = fitted(canvas, printable(format_date(review.review_date)), FONT, 12, 60 * mm)
        canvas.setFont(FONT, sub_size)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 14 * mm - size - sub_size - 4, sub)
        canvas.restoreState()

    def later_pages(canvas: Canvas, _document) -> None:
        canvas.saveState()
        text, size = fitted(canvas, printable(_("{running} (continued)").format(running=running)), FONT, 8.5, PAGE_WIDTH - 2 * MARGIN)
        canvas.setFont(FONT, size)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 12 * mm, text)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, PAGE_HEIGHT - 14 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 14 * mm)
        canvas.restoreState()

    story: list[Flowable] = [
        _details(client, review),
        *_outcomes(review),
        *_satisfaction(review),
        *_sequence(review),
        *_envelope_and_next(review),
    ]
    story.append(KeepTogether([story.pop(), _signatures()]))  # never a page of signatures alone
    return render_document(
        story,
        title=f"{title} — {client['name']} — {format_date(review.review_date)}",
        author=branch.get("name") or "",
        subject=_("Review of {name} on {day}").format(name=client["name"], day=format_date(review.review_date)),
        footer_text=running,
        first_page=first_page,
        later_pages=later_pages,
        first_top=LETTERHEAD_BOTTOM,
        later_top=20 * mm,
    )


def write_review_pdf(store: Store, review_id: int, path: Path | str) -> Path:
    """Save the Review record to ``path``; a plain message when the file cannot be written."""
    path = Path(path)
    try:
        path.write_bytes(render_review_pdf(store, review_id))
    except OSError as error:
        raise BranchDeskError(_("The review record could not be saved to “{path}” ({why}).").format(path=path, why=error.strerror or error)) from None
    return path


def render_due_list_pdf(store: Store, items: list[DueReview], on: dt.date, heading: str = "") -> bytes:
    """The review list as shown on screen, on A4, with the header row on every page."""
    branch = get_branch(store)
    title = heading or _("Reviews")
    subtitle = _("As on {day}: {overdue} overdue, {soon} due soon, {later} later.").format(
        day=format_date(on), overdue=sum(i.state == "overdue" for i in items),
        soon=sum(i.state == "due_soon" for i in items), later=sum(i.state == "later" for i in items))
    header = [_("Client"), _("Due date"), _("When"), _("Method"), _("Key worker"), _("Last review")]
    rows = [[para(text, "cell_header") for text in header]]
    for item in items:
        last = format_date(item.last_review_date) + ("\n" + METHOD_LABELS[item.last_review_method].lower() if item.last_review_method else "")
        method = METHOD_LABELS[item.method] + (" " + _("(first)") if item.first else "")
        worker = "\n".join(part for part in (item.key_worker or "—", item.team) if part)
        rows.append([
            para(f"{item.client_name} ({item.client_ref})", "cell"),
            para(format_date(item.due), "cell"),
            para(when_text(item), "cell_bold" if item.state == "overdue" else "cell"),
            para(method, "cell"),
            para(worker, "cell"),
            para(last or _("none yet"), "cell"),
        ])
    widths = [42 * mm, 23 * mm, 32 * mm, 22 * mm, 27 * mm]
    widths.append(CONTENT_WIDTH - sum(widths))
    table = _grid(rows, widths)
    shading = [("BACKGROUND", (2, n), (2, n), OVERDUE_SHADE) for n, item in enumerate(items, start=1) if item.state == "overdue"]
    table.setStyle(TableStyle(shading))
    story: list[Flowable] = [para(branch.get("name") or "", "small"), para(title, styles()["title"]), Spacer(1, 2 * mm),
                             para(subtitle, "body"), Spacer(1, 4 * mm)]
    story.append(table if items else para(_("No reviews in this list."), "body"))
    return render_document(
        story,
        title=f"{title} — {format_date(on)}",
        author=branch.get("name") or "",
        footer_text=_("{title} · as on {day}").format(title=title, day=format_date(on)),
    )
