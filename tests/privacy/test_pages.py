"""The privacy notice: public, in English and Serbian, its periods from the settings, linked where people sign up."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

pytestmark = pytest.mark.django_db


def test_the_notice_states_the_configured_periods(client: Client, settings: Settings) -> None:
    settings.PRIVACY_RETENTION_DAYS = {
        "evidence_after_window": 401,
        "abandoned_draft": 402,
        "notification": 403,
        "login_attempt": 404,
    }
    settings.PRIVACY_EXPORT_HOURS = 49

    page = client.get(reverse("privacy:policy")).content.decode()

    for number in ("401", "402", "403", "404", "49 hours"):
        assert number in page


def test_the_notice_is_in_serbian_too(client: Client) -> None:
    english = client.get(reverse("privacy:policy"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    serbian = client.get(reverse("privacy:policy"), HTTP_ACCEPT_LANGUAGE="sr-latn").content.decode()

    assert "Privacy notice" in english
    assert "Obaveštenje o privatnosti" in serbian


def test_the_footer_and_the_signup_page_link_to_the_notice(client: Client) -> None:
    notice = reverse("privacy:policy")

    assert f'href="{notice}"' in client.get(reverse("registry")).content.decode()
    assert client.get(reverse("accounts:signup")).content.decode().count(f'href="{notice}"') == 2


def test_the_profile_links_to_a_persons_data(user_client: Client) -> None:
    assert f'href="{reverse("privacy:my_data")}"' in user_client.get(reverse("accounts:profile")).content.decode()
