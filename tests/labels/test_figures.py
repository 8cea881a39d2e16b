"""The figures kept ready by the worker: the same as the live selectors, refreshed once
for many changes, recomputed when the day changes, read by the pages for their scope only."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from accounts.models import User
from clusters.enums import OrganisationState
from clusters.services import organisation_transition
from common.enums import Level
from labels import dashboard
from labels import statistics as stats
from labels.enums import LabelSource
from labels.figures import (
    DASHBOARD,
    KINDS,
    REFRESH_RUNNING,
    Stored,
    Timeline,
    _queue_after_commit,
    figures_read,
    figures_refresh,
    refresh_figures,
    scope_key,
    scopes_to_refresh,
)
from labels.models import Label, StoredFigure
from labels.services import label_create, label_revoke
from tests.factories import LabelFactory, OrganisationFactory, PartnerStaffFactory, UserFactory
from tests.labels.test_statistics import ELIGIBLE, decided, label

TODAY = timezone.localdate()


@pytest.fixture
def small(db: None) -> dict[str, Any]:
    """Labels in three countries, in several states; decisions; a partner of two countries and one of Serbia."""
    rs = OrganisationFactory(country="RS", **ELIGIBLE)
    de = OrganisationFactory(country="DE", **ELIGIBLE)
    at = OrganisationFactory(country="AT")
    first = label(rs, "bronze", "2012-04-18")
    label(rs, "bronze", "2014-09-01", previous=first)
    label(de, "gold", (TODAY - timedelta(days=60)).isoformat())
    label(at, "gold", "2018-01-10")
    for days in (20, 60, 150):
        LabelFactory(
            organisation=OrganisationFactory(country="DE"),
            assessed_on=TODAY - timedelta(days=700),
            valid_from=TODAY - timedelta(days=700),
            valid_until=TODAY + timedelta(days=days),
        )
    OrganisationFactory(country="RS")  # never labelled
    office = UserFactory()
    decided(de, "gold", "2024-01-10T10:00:00", 40, office)
    decided(rs, "bronze", "2024-03-01T10:00:00", 25, office)
    return {
        "serbia": PartnerStaffFactory(partner__countries=["RS"]).user,
        "two": PartnerStaffFactory(partner__countries=["DE", "AT"]).user,
    }


def test_the_scopes_are_every_country_each_one_and_each_partners(small: dict[str, Any]) -> None:
    assert [scope_key(scope) for scope in scopes_to_refresh()] == ["all", "AT", "DE", "RS", "AT,DE"]


def test_the_stored_figures_are_those_of_the_live_selectors(small: dict[str, Any]) -> None:
    figures_refresh()

    for scope in scopes_to_refresh():
        stored = figures_read(scope, KINDS)
        assert (stored.missing, stored.stale, stored.day) == (False, False, TODAY)
        assert stored.dashboard() == dashboard.dashboard_figures(scope, TODAY)
        assert stored.timeline() == Timeline(*dashboard.expiry_timeline(scope, TODAY))
        assert stored.held_per_year() == stats.held_per_year(scope, TODAY)
        assert stored.by_country() == stats.by_country(scope, TODAY)
        assert stored.by_sector() == stats.by_sector(scope, TODAY)
        assert stored.renewals() == stats.renewals(scope, TODAY)
        assert stored.decision_times() == stats.decision_times(scope)
        assert stored.eligible_share() == stats.eligible_share(scope, TODAY)
    everywhere = figures_read(stats.Scope(None), KINDS)
    assert stats.comparison_of("RS", everywhere.by_country()) == stats.country_comparison("RS", TODAY)
    # Not trivial: the figures of the small world are there.
    assert everywhere.dashboard()["expiring-30"] == 1
    assert everywhere.decision_times().overall == (32.5, 2)


def test_a_refresh_overwrites_its_rows_and_drops_scopes_no_one_reads(small: dict[str, Any]) -> None:
    StoredFigure.objects.create(name=DASHBOARD, scope="FR", day=TODAY, computed_at=timezone.now(), value={})
    figures_refresh()
    rows = StoredFigure.objects.count()

    figures_refresh()

    assert StoredFigure.objects.count() == rows == len(KINDS) * 5
    assert not StoredFigure.objects.filter(scope="FR").exists()


# --------------------------------------------------------------------------- coalescing


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Refreshes are recorded instead of run or published: the list of those queued.

    Nothing reaches a broker: in CI a real worker listens on it, and a refresh it ran
    would write on the test database while later tests run."""
    published: list[dict[str, Any]] = []

    def record(*args: Any, **options: Any) -> None:
        published.append(options)

    monkeypatch.setattr(refresh_figures, "apply_async", record)
    # As with a broker: a refresh deferred behind a running one is queued, not run in process.
    conf = refresh_figures.app.conf
    saved, conf.task_always_eager = conf.task_always_eager, False
    yield published
    conf.task_always_eager = saved


def _label(country: str = "RS") -> Label:
    return label_create(
        organisation=OrganisationFactory(country=country),
        level=Level.BRONZE,
        assessed_on=TODAY,
        source=LabelSource.APPLICATION,
    )


def test_two_labels_in_one_transaction_queue_one_refresh_after_commit(
    db: None, queued: list[dict[str, Any]], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _label()
        _label()
        assert queued == []  # nothing before the commit

    assert len(queued) == 1
    assert queued[0]["countdown"] == settings.FIGURES_REFRESH_DELAY > 0


def test_a_transaction_creating_many_labels_registers_one_refresh(
    db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """Tasks in process (the embedded default) run at once: one callback per transaction, not per label."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for _ in range(5):
            _label()

    assert [c for c in callbacks if c is _queue_after_commit] == [_queue_after_commit]
    assert StoredFigure.objects.filter(name=DASHBOARD, scope="RS").get().value["expiring-180"] == 0
    assert StoredFigure.objects.filter(name=DASHBOARD, scope="RS").get().value["holding"] == 5


@pytest.mark.django_db(transaction=True)
def test_fifty_changes_in_a_row_queue_one_refresh_until_it_starts(
    queued: list[dict[str, Any]], people: dict[str, User]
) -> None:
    labels = [LabelFactory() for _ in range(50)]
    for each in labels:
        label_revoke(label=each, by=people["office"], reason="wrong")  # each its own transaction, committed
    assert len(queued) == 1

    refresh_figures()  # the worker runs it: the next change queues the next refresh
    _label()
    assert len(queued) == 2


def test_a_refresh_waits_for_the_one_running(small: dict[str, Any], queued: list[dict[str, Any]]) -> None:
    cache.add(REFRESH_RUNNING, "now")

    assert refresh_figures() == {"deferred": True}
    assert (len(queued), StoredFigure.objects.count()) == (1, 0)

    cache.delete(REFRESH_RUNNING)  # the other one finished
    assert refresh_figures()["scopes"] == 5
    assert cache.get(REFRESH_RUNNING) is None


def test_an_organisation_moving_in_or_out_of_the_active_ones_queues_a_refresh(
    db: None,
    queued: list[dict[str, Any]],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    organisation = OrganisationFactory(state=OrganisationState.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        organisation_transition(organisation=organisation, to_state=OrganisationState.PENDING, by=None)
    assert queued == []  # a draft sent for validation counts nowhere

    with django_capture_on_commit_callbacks(execute=True):
        organisation_transition(organisation=organisation, to_state=OrganisationState.ACTIVE, by=None)
    assert len(queued) == 1


def test_an_import_of_many_rows_queues_one_refresh(
    db: None, queued: list[dict[str, Any]], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    from labels.imports.service import labels_import

    header = "organisation,country,city,website,sector,level,assessed_on,valid_until,score,label_code\n"
    rows = "".join(f"Imported {n},RS,Novi Sad,,Food industry,bronze,2024-0{n % 9 + 1}-10,,,\n" for n in range(30))
    with django_capture_on_commit_callbacks(execute=True):
        result = labels_import(content=(header + rows).encode())

    assert (result.created, len(queued)) == (30, 1)


# --------------------------------------------------------------------------- days


def test_the_nightly_sweep_recomputes_for_the_new_day(small: dict[str, Any]) -> None:
    tomorrow = TODAY + timedelta(days=1)
    LabelFactory(
        organisation=OrganisationFactory(country="RS"),
        assessed_on=TODAY - timedelta(days=700),
        valid_from=TODAY - timedelta(days=700),
        valid_until=TODAY + timedelta(days=31),
    )
    figures_refresh()
    serbia = stats.Scope(("RS",))
    assert figures_read(serbia, [DASHBOARD]).dashboard()["expiring-30"] == 0

    rows = StoredFigure.objects.filter(scope="RS", name=DASHBOARD)
    assert Stored(serbia, tomorrow, (DASHBOARD,), rows).stale  # yesterday's figures, seen tomorrow
    refresh_figures.apply(kwargs={"today": tomorrow.isoformat()})  # what beat runs after midnight

    stored = figures_read(serbia, [DASHBOARD], today=tomorrow)
    assert (stored.stale, stored.day, stored.dashboard()["expiring-30"]) == (False, tomorrow, 1)
    assert set(StoredFigure.objects.values_list("day", flat=True)) == {tomorrow}


def test_the_nightly_sweep_is_in_the_beat_schedule() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["figures-nightly"]
    assert entry["task"] == refresh_figures.name == "labels.refresh_figures"


# --------------------------------------------------------------------------- pages


def _computed_note(scope: str = "all") -> str:
    at = StoredFigure.objects.filter(scope=scope).order_by("computed_at").first()
    assert at is not None
    return f"Figures computed at {timezone.localtime(at.computed_at):%Y-%m-%d %H:%M}."


def test_the_dashboard_and_the_statistics_say_when_their_figures_were_computed(
    client: Client, small: dict[str, Any], people: dict[str, User]
) -> None:
    client.force_login(people["office"])

    dashboard_page = client.get(reverse("labels:dashboard")).content.decode()
    overview = client.get(reverse("statistics:overview")).content.decode()
    comparison = client.get(reverse("statistics:comparison")).content.decode()

    assert _computed_note() in dashboard_page
    assert _computed_note() in overview
    assert _computed_note() in comparison


def test_a_page_without_stored_figures_says_they_are_being_prepared_and_queues_them(
    client: Client, small: dict[str, Any], people: dict[str, User], queued: list[dict[str, Any]]
) -> None:
    client.force_login(people["office"])

    page = client.get(reverse("labels:dashboard")).content.decode()
    client.get(reverse("statistics:overview"))

    assert "Figures are being prepared" in page
    assert 'data-testid="figures"' not in page
    assert len(queued) == 1 and queued[0]["countdown"] == 0  # at once, and once
    assert client.get(reverse("statistics:csv", args=["by-country"])).status_code == 503


def test_a_page_with_yesterdays_figures_shows_them_with_a_note(
    client: Client, small: dict[str, Any], people: dict[str, User], queued: list[dict[str, Any]]
) -> None:
    yesterday = TODAY - timedelta(days=1)
    figures_refresh(today=yesterday)
    client.force_login(people["office"])

    page = client.get(reverse("labels:dashboard")).content.decode()

    assert f"These are the figures of {yesterday:%Y-%m-%d}: today's are being prepared." in page
    assert 'data-testid="figure-expiring-30"' in page
    assert len(queued) == 1


def test_a_partner_reads_his_own_scopes_rows_only(
    client: Client, small: dict[str, Any], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    figures_refresh()
    # Mark every row of another scope: none of it may appear on the Serbian partner's pages.
    for row in StoredFigure.objects.filter(name=DASHBOARD).exclude(scope="RS"):
        row.value = dict.fromkeys(row.value, 777)
        row.save()
    client.force_login(small["serbia"])

    with CaptureQueriesContext(connection) as queries:
        pages = [
            client.get(reverse("labels:dashboard")).content.decode(),
            client.get(reverse("labels:dashboard"), {"country": "DE"}).content.decode(),
            client.get(reverse("clusters:partner_start")).content.decode(),
            client.get(reverse("statistics:overview"), {"country": "DE"}).content.decode(),
        ]

    assert [">777<" in page for page in pages] == [False] * 4
    assert 'data-testid="figure-never"' in pages[0] and "Germany" not in pages[3]
    read = [q["sql"] for q in queries.captured_queries if "labels_storedfigure" in q["sql"]]
    assert read and all("'RS'" in sql for sql in read)
    assert not any("'DE'" in sql or "'all'" in sql for sql in read)


# --------------------------------------------------------------------------- query counts


def _grow(count: int) -> None:
    for n in range(count):
        LabelFactory(
            organisation=OrganisationFactory(country=["RS", "DE", "HR"][n % 3], **ELIGIBLE),
            valid_until=TODAY + timedelta(days=10 + n),
        )


@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize(("name", "queries"), [("statistics:overview", 7), ("labels:dashboard", 7)])
def test_the_figure_pages_cost_the_same_queries_for_10_or_100_labels(
    client: Client,
    people: dict[str, User],
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
    name: str,
    queries: int,
) -> None:
    _grow(count)
    client.force_login(people["office"])
    client.get(reverse(name))  # the session and roles once, and the figures stored (a missing row queues them)

    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200
    assert StoredFigure.objects.filter(scope="all").count() == len(KINDS)


def test_no_figure_page_computes_when_its_rows_are_stored(
    client: Client, small: dict[str, Any], people: dict[str, User]
) -> None:
    figures_refresh()
    client.force_login(people["office"])
    client.get(reverse("labels:dashboard"))

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("labels:dashboard"))
        client.get(reverse("statistics:overview"))
        client.get(reverse("statistics:comparison"))
        client.get(reverse("home"))

    assert not [q["sql"] for q in queries.captured_queries if 'FROM "labels_label"' in q["sql"]]


def test_the_command_stores_every_figure(small: dict[str, Any]) -> None:
    out = io.StringIO()

    call_command("refresh_figures", stdout=out)

    assert out.getvalue() == f"{len(KINDS) * 5} figures stored for 5 scopes, for {TODAY:%Y-%m-%d}.\n"
    assert StoredFigure.objects.filter(day=TODAY).count() == len(KINDS) * 5


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_worker_refreshes_the_figures(postgres: None, broker_url: str) -> None:
    """The real worker (CI) runs the refresh a change queues and stores what the pages read."""
    _label("RS")
    StoredFigure.objects.all().delete()  # the test's process refreshed after the commit: start empty

    result = refresh_figures.apply_async()

    assert result.get(timeout=60)["scopes"] == StoredFigure.objects.values("scope").distinct().count() > 0
    assert StoredFigure.objects.get(name=DASHBOARD, scope="RS").value["holding"] == 1


def test_the_overview_draws_its_charts_once_per_stored_figures_and_language(
    client: Client, small: dict[str, Any], people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from labels import views_statistics

    figures_refresh()
    drawn: list[str | None] = []
    real = views_statistics.Figures

    def counted(stored: Any, focus: str | None = None) -> Any:
        drawn.append(focus)
        return real(stored, focus=focus)

    monkeypatch.setattr(views_statistics, "Figures", counted)
    client.force_login(people["policy"])
    overview = reverse("statistics:overview")

    first = client.get(overview).content.decode()
    again = client.get(overview).content.decode()
    assert len(drawn) == 1 and 'data-testid="figure-by-country"' in first
    assert first.count("<svg") == again.count("<svg") > 0

    client.get(overview, {"country": "RS"})
    User.objects.filter(pk=people["policy"].pk).update(preferred_language="sr-latn")
    serbian = client.get(overview).content.decode()
    User.objects.filter(pk=people["policy"].pk).update(preferred_language="en")
    assert drawn == [None, "RS", None] and "Preuzmi CSV" in serbian

    _label("RS")
    figures_refresh()  # the worker stores new figures: drawn again, with the new label
    client.get(overview)
    assert drawn == [None, "RS", None, None]


def test_the_comparison_draws_its_charts_once_per_stored_figures_and_country(
    client: Client, small: dict[str, Any], people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from labels import views_statistics

    figures_refresh()
    drawn: list[str] = []
    real = views_statistics._comparison_charts

    def counted(comparison: stats.Comparison) -> Any:
        drawn.append(comparison.country)
        return real(comparison)

    monkeypatch.setattr(views_statistics, "_comparison_charts", counted)
    client.force_login(people["policy"])
    comparison = reverse("statistics:comparison")

    for country in ("RS", "RS", "DE"):
        page = client.get(comparison, {"country": country}).content.decode()
        assert 'data-testid="figure-comparison-labelled"' in page
    _label("RS")
    figures_refresh()
    client.get(comparison, {"country": "RS"})

    assert drawn == ["RS", "DE", "RS"]


def test_the_dashboard_draws_its_charts_once_per_stored_figures_scope_and_language(
    client: Client, small: dict[str, Any], people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from labels import views_dashboard

    figures_refresh()
    # Every scope's rows stamped alike: only the scope in the key tells two scopes' charts apart.
    StoredFigure.objects.update(computed_at=timezone.now())
    drawn: list[tuple[str, ...] | None] = []
    real = views_dashboard._timeline_chart

    def counted(timeline: Any) -> Any:
        drawn.append(None)
        return real(timeline)

    monkeypatch.setattr(views_dashboard, "_timeline_chart", counted)
    client.force_login(people["office"])
    dashboard = reverse("labels:dashboard")

    first = client.get(dashboard).content.decode()
    again = client.get(dashboard).content.decode()
    assert len(drawn) == 1 and 'data-testid="timeline-chart"' in first
    assert first.count("<svg") == again.count("<svg") > 0

    rs = client.get(dashboard, {"country": "RS"}).content.decode()
    User.objects.filter(pk=people["office"].pk).update(preferred_language="sr-latn")
    client.get(dashboard)
    User.objects.filter(pk=people["office"].pk).update(preferred_language="en")
    assert len(drawn) == 3 and 'data-testid="per-year-chart"' in rs
    assert _charts(rs) != _charts(first)

    _label("RS")
    figures_refresh()  # the worker stores new figures: drawn again
    client.get(dashboard)
    assert len(drawn) == 4


def _charts(page: str) -> str:
    return page[page.index('data-testid="timeline-chart"') :]
