"""Views that know no app."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from common.health import health_report
from common.http import AuthenticatedHttpRequest
from common.notify import notifications_mark_read
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
@require_GET
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's notifications, newest first. Reading the page changes
    nothing: a GET may be a prefetch or a link preview, not the person."""
    page = Paginator(notifications_of(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "common/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mark every notification of the person read, then show the list again."""
    notifications_mark_read(user=request.user)
    return redirect("notifications")
