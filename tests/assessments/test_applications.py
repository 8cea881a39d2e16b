"""Starting, answering, uploading and submitting: the rules in the applications."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from assessments import selectors
from assessments.enums import ApplicationState, VersionStatus
from assessments.models import Answer, Application, Evidence, Indicator, QuestionnaireVersion
from assessments.services import applications
from clusters.enums import MembershipRole, OrganisationState
from clusters.models import ClusterOrganisation, Membership
from common.enums import Level
from common.errors import ActionRefused
from labels.enums import LabelSource
from labels.services import label_create
from tests.assessments.conftest import ANSWERS, make_version
from tests.factories import MembershipFactory, UserFactory
from tests.files import JPEG, PDF, PNG


def start(manager: Membership, level: Level = Level.BRONZE) -> Application:
    return applications.application_start(organisation=manager.organisation, level=level, by=manager.user)


def answer_all(application: Application, user: User) -> None:
    for code, raw in ANSWERS.items():
        indicator = Indicator.objects.get(version=application.version, code=code)
        current = Answer.objects.filter(application=application, indicator=indicator).first()
        applications.answer_save(
            application=application, indicator=indicator, raw=raw, revision=current.revision if current else 0, by=user
        )


def upload(
    application: Application, user: User, code: str = "S2.4", name: str = "proof.pdf", content: bytes = PDF
) -> Evidence:
    indicator = Indicator.objects.get(version=application.version, code=code)
    return applications.evidence_add(
        application=application, indicator=indicator, upload=SimpleUploadedFile(name, content), by=user
    )


def test_manager_starts_against_the_published_version(bronze: QuestionnaireVersion, manager: Membership) -> None:
    application = start(manager)

    assert (application.version, application.state, application.level) == (bronze, ApplicationState.DRAFT, "bronze")
    assert [t.to_state for t in selectors.transitions_of(application)] == ["draft"]


def test_second_open_application_of_a_level_is_refused(bronze: QuestionnaireVersion, manager: Membership) -> None:
    start(manager)

    with pytest.raises(ActionRefused, match="already open"):
        start(manager)

    assert Application.objects.count() == 1


def test_ineligible_organisation_cannot_start(bronze: QuestionnaireVersion, manager: Membership) -> None:
    ClusterOrganisation.objects.update(eccp_url="")

    with pytest.raises(ActionRefused, match="Listed on the ECCP is not met"):
        start(manager)


def test_unvalidated_organisation_cannot_start(bronze: QuestionnaireVersion, manager: Membership) -> None:
    ClusterOrganisation.objects.update(state=OrganisationState.PENDING)

    with pytest.raises(ActionRefused, match="must be validated first"):
        start(manager)


def test_contributor_cannot_start(bronze: QuestionnaireVersion, organisation: ClusterOrganisation) -> None:
    contributor = MembershipFactory(organisation=organisation, role=MembershipRole.CONTRIBUTOR)

    with pytest.raises(PermissionDenied):
        applications.application_start(organisation=organisation, level=Level.BRONZE, by=contributor.user)


def _bronze_label(organisation: ClusterOrganisation, assessed_on: date) -> None:
    label_create(organisation=organisation, level=Level.BRONZE, assessed_on=assessed_on, source=LabelSource.IMPORT)


@pytest.mark.parametrize(
    ("months_ago_days", "allowed"),
    [(540 - 3, False), (549, True), (700, True), (731, False)],
)
def test_silver_needs_a_bronze_benchmarking_18_to_24_months_old(
    manager: Membership, months_ago_days: int, allowed: bool
) -> None:
    make_version(Level.SILVER)
    today = date(2026, 11, 25)
    _bronze_label(manager.organisation, today - timedelta(days=months_ago_days))

    if allowed:
        application = applications.application_start(
            organisation=manager.organisation, level=Level.SILVER, by=manager.user, today=today
        )
        assert application.level == "silver"
    else:
        with pytest.raises(ActionRefused, match="Silver needs a Bronze benchmarking 18 to 24 months old"):
            applications.application_start(
                organisation=manager.organisation, level=Level.SILVER, by=manager.user, today=today
            )


def test_silver_boundaries_are_exact_months(manager: Membership) -> None:
    benchmarked = date(2024, 5, 25)
    _bronze_label(manager.organisation, benchmarked)

    assert applications.silver_timing_problem(manager.organisation, date(2025, 11, 24)) is not None
    assert applications.silver_timing_problem(manager.organisation, date(2025, 11, 25)) is None
    assert applications.silver_timing_problem(manager.organisation, date(2026, 5, 25)) is None
    assert applications.silver_timing_problem(manager.organisation, date(2026, 5, 26)) is not None


def test_silver_without_any_bronze_is_refused(manager: Membership) -> None:
    make_version(Level.SILVER)

    with pytest.raises(ActionRefused, match="has none"):
        start(manager, Level.SILVER)


def test_gold_can_start_any_time(manager: Membership) -> None:
    make_version(Level.GOLD)

    assert start(manager, Level.GOLD).level == "gold"


def test_stale_save_is_refused_and_the_first_answer_kept(
    bronze: QuestionnaireVersion, manager: Membership, organisation: ClusterOrganisation
) -> None:
    colleague = MembershipFactory(organisation=organisation, role=MembershipRole.CONTRIBUTOR).user
    application = start(manager)
    indicator = Indicator.objects.get(version=bronze, code="S2.3")
    applications.answer_save(application=application, indicator=indicator, raw=["mine"], revision=0, by=colleague)

    with pytest.raises(applications.AnswerConflict, match="changed this answer"):
        applications.answer_save(
            application=application, indicator=indicator, raw=["theirs"], revision=0, by=manager.user
        )

    assert Answer.objects.get().value == "mine"


def test_submit_lists_what_is_missing_then_locks(bronze: QuestionnaireVersion, manager: Membership) -> None:
    application = start(manager)
    answer_all(application, manager.user)

    missing = selectors.missing_items(selectors.application_sections(application))
    assert [(row.indicator.code, reason) for _section, row, reason in missing] == [("S2.4", "not answered")]
    with pytest.raises(ActionRefused, match="1 required item"):
        applications.application_submit(application=application, by=manager.user)

    upload(application, manager.user)
    submitted = applications.application_submit(application=application, by=manager.user)

    assert submitted.state == ApplicationState.SUBMITTED
    indicator = Indicator.objects.get(version=bronze, code="S2.3")
    with pytest.raises(ActionRefused, match="submitted"):
        applications.answer_save(application=submitted, indicator=indicator, raw=["late"], revision=1, by=manager.user)
    with pytest.raises(ActionRefused, match="submitted"):
        upload(submitted, manager.user)


def test_contributor_cannot_submit(
    bronze: QuestionnaireVersion, manager: Membership, organisation: ClusterOrganisation
) -> None:
    contributor = MembershipFactory(organisation=organisation, role=MembershipRole.CONTRIBUTOR).user
    application = start(manager)

    with pytest.raises(PermissionDenied):
        applications.application_submit(application=application, by=contributor)


def test_publishing_a_new_version_leaves_a_submitted_application_unchanged(
    bronze: QuestionnaireVersion, manager: Membership
) -> None:
    application = start(manager)
    answer_all(application, manager.user)
    upload(application, manager.user)
    applications.application_submit(application=application, by=manager.user)
    before = [
        (r.indicator.code, r.indicator.title, r.value)
        for s in selectors.application_sections(application)
        for r in s.rows
    ]

    QuestionnaireVersion.objects.filter(pk=bronze.pk).update(status=VersionStatus.RETIRED)
    newer = make_version(Level.BRONZE, number=2)
    Indicator.objects.filter(version=newer, code="S2.3").update(title="A reworded question")

    application.refresh_from_db()
    after = [
        (r.indicator.code, r.indicator.title, r.value)
        for s in selectors.application_sections(application)
        for r in s.rows
    ]
    assert application.version == bronze
    assert after == before


def test_renewal_prefills_and_marks_changes(bronze: QuestionnaireVersion, manager: Membership) -> None:
    first = start(manager)
    answer_all(first, manager.user)
    upload(first, manager.user)
    applications.application_submit(application=first, by=manager.user)
    Application.objects.filter(pk=first.pk).update(state=ApplicationState.AWARDED)

    renewal = start(manager)
    indicator = Indicator.objects.get(version=bronze, code="S1.1")
    applications.answer_save(application=renewal, indicator=indicator, raw=["30"], revision=0, by=manager.user)

    rows = {r.indicator.code: r for s in selectors.application_sections(renewal) for r in s.rows}
    assert renewal.renewal_of == first
    assert rows["S2.3"].value == "We run matchmaking events."
    assert [code for code, row in rows.items() if row.changed_since_previous] == ["S1.1"]
    answer = rows["S1.1"].answer
    assert answer is not None
    assert (answer.previous_value, rows["S1.1"].value) == (25, 30)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("proof.pdf", PDF),
        ("photo.png", PNG),
        ("photo.jpeg", JPEG),
        ("report.docx", _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"})),
        ("sheet.xlsx", _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"})),
        ("text.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})),
        ("sheet.ods", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})),
    ],
)
def test_accepted_uploads_are_stored_privately(
    bronze: QuestionnaireVersion, manager: Membership, name: str, content: bytes
) -> None:
    evidence = upload(start(manager), manager.user, name=name, content=content)

    assert (evidence.original_name, evidence.size) == (name, len(content))
    assert evidence.file.read() == content
    storage = evidence.file.storage
    assert isinstance(storage, FileSystemStorage)
    assert evidence.file.path.startswith(str(storage.base_location))


def test_zip_bomb_is_not_inflated(bronze: QuestionnaireVersion, manager: Membership) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text" + b" " * 50_000_000)

    evidence = upload(start(manager), manager.user, name="bomb.odt", content=bomb.getvalue())

    # Only the first bytes of the entry were read; the 50 MB never inflated in memory.
    assert (evidence.content_type, evidence.size) == ("application/vnd.oasis.opendocument.text", len(bomb.getvalue()))


def test_renewal_drops_answers_the_new_version_no_longer_accepts(
    bronze: QuestionnaireVersion, manager: Membership
) -> None:
    first = start(manager)
    answer_all(first, manager.user)
    upload(first, manager.user)
    applications.application_submit(application=first, by=manager.user)
    Application.objects.filter(pk=first.pk).update(state=ApplicationState.AWARDED)
    QuestionnaireVersion.objects.filter(pk=bronze.pk).update(status=VersionStatus.RETIRED)
    newer = make_version(Level.BRONZE, number=2)
    Indicator.objects.filter(version=newer, code="S1.1").update(max_value=10)  # the old answer was 25

    renewal = start(manager)

    copied = {a.indicator.code: a.value for a in renewal.answers.select_related("indicator")}
    assert "S1.1" not in copied
    assert copied["S2.3"] == "We run matchmaking events."


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.pdf", b"MZ\x90\x00 an executable", "fake.pdf is named as PDF but its content is something else"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg is not an accepted kind of file"),
        (
            "logo.pdf",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            "logo.pdf is named as PDF but its content is something else",
        ),
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, "photo.pdf is named as PDF but its content is PNG"),
        ("empty.pdf", b"", "The file empty.pdf is empty."),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "The file big.pdf is 10.0 MB; the limit is 10 MB."),
        ("macro.docm", b"PK\x03\x04", "macro.docm is not an accepted kind of file"),
    ],
)
def test_rejected_uploads_say_why_and_store_nothing(
    bronze: QuestionnaireVersion, manager: Membership, name: str, content: bytes, message: str
) -> None:
    application = start(manager)

    with pytest.raises(ActionRefused) as refused:
        upload(application, manager.user, name=name, content=content)

    assert str(refused.value).startswith(message)
    assert Evidence.objects.count() == 0


def test_outsider_cannot_answer(bronze: QuestionnaireVersion, manager: Membership) -> None:
    application = start(manager)
    indicator = Indicator.objects.get(version=bronze, code="S2.3")

    with pytest.raises(PermissionDenied):
        applications.answer_save(application=application, indicator=indicator, raw=["x"], revision=0, by=UserFactory())
