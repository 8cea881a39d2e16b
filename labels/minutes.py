"""The minutes of a board meeting as a PDF, rendered by a Celery task, never in a request.

They list the date, the members present and the quorum, and every case on the
agenda with its decision, who proposed it and who approved it.
"""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from common.pdf import PdfDocument, pdf_missing, pdf_store
from labels.enums import MeetingState
from labels.models import AgendaItem, Meeting

PDF_TEMPLATE = "labels/minutes_pdf.html"


def _items(meeting: Meeting) -> list[AgendaItem]:
    return list(
        meeting.items.select_related(
            "application__organisation", "application__decision", "rapporteur", "approved_by"
        ).order_by("position", "id")
    )


def minutes_facts(meeting: Meeting) -> dict[str, object]:
    """Everything the minutes show: a change to any of it draws them again."""
    return {
        "meeting": meeting.pk,
        "held_on": meeting.held_on.isoformat(),
        "state": meeting.state,
        "quorum": meeting.quorum,
        "present": sorted(meeting.members_present.values_list("pk", flat=True)),
        "items": [
            [item.pk, item.state, item.outcome, item.rapporteur_id, item.approved_by_id, item.reason]
            for item in _items(meeting)
        ],
    }


def minutes_document(meeting: Meeting) -> PdfDocument:
    def context() -> dict[str, object]:
        return {
            "meeting": meeting,
            "members": list(meeting.members_present.order_by("full_name", "email")),
            "items": _items(meeting),
        }

    return PdfDocument(
        template=PDF_TEMPLATE,
        facts=minutes_facts(meeting),
        context=context,
        file_name=lambda stamp: f"minutes-{meeting.held_on:%Y%m%d}-{meeting.pk}-{stamp[:8]}.pdf",
    )


def minutes_missing(meeting: Meeting) -> bool:
    return pdf_missing(meeting.minutes)


@transaction.atomic
def minutes_render(*, meeting: Meeting) -> Meeting:
    """Render and store the minutes of a closed meeting, once per set of facts.

    Side effects: a private file; the one it replaces is deleted after commit.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    pdf_store(
        instance=meeting,
        file_field="minutes",
        fingerprint_field="minutes_fingerprint",
        document=minutes_document(meeting),
    )
    return meeting


@shared_task(
    name="labels.render_minutes",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def render_minutes(meeting_id: int) -> None:
    """Render a closed meeting's minutes. Quiet if the meeting is gone or not closed;
    a second run changes nothing."""
    meeting = Meeting.objects.filter(pk=meeting_id, state=MeetingState.CLOSED).first()
    if meeting is not None:
        minutes_render(meeting=meeting)
