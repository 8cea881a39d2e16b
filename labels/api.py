"""The public JSON API of labels: ``/api/v1/labels/`` and ``/api/v1/labels/<code>/``.

Read-only and anonymous, like the registry it mirrors; throttled per address.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from common.enums import Level
from labels.certificates.rendering import verify_url
from labels.enums import LabelState
from labels.models import Label
from labels.selectors import LabelWithState, with_state


class LabelSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    country = serializers.CharField(source="organisation.country.code")
    level = serializers.ChoiceField(choices=Level.choices)
    state = serializers.ChoiceField(choices=LabelState.choices)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = Label
        fields = [
            "code",
            "organisation",
            "country",
            "level",
            "assessed_on",
            "valid_from",
            "valid_until",
            "score",
            "state",
            "verify_url",
        ]

    def get_verify_url(self, label: Label) -> str:
        return verify_url(label)


FILTERS = [
    OpenApiParameter("country", OpenApiTypes.STR, description="ISO 3166 alpha-2 code, e.g. RS"),
    OpenApiParameter("level", OpenApiTypes.STR, enum=Level.values),
    OpenApiParameter("state", OpenApiTypes.STR, enum=LabelState.values),
    OpenApiParameter("q", OpenApiTypes.STR, description="organisation name contains (case-insensitive)"),
]


# Every answer the API can give, so clients (and schemathesis) can rely on the schema.
_DETAIL = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})
NOT_FOUND = OpenApiResponse(_DETAIL, description="No such label, or a page past the last one.")
THROTTLED = OpenApiResponse(
    _DETAIL,
    description=f"Too many requests from this address ({settings.API_ANON_PER_MINUTE} a minute); see Retry-After.",
)
BAD_FILTER = OpenApiResponse(
    OpenApiTypes.OBJECT, description="A filter value that is not allowed: {filter name: [reason]}."
)


def _labels() -> QuerySet[LabelWithState]:
    return with_state(Label.objects.select_related("organisation"), timezone.localdate())


@extend_schema_view(
    get=extend_schema(
        parameters=FILTERS,
        summary="Labels, history included, filterable",
        responses={200: LabelSerializer(many=True), 400: BAD_FILTER, 404: NOT_FOUND, 429: THROTTLED},
    )
)
class LabelList(generics.ListAPIView):
    serializer_class = LabelSerializer

    def get_queryset(self) -> QuerySet[LabelWithState]:
        params: Any = self.request.query_params
        labels = _labels()
        if params.get("country"):
            labels = labels.filter(organisation__country=params["country"].upper())
        if params.get("level"):
            if params["level"] not in Level.values:
                raise ValidationError({"level": f"one of {Level.values}"})
            labels = labels.filter(level=params["level"])
        if params.get("state"):
            if params["state"] not in LabelState.values:
                raise ValidationError({"state": f"one of {LabelState.values}"})
            labels = labels.filter(state=params["state"])
        if params.get("q"):
            labels = labels.filter(organisation__name__icontains=params["q"])
        return labels.order_by("organisation__name", "level", "-valid_until")


@extend_schema_view(
    get=extend_schema(summary="One label by its code", responses={200: LabelSerializer, 404: NOT_FOUND, 429: THROTTLED})
)
class LabelDetail(generics.RetrieveAPIView):
    serializer_class = LabelSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Label]:
        return _labels()
