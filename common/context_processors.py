from django.http import HttpRequest

from common.selectors import notifications_of


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": notifications_of(user).filter(read_at__isnull=True).count()}
