"""Mail nobody can misuse: sign-up and reset mails have a budget per address
and per client, carry no text a stranger typed, and a taken address looks like
a free one."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from common.mail import send_templated_mail
from tests.factories import UserFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

HOSTILE_NAME = 'Your account is suspended: log in at https://evil.test/login "><b>'


def mail_text(message: object) -> str:
    """Subject, text and HTML of a mail, to look for what must not be there."""
    assert isinstance(message, EmailMultiAlternatives)
    return " ".join([str(message.subject), str(message.body), str(message.alternatives[0][0])])


def page_text(response: TestResponse) -> str:
    """The page without its CSRF tokens, which differ on every response."""
    token = re.compile(r'(CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', re.IGNORECASE)
    return token.sub("", response.content.decode())


def signup(
    client: Client, email: str, callbacks: DjangoCaptureOnCommitCallbacks, address: str = "198.51.100.7"
) -> TestResponse:
    with callbacks(execute=True):
        return client.post(
            reverse("accounts:signup"),
            {"email": email, "full_name": HOSTILE_NAME, "preferred_language": "en"},
            REMOTE_ADDR=address,
        )


def test_twenty_signups_for_one_address_send_the_configured_number(
    client: Client, db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    responses = [
        signup(client, "victim@example.test", django_capture_on_commit_callbacks, f"203.0.113.{n}") for n in range(20)
    ]

    assert len(mail.outbox) == 3  # MAIL_LIMIT_PER_ADDRESS
    assert [r.status_code for r in responses] == [302] * 3 + [429] * 17
    assert "try again in 60 minutes" in responses[-1].content.decode()


def test_one_client_cannot_mail_many_addresses(
    client: Client, db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    for n in range(25):
        signup(client, f"person{n}@example.test", django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 20  # MAIL_LIMIT_PER_CLIENT


@override_settings(MAIL_LIMIT_PER_ADDRESS=1)
def test_limit_on_a_taken_address_looks_like_a_free_one(
    client: Client, db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    UserFactory(email="taken@example.test")
    taken = [signup(client, "taken@example.test", django_capture_on_commit_callbacks, "203.0.113.1") for _ in range(2)]
    free = [signup(client, "free@example.test", django_capture_on_commit_callbacks, "203.0.113.2") for _ in range(2)]

    assert [(r.status_code, r.get("Location")) for r in taken] == [(r.status_code, r.get("Location")) for r in free]
    assert page_text(taken[1]).replace("taken@", "free@") == page_text(free[1])


def test_signup_mail_carries_no_text_the_stranger_typed(
    client: Client, db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    signup(client, "new@example.test", django_capture_on_commit_callbacks)
    UserFactory(email="taken@example.test", full_name="Owner Name")
    signup(client, "taken@example.test", django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        everything = mail_text(message)
        assert "evil.test" not in everything
        assert "suspended" not in everything
    assert "Log in" in str(mail.outbox[1].body)


def test_signup_page_is_the_same_for_a_taken_address(
    client: Client, db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    UserFactory(email="taken@example.test")
    taken = signup(client, "taken@example.test", django_capture_on_commit_callbacks)
    taken_page = page_text(client.get(taken["Location"]))
    free = signup(client, "free@example.test", django_capture_on_commit_callbacks)
    free_page = page_text(client.get(free["Location"]))

    assert taken["Location"] == free["Location"]
    assert taken_page.replace("taken@", "free@") == free_page.replace("taken@", "free@")


def test_password_reset_mails_are_limited_per_address(client: Client, db: None) -> None:
    user = UserFactory(email="owner@example.test")
    responses = [
        client.post(reverse("accounts:password_reset"), {"email": user.email}, REMOTE_ADDR=f"203.0.113.{n}")
        for n in range(6)
    ]

    assert len(mail.outbox) == 3
    assert [r.status_code for r in responses] == [302] * 3 + [429] * 3


def test_password_reset_limit_is_the_same_for_an_unknown_address(client: Client, db: None) -> None:
    UserFactory(email="owner@example.test")
    known = [client.post(reverse("accounts:password_reset"), {"email": "owner@example.test"}) for _ in range(4)]
    unknown = [client.post(reverse("accounts:password_reset"), {"email": "nobody@example.test"}) for _ in range(4)]

    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [302] * 3 + [429]


def test_subjects_are_plain_text(db: None) -> None:
    name = 'A & B "quoted" <tag>\nBcc: x@evil.test'

    send_templated_mail(
        to=["someone@example.test"],
        template="assessments/email/declined",
        context={"application": {"organisation": {"name": name}}},
    )

    expected = 'An expert declined the case of A & B "quoted" <tag> Bcc: x@evil.test: assign another'
    assert mail.outbox[0].subject == expected
