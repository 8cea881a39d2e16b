"""Admin of the versioned questionnaires, for the label office.

A version that is not a draft is shown read-only, inlines included: published
versions are answered by applications and must never change (make a new
draft instead). Publishing and drafting go through the services in
``assessments.questionnaires.services``; the forms check sections and
indicators with the same rulebook as a file import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assessments.enums import VersionStatus
from assessments.models import Indicator, Questionnaire, QuestionnaireVersion, Section
from assessments.questionnaires.document import QuestionnaireInvalid, indicator_check, section_check
from assessments.questionnaires.serializers import INDICATOR_KEYS
from assessments.questionnaires.services import version_new_draft, version_publish
from common.errors import ActionRefused

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class VersionCount(TypedDict):
    version_count: int


CountedQuestionnaire: TypeAlias = "WithAnnotations[Questionnaire, VersionCount]"


def _preview_link(version: QuestionnaireVersion | None) -> str:
    if version is None or version.pk is None:
        return "-"
    url = reverse("assessments:questionnaire_preview", args=[version.pk])
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Preview"))


def _without_bulk_delete(actions: dict[str, Any]) -> dict[str, Any]:
    # "Delete selected" checks the model permission only, not each object: it
    # would delete published sections and indicators that has_delete_permission refuses.
    actions.pop("delete_selected", None)
    return actions


def _show_problems(form: forms.BaseForm, error: QuestionnaireInvalid) -> None:
    """Put each problem at its field when the form has it, else at the top."""
    for _place, field_name, message in error.details:
        base = (field_name or "").split(".")[0].split("[")[0]
        if base and base in form.fields:
            form.add_error(base, message)
        else:
            form.add_error(None, f"{field_name}: {message}" if field_name else _place)


# ---------------------------------------------------------------------------
# Questionnaire
# ---------------------------------------------------------------------------


class VersionInline(admin.TabularInline):
    model = QuestionnaireVersion
    extra = 0
    fields = ["number", "status", "published_at", "created_at", "notes", "preview"]
    readonly_fields = ["number", "status", "published_at", "created_at", "notes", "preview"]
    ordering = ["-number"]
    show_change_link = True
    can_delete = False

    @admin.display(description=_("preview"))
    def preview(self, version: QuestionnaireVersion) -> str:
        return _preview_link(version)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "published", "version_count"]
    list_filter = ["level"]
    search_fields = ["title"]
    inlines = [VersionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CountedQuestionnaire]:
        return super().get_queryset(request).annotate(version_count=Count("versions")).prefetch_related("versions")

    @admin.display(description=_("published version"))
    def published(self, questionnaire: Questionnaire) -> str:
        published = [v for v in questionnaire.versions.all() if v.status == VersionStatus.PUBLISHED]
        return f"v{published[0].number}" if published else "-"

    @admin.display(description=_("versions"), ordering="version_count")
    def version_count(self, questionnaire: CountedQuestionnaire) -> int:
        return questionnaire.version_count

    def get_readonly_fields(self, request: HttpRequest, obj: Questionnaire | None = None) -> list[str]:
        # The level is what applications and the catalogue key on: fixed once created.
        return ["level"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# ---------------------------------------------------------------------------
# QuestionnaireVersion
# ---------------------------------------------------------------------------


class SectionInlineForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["position", "code", "title"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                cleaned.update(section_check(values={**cleaned, "guidance": self.instance.guidance}))
            except QuestionnaireInvalid as error:
                _show_problems(self, error)
        return cleaned


class SectionInline(admin.TabularInline):
    model = Section
    form = SectionInlineForm
    extra = 0
    fields = ["position", "code", "title", "indicator_count"]
    readonly_fields = ["indicator_count"]
    ordering = ["position", "code"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Section]:
        return super().get_queryset(request).annotate(indicator_count=Count("indicators"))

    @admin.display(description=_("indicators"))
    def indicator_count(self, section: Section) -> int:
        return getattr(section, "indicator_count", 0)

    # obj is the version the inline sits in.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.is_editable) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)


VERSION_FIELDS = ("questionnaire", "number", "status", "published_at", "created_at", "notes", "preview")


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "number",
        "status",
        "published_at",
        "section_count",
        "indicator_count",
        "preview",
    ]
    list_filter = ["status", "questionnaire__level"]
    search_fields = ["questionnaire__title", "notes", "=number"]
    list_select_related = ["questionnaire"]
    date_hierarchy = "created_at"
    fields = VERSION_FIELDS
    inlines = [SectionInline]
    actions = ["publish", "new_draft"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[QuestionnaireVersion]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                section_count=Count("sections", distinct=True), indicator_count=Count("indicators", distinct=True)
            )
        )

    @admin.display(description=_("sections"), ordering="section_count")
    def section_count(self, version: QuestionnaireVersion) -> int:
        return getattr(version, "section_count", 0)

    @admin.display(description=_("indicators"), ordering="indicator_count")
    def indicator_count(self, version: QuestionnaireVersion) -> int:
        return getattr(version, "indicator_count", 0)

    @admin.display(description=_("preview"))
    def preview(self, version: QuestionnaireVersion) -> str:
        return _preview_link(version)

    def get_readonly_fields(self, request: HttpRequest, obj: QuestionnaireVersion | None = None) -> list[str]:
        # Status only moves through the Publish action; a draft's notes stay editable.
        if obj is not None and obj.is_editable:
            return ["questionnaire", "number", "status", "published_at", "created_at", "preview"]
        return list(VERSION_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New versions come from "Make a new draft" or the import command, which number them.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return _without_bulk_delete(super().get_actions(request))

    @admin.action(description=_("Publish"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[QuestionnaireVersion]) -> None:
        versions = list(queryset.select_related("questionnaire").order_by("questionnaire", "number"))
        if len({version.questionnaire_id for version in versions}) < len(versions):
            # Publishing two versions of one questionnaire would retire the first at once.
            self.message_user(request, _("Select one version per questionnaire to publish."), messages.ERROR)
            return
        for version in versions:
            try:
                # The admin lets only signed-in staff this far.
                version_publish(version=version, by=cast(User, request.user))
            except ActionRefused as error:
                self.message_user(request, f"{version.questionnaire} v{version.number}: {error}", messages.ERROR)
            else:
                self.message_user(request, _("%(version)s is published.") % {"version": version}, messages.SUCCESS)

    @admin.action(description=_("Make a new draft from this version"), permissions=["change"])
    def new_draft(self, request: HttpRequest, queryset: QuerySet[QuestionnaireVersion]) -> None:
        for version in queryset.select_related("questionnaire"):
            draft = version_new_draft(from_version=version)
            url = reverse("admin:assessments_questionnaireversion_change", args=[draft.pk])
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("New draft made from %(version)s:") % {"version": version},
                    url,
                    draft,
                ),
                messages.SUCCESS,
            )


# ---------------------------------------------------------------------------
# Section
# ---------------------------------------------------------------------------


class IndicatorAdminForm(forms.ModelForm):
    """Checks the indicator with the import rulebook, so an edit cannot make a draft unpublishable."""

    class Meta:
        model = Indicator
        # version is not edited: it always follows the section (set in clean()).
        fields = sorted({*INDICATOR_KEYS, "section", "position"})
        widgets = {
            "guidance": forms.Textarea(attrs={"rows": 3}),
            "choices": forms.Textarea(attrs={"rows": 3, "cols": 40}),
            "threshold": forms.Textarea(attrs={"rows": 2, "cols": 30}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        section: Section | None = cleaned.get("section") or (
            self.instance.section if self.instance.section_id else None
        )
        if self.errors or section is None:
            return cleaned
        version = section.version
        if not version.is_editable:
            raise forms.ValidationError(_("A published version never changes: make a new draft."))
        values = {
            name: cleaned.get(name) if name in self.fields else getattr(self.instance, name) for name in INDICATOR_KEYS
        }
        try:
            checked = indicator_check(level=version.questionnaire.level, values=values)
        except QuestionnaireInvalid as error:
            _show_problems(self, error)
            return cleaned
        # The cleaned values are what gets saved: empty JSON becomes [] or {}, never NULL.
        cleaned.update({name: value for name, value in checked.items() if name in self.fields})
        code = checked["code"]
        if Indicator.objects.filter(version=version, code=code).exclude(pk=self.instance.pk).exists():
            self.add_error("code", _("Another indicator of this version has the code %(code)s.") % {"code": code})
        # version is not a form field: it always follows the section.
        self.instance.version = version
        return cleaned


class IndicatorFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        codes: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            code = form.cleaned_data.get("code")
            if code in codes:
                form.add_error("code", _("This code is used twice in the list."))
            elif code:
                codes.add(code)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    form = IndicatorAdminForm
    formset = IndicatorFormSet
    extra = 0
    ordering = ["position", "code"]
    fields = [
        "position",
        "code",
        "title",
        "answer_type",
        "required",
        "evidence_required",
        "minimum_requirement",
        "unit",
        "min_value",
        "max_value",
        "choices",
        "max_points",
        "threshold",
    ]
    show_change_link = True

    # obj is the section the inline sits in.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.version.is_editable) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.version.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.version.is_editable) and super().has_delete_permission(request, obj)


class SectionAdminForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["version", "code", "title", "guidance", "translations", "position"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            cleaned.update(section_check(values=cleaned))
        except QuestionnaireInvalid as error:
            _show_problems(self, error)
            return cleaned
        version_id = cleaned["version"].pk if cleaned.get("version") else self.instance.version_id
        duplicate = Section.objects.filter(version_id=version_id, code=cleaned["code"]).exclude(pk=self.instance.pk)
        if duplicate.exists():
            self.add_error("code", _("Another section of this version has this code."))
        return cleaned


SECTION_FIELDS = ("version", "code", "title", "guidance", "translations", "position")


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    form = SectionAdminForm
    list_display = ["code", "title", "version", "position", "indicator_count"]
    list_filter = ["version__questionnaire__level", "version__status"]
    search_fields = ["code", "title", "guidance", "version__questionnaire__title"]
    list_select_related = ["version__questionnaire"]
    fields = SECTION_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Section]:
        return super().get_queryset(request).annotate(indicator_count=Count("indicators"))

    @admin.display(description=_("indicators"), ordering="indicator_count")
    def indicator_count(self, section: Section) -> int:
        return getattr(section, "indicator_count", 0)

    def get_inlines(self, request: HttpRequest, obj: Section | None) -> list[type[admin.options.InlineModelAdmin]]:
        # Indicators take their version from the section: save the section first.
        return [IndicatorInline] if obj is not None else []

    def get_readonly_fields(self, request: HttpRequest, obj: Section | None = None) -> list[str]:
        if obj is None:
            return []
        if obj.version.is_editable:
            return ["version"]
        return list(SECTION_FIELDS)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "version":
            kwargs["queryset"] = QuestionnaireVersion.objects.filter(status=VersionStatus.DRAFT).select_related(
                "questionnaire"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.version.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.version.is_editable) and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return _without_bulk_delete(super().get_actions(request))


# ---------------------------------------------------------------------------
# Indicator
# ---------------------------------------------------------------------------


INDICATOR_FIELDSETS: Any = [
    (None, {"fields": ["version", "section", "position", "code", "title", "guidance"]}),
    (
        _("Answer"),
        {"fields": ["answer_type", "unit", "min_value", "max_value", "choices", "required", "evidence_required"]},
    ),
    (_("Scoring (Gold) and minimum requirements"), {"fields": ["max_points", "threshold", "minimum_requirement"]}),
    (_("Translations"), {"fields": ["translations"]}),
]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorAdminForm
    list_display = [
        "code",
        "title",
        "answer_type",
        "required",
        "evidence_required",
        "minimum_requirement",
        "max_points",
        "section",
        "version",
    ]
    list_filter = [
        "answer_type",
        "required",
        "evidence_required",
        "minimum_requirement",
        "version__questionnaire__level",
        "version__status",
    ]
    search_fields = ["code", "title", "guidance"]
    list_select_related = ["section", "version__questionnaire"]
    fieldsets = INDICATOR_FIELDSETS

    def get_readonly_fields(self, request: HttpRequest, obj: Indicator | None = None) -> list[str]:
        if obj is not None and not obj.version.is_editable:
            return [name for _title, options in INDICATOR_FIELDSETS for name in options["fields"]]
        return ["version"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "section":
            # Only sections of drafts; an indicator stays within its own version.
            sections = Section.objects.filter(version__status=VersionStatus.DRAFT)
            indicator_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            if indicator_id:
                sections = sections.filter(version__indicators__pk=indicator_id)
            kwargs["queryset"] = sections.select_related("version__questionnaire")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.version.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.version.is_editable) and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return _without_bulk_delete(super().get_actions(request))
