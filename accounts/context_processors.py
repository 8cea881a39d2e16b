from django.http import HttpRequest

from accounts.start_pages import StartPage, start_pages_for


def navigation(request: HttpRequest) -> dict[str, list[StartPage]]:
    """The start pages of the person's roles, for the header's navigation."""
    user = getattr(request, "user", None)
    return {"role_pages": start_pages_for(user)}
