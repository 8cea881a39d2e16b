"""Views that know no app."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from common.health import health_report
from common.http import AuthenticatedHttpRequest
from common.selectors import notifications_of


# A health probe must not open a transaction: with the database down, the
# transaction itself would fail before the probe could report it.
@transaction.non_atomic_requests
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report, healthy = health_report()
    return JsonResponse({"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503)


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's notifications, newest first; opening the page marks them read."""
    mine = notifications_of(request.user)
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    response = render(request, "common/notifications.html", {"page": page})
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    return response
