"""The portal's URLs plus the ceiling of the load benchmark: the least a Django
view can do here, read one row and answer JSON, through the same middleware."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from labels.models import Label


def ceiling(request: HttpRequest) -> JsonResponse:
    try:
        pk = int(request.GET.get("pk", "1"))
    except ValueError:
        pk = 1
    row = Label.objects.filter(pk=pk).values("pk", "code", "level", "valid_until").first()
    return JsonResponse({"label": row})


urlpatterns = [
    path("bench/ceiling/", ceiling, name="bench_ceiling"),
    path("", include("escaportal.urls")),
]
