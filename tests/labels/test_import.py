"""The legacy label import: service, command, and the office's upload page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import User
from clusters.enums import OrganisationState
from clusters.models import ClusterOrganisation
from common.enums import JobState, Level
from labels.enums import LabelSource
from labels.imports.service import ImportResult, labels_import
from labels.models import CertificateJob, ImportJob, Label
from labels.services import label_create
from labels.tasks import run_import
from tests.factories import OrganisationFactory
from tests.files import stored_name

HEADER = "organisation,country,city,website,sector,level,assessed_on,valid_until,score,label_code"
TODAY = date(2026, 6, 1)

GOOD_ROWS = (
    "Panonija Food Valley Cluster,RS,Novi Sad,https://pfvc.example,Food industry,bronze,2024-03-15,,,",
    "Rhine Photonics Network,DE,Mannheim,www.rpn.example,New materials and chemistry,silver,2025-01-20,2027-01-31,,",
    "Baltic Blue Logistics,LT,Klaipeda,,Transportation and logistics,GOLD,2025-05-05,,93.5,LT-G-2025-7K4Q",
)


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


def run(*rows: str, dry_run: bool = False) -> ImportResult:
    return labels_import(content=csv_file(*rows), dry_run=dry_run, today=TODAY)


def errors_of(result: ImportResult) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in result.sorted_errors]


# --- The service -------------------------------------------------------------


def test_import_good_file_creates_labels_and_organisations(db: None) -> None:
    result = run(*GOOD_ROWS)

    assert (result.errors, result.created, result.unchanged, result.organisations_created) == ([], 3, 0, 3)
    gold = Label.objects.get(level=Level.GOLD)
    assert (gold.code, gold.score, gold.source) == ("LT-G-2025-7K4Q", Decimal("93.50"), LabelSource.IMPORT)
    rhine = ClusterOrganisation.objects.get(name="Rhine Photonics Network")
    assert (rhine.country.code, rhine.city, rhine.website, rhine.state) == (
        "DE",
        "Mannheim",
        "https://www.rpn.example",
        OrganisationState.ACTIVE,
    )
    assert [sector.name for sector in rhine.sectors.all()] == ["New materials and chemistry"]


def test_import_given_valid_until_is_kept(db: None) -> None:
    run(GOOD_ROWS[1])

    assert Label.objects.get().valid_until == date(2027, 1, 31)


def test_import_empty_valid_until_is_computed_by_the_scheme(db: None) -> None:
    run(GOOD_ROWS[0])

    label = Label.objects.get()
    assert (label.valid_from, label.valid_until) == (date(2024, 3, 15), date(2026, 3, 31))


def test_import_matches_the_organisation_ignoring_case(db: None) -> None:
    existing = OrganisationFactory(name="Panonija Food Valley Cluster", country="RS")

    result = run("PANONIJA food valley cluster,rs,,,food industry,Bronze,2024-03-15,,,")

    assert (result.errors, result.organisations_created) == ([], 0)
    assert Label.objects.get().organisation == existing
    assert ClusterOrganisation.objects.count() == 1


def test_import_same_name_in_another_country_is_another_organisation(db: None) -> None:
    OrganisationFactory(name="Panonija Food Valley Cluster", country="RS")

    result = run("Panonija Food Valley Cluster,HU,,,Food industry,bronze,2024-03-15,,,")

    assert result.organisations_created == 1
    assert Label.objects.get().organisation.country.code == "HU"


def test_import_history_in_any_row_order_supersedes_the_older(db: None) -> None:
    result = run(
        "Old Cluster,RS,,,ICT,bronze,2015-06-01,,,",
        "Old Cluster,RS,,,ICT,bronze,2012-05-10,,,",
    )

    assert result.created == 2
    older = Label.objects.get(assessed_on=date(2012, 5, 10))
    newer = Label.objects.get(assessed_on=date(2015, 6, 1))
    assert (older.superseded_by, newer.superseded_by) == (newer, None)
    # 2015 is after the 2012 label's renewal window (to 31 May 2015): a first label again.
    assert (newer.valid_from, newer.valid_until) == (date(2015, 6, 1), date(2017, 6, 30))


def test_import_renewal_within_the_window_continues_the_previous_label(db: None) -> None:
    run(
        "Old Cluster,RS,,,ICT,bronze,2012-05-10,,,",
        "Old Cluster,RS,,,ICT,bronze,2014-09-01,,,",
        "Old Cluster,RS,,,ICT,bronze,2017-01-15,,,",
    )

    validity = list(Label.objects.order_by("assessed_on").values_list("valid_from", "valid_until"))
    assert validity == [
        (date(2012, 5, 10), date(2014, 5, 31)),
        (date(2014, 6, 1), date(2017, 5, 31)),
        (date(2017, 6, 1), date(2020, 5, 31)),
    ]
    assert Label.objects.filter(superseded_by__isnull=True).get().assessed_on == date(2017, 1, 15)


def test_import_older_row_than_the_current_label_is_created_superseded(db: None) -> None:
    organisation = OrganisationFactory(name="Old Cluster", country="RS")
    current = label_create(
        organisation=organisation, level=Level.BRONZE, assessed_on=date(2015, 6, 1), source=LabelSource.APPLICATION
    )

    run("Old Cluster,RS,,,ICT,bronze,2012-05-10,,,")

    current.refresh_from_db()
    assert Label.objects.get(assessed_on=date(2012, 5, 10)).superseded_by == current
    assert current.superseded_by is None


def test_import_newer_row_supersedes_the_current_label(db: None) -> None:
    organisation = OrganisationFactory(name="Old Cluster", country="RS")
    current = label_create(
        organisation=organisation, level=Level.BRONZE, assessed_on=date(2012, 5, 10), source=LabelSource.APPLICATION
    )

    run("Old Cluster,RS,,,ICT,bronze,2014-01-10,,,", "Old Cluster,RS,,,ICT,bronze,2016-11-10,,,")

    current.refresh_from_db()
    middle = Label.objects.get(assessed_on=date(2014, 1, 10))
    newest = Label.objects.get(assessed_on=date(2016, 11, 10))
    assert (current.superseded_by, middle.superseded_by, newest.superseded_by) == (middle, newest, None)
    # The renewal continues the existing label, to 31 May 2014.
    assert middle.valid_from == date(2014, 6, 1)


def test_import_rows_around_the_current_label_chain_through_it(db: None) -> None:
    organisation = OrganisationFactory(name="Old Cluster", country="RS")
    current = label_create(
        organisation=organisation, level=Level.BRONZE, assessed_on=date(2015, 6, 1), source=LabelSource.APPLICATION
    )

    result = run("Old Cluster,RS,,,ICT,bronze,2017-03-01,,,", "Old Cluster,RS,,,ICT,bronze,2012-05-10,,,")

    current.refresh_from_db()
    older = Label.objects.get(assessed_on=date(2012, 5, 10))
    newer = Label.objects.get(assessed_on=date(2017, 3, 1))
    assert result.created == 2
    assert (older.superseded_by, current.superseded_by, newer.superseded_by) == (current, newer, None)
    # Renewed before the 2015 label expired (30 June 2017): continues it.
    assert (newer.valid_from, newer.valid_until) == (date(2017, 7, 1), date(2020, 6, 30))


def test_import_same_file_twice_changes_nothing(db: None) -> None:
    run(*GOOD_ROWS)
    before = list(Label.objects.order_by("pk").values_list("pk", "code", "superseded_by"))

    result = run(*GOOD_ROWS)

    assert (result.errors, result.created, result.unchanged, result.organisations_created) == ([], 0, 3, 0)
    assert list(Label.objects.order_by("pk").values_list("pk", "code", "superseded_by")) == before
    assert ClusterOrganisation.objects.count() == 3


def test_import_row_with_the_code_of_its_existing_label_is_unchanged(db: None) -> None:
    run(GOOD_ROWS[0])
    code = Label.objects.get().code

    result = run(GOOD_ROWS[0].removesuffix(",") + "," + code)

    assert (result.errors, result.unchanged) == ([], 1)


def test_import_code_of_another_label_is_an_error(db: None) -> None:
    run(GOOD_ROWS[2])

    result = run("Someone Else,LT,,,ICT,gold,2025-06-01,,90,LT-G-2025-7K4Q")

    assert errors_of(result) == [(2, "label_code")]
    assert Label.objects.count() == 1


def test_import_every_kind_of_bad_row_is_reported_and_nothing_written(db: None) -> None:
    organisations_before = ClusterOrganisation.objects.count()
    rows = (
        GOOD_ROWS[0],
        ",RS,,,ICT,bronze,2024-01-01,,,",  # 3: organisation
        "A,XX,,,ICT,bronze,2024-01-01,,,",  # 4: country
        "B,RS,,not a url,ICT,bronze,2024-01-01,,,",  # 5: website
        "C,RS,,,Mining,bronze,2024-01-01,,,",  # 6: sector
        "D,RS,,,,bronze,2024-01-01,,,",  # 7: sector missing
        "E,RS,,,ICT,platinum,2024-01-01,,,",  # 8: level
        "F,RS,,,ICT,bronze,15.03.2024,,,",  # 9: assessed_on format
        "G,RS,,,ICT,bronze,2030-01-01,,,",  # 10: assessed_on in the future
        "H,RS,,,ICT,bronze,2024-01-01,2023-12-31,,",  # 11: valid_until before assessed_on
        "I,RS,,,ICT,bronze,2024-01-01,,85,",  # 12: score on a Bronze label
        "J,RS,,,ICT,gold,2024-01-01,,120,",  # 13: score above 100
        "K,RS,,,ICT,bronze,2024-01-01,,,RS-B-2024-0O1I",  # 14: ambiguous characters in the code
        "L,RS,,,ICT,bronze,2024-01-01,,,DE-B-2024-7K4Q",  # 15: code of another country
        "M,RS,,,ICT,bronze,2024-01-01,,",  # 16: a cell missing
        GOOD_ROWS[0],  # 17: duplicate of row 2
        "N,RS,,,ICT,bronze,2024-02-30,,,",  # 18: no such day
    )

    result = run(*rows)

    assert errors_of(result) == [
        (3, "organisation"),
        (4, "country"),
        (5, "website"),
        (6, "sector"),
        (7, "sector"),
        (8, "level"),
        (9, "assessed_on"),
        (10, "assessed_on"),
        (11, "valid_until"),
        (12, "score"),
        (13, "score"),
        (14, "label_code"),
        (15, "label_code"),
        (16, "(row)"),
        (17, "organisation"),
        (18, "assessed_on"),
    ]
    assert Label.objects.count() == 0
    assert ClusterOrganisation.objects.count() == organisations_before


def test_import_error_messages_name_the_problem(db: None) -> None:
    result = run("D,RS,,,,bronze,2024-01-01,,,", GOOD_ROWS[0], GOOD_ROWS[0])

    assert [str(error) for error in result.sorted_errors] == [
        "row 2, column sector: The sector is required.",
        "row 4, column organisation: Same organisation, country, level and assessed_on as row 3.",
    ]


def test_import_missing_and_extra_columns_are_named(db: None) -> None:
    header = "organisation,country,city,website,sector,level,assessed_on,score,label_code,notes"

    result = labels_import(content=csv_file(header=header), today=TODAY)

    assert [(e.column, e.message) for e in result.errors] == [
        ("valid_until", "Column valid_until is missing from the header."),
        ("notes", f"Unknown column; the header must be exactly: {HEADER}."),
    ]


def test_import_columns_in_another_order_are_accepted(db: None) -> None:
    header = "level,organisation,country,city,website,sector,assessed_on,valid_until,score,label_code"

    result = labels_import(content=csv_file("bronze,X,RS,,,ICT,2024-01-01,,,", header=header), today=TODAY)

    assert (result.errors, result.created) == ([], 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\n \n", "The file is empty."),
        (HEADER.encode() + b"\n", "The file has a header but no label rows."),
    ],
)
def test_import_empty_file_is_refused(db: None, content: bytes, message: str) -> None:
    result = labels_import(content=content, today=TODAY)

    assert [(e.row, e.message) for e in result.errors] == [(1, message)]


def test_import_non_utf8_file_is_refused_with_its_line(db: None) -> None:
    content = csv_file(GOOD_ROWS[0], "Café Cluster,RS,,,ICT,bronze,2024-01-01,,,").decode().encode("latin-1")

    result = labels_import(content=content, today=TODAY)

    assert [(e.row, e.column) for e in result.errors] == [(3, "(file)")]
    assert result.errors[0].message.startswith("The file is not UTF-8 text (first bad byte on line 3).")
    assert Label.objects.count() == 0


def test_import_utf8_with_byte_order_mark_is_read(db: None) -> None:
    content = "\ufeff".encode() + csv_file(
        "Čačak Metal Cluster,RS,Čačak,,Production and engineering,bronze,2024-01-01,,,"
    )

    result = labels_import(content=content, today=TODAY)

    assert (result.errors, result.created) == ([], 1)
    assert ClusterOrganisation.objects.get().name == "Čačak Metal Cluster"


def test_import_semicolon_separated_file_gets_a_clear_message(db: None) -> None:
    result = labels_import(content=HEADER.replace(",", ";").encode(), today=TODAY)

    assert [e.message for e in result.errors] == ["Columns must be separated by commas, not semicolons."]


def test_import_dry_run_writes_nothing(db: None) -> None:
    result = run(*GOOD_ROWS, dry_run=True)

    assert (result.created, result.organisations_created) == (3, 3)
    assert (Label.objects.count(), ClusterOrganisation.objects.count(), CertificateJob.objects.count()) == (0, 0, 0)


def generated_rows(count: int) -> list[str]:
    """Distinct organisations in a few countries, each level, some with a Gold score."""
    countries = ["RS", "DE", "HR", "LT", "ES"]
    levels = ["bronze", "silver", "gold"]
    rows = []
    for n in range(count):
        level = levels[n % 3]
        score = f"{80 + n % 20}" if level == "gold" else ""
        rows.append(
            f"Cluster {n},{countries[n % 5]},City {n},,ICT,{level},20{10 + n % 15:02d}-0{1 + n % 9}-15,,{score},"
        )
    return rows


def test_import_thousand_rows(db: None) -> None:
    result = run(*generated_rows(1000))

    assert (result.errors, result.created, result.organisations_created) == ([], 1000, 1000)
    assert Label.objects.filter(source=LabelSource.IMPORT).count() == 1000


# --- The command -------------------------------------------------------------


def write_csv(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "labels.csv"
    path.write_bytes(csv_file(*rows))
    return str(path)


def test_import_command_imports_and_reports(
    db: None, tmp_path: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_labels", write_csv(tmp_path, *GOOD_ROWS), stdout=out)

    job = CertificateJob.objects.get()
    assert out.getvalue().splitlines() == [
        "3 rows: created 3 labels and 3 organisations; 0 unchanged.",
        f"Certificates: job {job.pk} renders those missing or outdated (3 labels).",
    ]
    assert (Label.objects.count(), job.state, job.rendered) == (3, JobState.DONE, 3)


def test_import_command_dry_run_writes_nothing(db: None, tmp_path: Path) -> None:
    out = StringIO()

    call_command("import_labels", write_csv(tmp_path, *GOOD_ROWS), "--dry-run", stdout=out)

    assert out.getvalue().splitlines() == [
        "3 rows: would create 3 labels and 3 organisations; 0 unchanged.",
        "Dry run: nothing was written.",
    ]
    assert (Label.objects.count(), ClusterOrganisation.objects.count()) == (0, 0)


def test_import_command_errors_fail_with_every_row_listed(db: None, tmp_path: Path) -> None:
    err = StringIO()
    path = write_csv(tmp_path, "A,XX,,,ICT,bronze,2024-01-01,,,", GOOD_ROWS[0], "E,RS,,,ICT,platinum,2024-01-01,,,")

    with pytest.raises(CommandError, match="2 error"):
        call_command("import_labels", path, stdout=StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "row 2, column country: XX is not an ISO 3166 two-letter country code.",
        "row 4, column level: The level must be bronze, silver or gold.",
    ]
    assert Label.objects.count() == 0


# --- The upload page ---------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def office_client(client: Client, people: dict[str, User]) -> Client:
    client.force_login(people["office"])
    return client


def test_import_upload_page_runs_the_job_and_shows_the_summary(
    office_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            reverse("labels:import_upload"), {"file": upload("legacy.csv", csv_file(*GOOD_ROWS))}
        )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("labels:import_detail", args=[job.pk])
    assert (job.state, job.total, job.processed, job.report["created"]) == (JobState.DONE, 3, 3, 3)
    assert stored_name(job.file).startswith("imports/legacy")
    assert Label.objects.filter(imported_in=job).count() == 3
    page = office_client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["job"] == job
    assert b'data-testid="created">3<' in page.content
    assert b"hx-trigger" not in page.content


def test_import_upload_dry_run_job_writes_nothing(
    office_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(
            reverse("labels:import_upload"), {"file": upload("legacy.csv", csv_file(*GOOD_ROWS)), "dry_run": "on"}
        )

    job = ImportJob.objects.get()
    assert (job.dry_run, job.state, job.report["created"]) == (True, JobState.DONE, 3)
    assert Label.objects.count() == 0


def test_import_upload_bad_file_shows_the_error_table(
    office_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            reverse("labels:import_upload"), {"file": upload("bad.csv", csv_file("A,XX,,,ICT,bronze,2024-01-01,,,"))}
        )

    page = office_client.get(response["Location"])
    job = ImportJob.objects.get()
    assert job.report["errors"] == [
        {"row": 2, "column": "country", "message": "XX is not an ISO 3166 two-letter country code."}
    ]
    assert b'data-testid="import-errors"' in page.content
    assert b"XX is not an ISO 3166 two-letter country code." in page.content


def test_import_progress_of_a_queued_job_polls_every_second(office_client: Client, people: dict[str, User]) -> None:
    job = ImportJob.objects.create(file="imports/x.csv", uploaded_by=people["office"], total=400, processed=100)

    response = office_client.get(reverse("labels:import_progress", args=[job.pk]))

    assert response.status_code == 200
    assert f'hx-get="{reverse("labels:import_progress", args=[job.pk])}"'.encode() in response.content
    assert b'hx-trigger="every 1s"' in response.content
    assert b'aria-valuenow="25"' in response.content


def test_import_job_renders_the_new_labels_certificates_in_one_bulk_job(
    office_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            reverse("labels:import_upload"), {"file": upload("legacy.csv", csv_file(*GOOD_ROWS))}
        )

    job = ImportJob.objects.get()
    certificates = CertificateJob.objects.get()
    assert (certificates.import_job, certificates.state, certificates.total, certificates.rendered) == (
        job,
        JobState.DONE,
        3,
        3,
    )
    assert [label.certificate.storage.exists(stored_name(label.certificate)) for label in Label.objects.all()] == [
        True
    ] * 3
    page = office_client.get(response["Location"]).content.decode()
    assert 'data-testid="import-certificates"' in page
    assert "Done: 3 of 3 certificates rendered again" in page


def test_import_job_certificates_are_for_its_current_labels_only(
    office_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    history = (
        "Vrsac Wine Route Cluster,RS,Vrsac,,Food industry,bronze,2012-04-18,,,",
        "Vrsac Wine Route Cluster,RS,Vrsac,,Food industry,bronze,2014-03-02,,,",
    )
    certified = label_create(
        organisation=OrganisationFactory(), level=Level.GOLD, assessed_on=date(2025, 2, 3), source=LabelSource.IMPORT
    )

    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(reverse("labels:import_upload"), {"file": upload("history.csv", csv_file(*history))})

    certificates = CertificateJob.objects.get()
    current = Label.objects.get(imported_in__isnull=False, superseded_by__isnull=True)
    assert (certificates.total, certificates.rendered) == (1, 1)
    assert [
        bool(label.certificate) for label in Label.objects.filter(pk__in=[current.pk, certified.pk]).order_by("pk")
    ] == [False, True]


@pytest.mark.parametrize(
    ("rows", "dry_run"),
    [(GOOD_ROWS, True), (("A,XX,,,ICT,bronze,2024-01-01,,,",), False)],
    ids=["dry-run", "bad-file"],
)
def test_import_that_writes_nothing_queues_no_certificates(
    office_client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    rows: tuple[str],
    dry_run: bool,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            reverse("labels:import_upload"),
            {"file": upload("legacy.csv", csv_file(*rows)), **({"dry_run": "on"} if dry_run else {})},
        )

    assert ImportJob.objects.get().state == JobState.DONE
    assert CertificateJob.objects.count() == 0
    assert b'data-testid="import-certificates"' not in office_client.get(response["Location"]).content


def test_import_page_follows_the_certificates_until_they_are_done(
    office_client: Client, people: dict[str, User]
) -> None:
    job = ImportJob.objects.create(
        file="imports/x.csv",
        uploaded_by=people["office"],
        state=JobState.DONE,
        report={"created": 4, "unchanged": 0, "organisations_created": 4, "errors": []},
    )
    certificates = CertificateJob.objects.create(import_job=job, total=4, processed=1)

    response = office_client.get(reverse("labels:import_progress", args=[job.pk]))

    page = response.content.decode()
    assert f'hx-get="{reverse("labels:certificate_job", args=[certificates.pk])}"' in page
    assert 'aria-valuenow="25"' in page
    assert "1 of 4 checked" in page


def test_import_upload_refuses_a_file_that_is_not_csv(office_client: Client) -> None:
    response = office_client.post(reverse("labels:import_upload"), {"file": upload("labels.xlsx", b"PK\x03\x04")})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        'Only .csv files can be imported. Save the sheet as "CSV UTF-8".'
    ]
    assert ImportJob.objects.count() == 0


def test_import_upload_refuses_a_file_over_5_mb(office_client: Client) -> None:
    big = upload("big.csv", HEADER.encode() + b"\n" + b"x" * (5 * 1024 * 1024))

    response = office_client.post(reverse("labels:import_upload"), {"file": big})

    assert response.context["form"].errors["file"][0].startswith("The file is 5.0\xa0MB; at most 5.0\xa0MB")
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("person", ["committee", "policy", "assessor", "manager", "partner", "outsider"])
@pytest.mark.parametrize("url_name", ["labels:import_upload", "labels:import_detail", "labels:import_progress"])
def test_import_pages_are_refused_to_everyone_but_the_office(
    client: Client, people: dict[str, User], person: str, url_name: str
) -> None:
    job = ImportJob.objects.create(file="imports/x.csv", uploaded_by=people["office"])
    args = [] if url_name == "labels:import_upload" else [job.pk]
    client.force_login(people[person])

    response = client.get(reverse(url_name, args=args))

    assert response.status_code == 403


def test_import_upload_asks_anonymous_visitors_to_log_in(client: Client, db: None) -> None:
    response = client.get(reverse("labels:import_upload"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('labels:import_upload')}"


def test_import_upload_page_lists_recent_jobs(office_client: Client, people: dict[str, User]) -> None:
    ImportJob.objects.create(file="imports/old.csv", uploaded_by=people["office"], state=JobState.DONE)

    response = office_client.get(reverse("labels:import_upload"))

    assert response.status_code == 200
    assert [job.file.name for job in response.context["recent"]] == ["imports/old.csv"]


# --- The task ----------------------------------------------------------------


def test_run_import_leaves_a_finished_job_alone(people: dict[str, User]) -> None:
    job = ImportJob.objects.create(
        file="imports/gone.csv", uploaded_by=people["office"], state=JobState.DONE, report={"created": 7}
    )

    run_import(job.pk)

    job.refresh_from_db()
    assert (job.state, job.report) == (JobState.DONE, {"created": 7})


def test_run_import_of_a_deleted_job_is_quiet(db: None) -> None:
    assert run_import(123456) is None


def test_run_import_again_after_a_crash_that_followed_the_write_queues_the_certificates(
    people: dict[str, User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    job = ImportJob(uploaded_by=people["office"], state=JobState.RUNNING)
    job.file.save("legacy.csv", ContentFile(csv_file(*GOOD_ROWS)))
    labels_import(content=csv_file(*GOOD_ROWS), job=job)  # written, then the worker died

    with django_capture_on_commit_callbacks(execute=True):
        run_import(job.pk)

    job.refresh_from_db()
    certificates = CertificateJob.objects.get()
    assert (job.report["created"], job.report["unchanged"]) == (0, 3)
    assert (certificates.import_job, certificates.state, certificates.rendered) == (job, JobState.DONE, 3)


def test_run_import_missing_file_marks_the_job_failed(people: dict[str, User]) -> None:
    job = ImportJob.objects.create(file="imports/missing.csv", uploaded_by=people["office"])

    run_import(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.finished_at is not None
