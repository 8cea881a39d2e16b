"""Notifications are marked read by the person's POST, never by opening the page."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from common.models import Notification
from tests.factories import UserFactory


def test_opening_the_page_marks_nothing_read(client: Client, db: None) -> None:
    person = UserFactory()
    Notification.objects.create(user=person, title="A case moved")
    client.force_login(person)

    page = client.get(reverse("notifications"))

    assert page.status_code == 200
    assert 'data-testid="mark-read"' in page.content.decode()
    assert Notification.objects.filter(user=person, read_at__isnull=True).count() == 1


def test_mark_read_marks_only_the_persons_own(client: Client, db: None) -> None:
    person, other = UserFactory(), UserFactory()
    Notification.objects.create(user=person, title="Mine")
    Notification.objects.create(user=other, title="Theirs")
    client.force_login(person)

    response = client.post(reverse("notifications_read"))

    assert response["Location"] == reverse("notifications")
    unread = Notification.objects.filter(read_at__isnull=True).values_list("title", flat=True)
    assert list(unread) == ["Theirs"]


def test_mark_read_refuses_get(client: Client, db: None) -> None:
    person = UserFactory()
    Notification.objects.create(user=person, title="A case moved")
    client.force_login(person)

    assert client.get(reverse("notifications_read")).status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
