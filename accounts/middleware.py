import contextlib
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from accounts.models import User
from accounts.services import user_set_language
from common.errors import ActionRefused


class PreferredLanguageMiddleware:
    """Speak to a signed-in person in the language of their profile.

    Runs after LocaleMiddleware (which serves visitors by their language
    cookie or their browser's Accept-Language: ``sr-Latn`` gives Serbian in
    Latin letters, plain ``sr``, ``sr-RS`` or ``sr-Cyrl`` Cyrillic) and
    overrides it for people signed in: the profile wins over the browser.
    A signed-in person who switches language in the header (Django's
    ``set_language`` view) changes their profile's language too, so the
    e-mails they receive follow.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: User | AnonymousUser | None = getattr(request, "user", None)
        person = user if user is not None and user.is_authenticated else None
        if person is not None and person.preferred_language:
            translation.activate(person.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if person is not None and request.method == "POST" and match is not None and match.url_name == "set_language":
            # An unknown language is ignored, as Django's view ignores it.
            with contextlib.suppress(ActionRefused):
                user_set_language(user=person, language=request.POST.get("language", ""))
        return response
