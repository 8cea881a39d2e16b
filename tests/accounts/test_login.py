"""Log in by e-mail, lockout after repeated failures, password reset and profile."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

LOGIN = "/accounts/login/"


def post_login(client: Client, email: str, password: str) -> TestResponse:
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR="198.51.100.7")


def test_login_by_email_lands_on_start(client: Client, user: User) -> None:
    response = post_login(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:start")


def test_login_ignores_case_of_email(client: Client, db: None) -> None:
    UserFactory(email="milica@example.test")

    response = post_login(client, "Milica@Example.TEST", PASSWORD)

    assert response.status_code == 302


def test_login_with_wrong_password_says_so(client: Client, user: User) -> None:
    response = post_login(client, user.email, "wrong")

    assert response.status_code == 200
    assert "Please enter a correct e-mail address and password" in response.content.decode()


def test_fifth_failure_locks_account_and_address(client: Client, user: User) -> None:
    for _ in range(4):
        assert post_login(client, user.email, "wrong").status_code == 200

    response = post_login(client, user.email, "wrong")

    assert response.status_code == 429
    assert "blocked for 15 minutes" in response.content.decode()


def test_locked_account_refuses_even_the_right_password(client: Client, user: User) -> None:
    for _ in range(5):
        post_login(client, user.email, "wrong")

    response = post_login(client, user.email, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lock_is_per_account_and_address(client: Client, user: User) -> None:
    other = UserFactory()
    for _ in range(5):
        post_login(client, user.email, "wrong")

    response = post_login(client, other.email, PASSWORD)

    assert response.status_code == 302


def test_spelling_the_address_differently_does_not_earn_more_tries(client: Client, user: User) -> None:
    spellings = [user.email.upper(), user.email.title(), user.email, f" {user.email}", user.email.capitalize()]
    for spelling in spellings:
        post_login(client, spelling, "wrong")

    response = post_login(client, user.email.swapcase(), PASSWORD)

    assert response.status_code == 429


def reset_password_by_mail(client: Client, user: User, new_password: str) -> None:
    client.post(reverse("accounts:password_reset"), {"email": user.email}, REMOTE_ADDR="198.51.100.7")
    link = re.search(r"https?://[^/]+(/accounts/password/reset/[^\s]+/)", str(mail.outbox[-1].body))
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})


def test_the_lockout_page_offers_the_reset_that_lifts_it(client: Client, user: User) -> None:
    for _ in range(5):
        response = post_login(client, user.email, "wrong")

    assert reverse("accounts:password_reset") in response.content.decode()


def test_resetting_the_password_by_mail_lifts_the_lock(client: Client, user: User) -> None:
    for _ in range(5):
        post_login(client, user.email.upper(), "wrong")
    reset_password_by_mail(Client(), user, "a-brand-new-password-77")

    response = post_login(client, user.email, "a-brand-new-password-77")

    assert response.status_code == 302
    assert AccessAttempt.objects.count() == 0


def test_asking_for_a_reset_alone_does_not_lift_the_lock(client: Client, user: User) -> None:
    for _ in range(5):
        post_login(client, user.email, "wrong")
    client.post(reverse("accounts:password_reset"), {"email": user.email})

    assert post_login(client, user.email, PASSWORD).status_code == 429


def test_lock_lifts_after_cool_off(client: Client, user: User) -> None:
    for _ in range(5):
        post_login(client, user.email, "wrong")
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))

    response = post_login(client, user.email, PASSWORD)

    assert response.status_code == 302


def test_success_resets_failure_count(client: Client, user: User) -> None:
    for _ in range(4):
        post_login(client, user.email, "wrong")
    post_login(client, user.email, PASSWORD)
    client.logout()

    response = post_login(client, user.email, "wrong")

    assert response.status_code == 200


def test_logout_needs_post_and_ends_session(user_client: Client) -> None:
    response = user_client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in user_client.session


def test_password_reset_mails_a_link_that_sets_a_new_password(client: Client, user: User) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    link = re.search(r"https?://[^/]+(/accounts/password/reset/[^\s]+/)", str(message.body))
    assert link is not None
    assert isinstance(message, EmailMultiAlternatives)
    assert message.alternatives[0][1] == "text/html"

    form_page = client.get(link.group(1), follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-password-77", "new_password2": "a-brand-new-password-77"},
    )

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-password-77")


def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(client: Client, db: None) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.test"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_used_reset_link_says_it_no_longer_works(client: Client, user: User) -> None:
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/[^\s]+/)", str(mail.outbox[0].body))
    assert link is not None
    path = link.group(1)
    user.set_password("changed-elsewhere-123")
    user.save()

    response = client.get(path, follow=True)

    assert response.context["validlink"] is False
    assert "This link no longer works" in response.content.decode()


def test_password_change_requires_old_password(user_client: Client, user: User) -> None:
    response = user_client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "another-pass-9876", "new_password2": "another-pass-9876"},
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_profile_saves_name_and_language(user_client: Client, user: User) -> None:
    response = user_client.post(
        reverse("accounts:profile"), {"full_name": "  Jelena Petrovic ", "preferred_language": "sr-latn"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.preferred_language) == ("Jelena Petrovic", "sr-latn")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"full_name": " ", "preferred_language": "en"}, "full_name"),
        ({"full_name": "A", "preferred_language": "xx"}, "preferred_language"),
    ],
)
def test_profile_rejects_bad_input_with_message(
    user_client: Client, user: User, data: dict[str, str], field: str
) -> None:
    response = user_client.post(reverse("accounts:profile"), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]


def test_profile_language_is_used_for_pages(client: Client, db: None) -> None:
    person = UserFactory(preferred_language="sr-latn")
    client.force_login(person)

    response = client.get(reverse("accounts:profile"))

    assert response["Content-Language"] == "sr-latn"


def test_pages_need_login(client: Client, db: None) -> None:
    for name in ["accounts:profile", "accounts:password_change", "accounts:start"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_email_is_unique_whatever_the_case(db: None) -> None:
    from django.db import IntegrityError, transaction

    UserFactory(email="same@example.test")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="SAME@example.test", full_name="Copy")
