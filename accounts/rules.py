"""Role predicates on people (django-rules). Object-level rules live in the
app that owns the object (``clusters.rules`` for organisations)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

import rules

from accounts.enums import StaffRole
from common.person_reads import PersonRead, person_read, register

if TYPE_CHECKING:
    from accounts.models import User


def _active(user: object) -> TypeGuard[User]:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _staff_roles_select() -> str:
    from accounts.models import RoleGrant

    return f"SELECT role AS t, NULL AS n FROM {RoleGrant._meta.db_table} WHERE user_id = %s"


def _assessor_select() -> str:
    from accounts.models import AssessorProfile

    return f"SELECT '' AS t, NULL AS n FROM {AssessorProfile._meta.db_table} WHERE user_id = %s AND is_active = %s"


# Read with the person's other roles, once per request (common.person_reads).
register(
    PersonRead(
        "accounts.staff_roles",
        _staff_roles_select,
        lambda pk: (pk,),
        lambda rows: {role for role, _n in rows},
        ("accounts.RoleGrant",),
    )
)
register(PersonRead("accounts.assessor", _assessor_select, lambda pk: (pk, True), bool, ("accounts.AssessorProfile",)))


def _has_staff_role(user: object, role: StaffRole) -> bool:
    if not _active(user):
        return False
    cache = getattr(user, "_staff_roles_cache", None)
    if cache is None:
        cache = set(person_read("accounts.staff_roles", user.pk))
        user._staff_roles_cache = cache
    return role in cache


@rules.predicate
def is_label_office(user: object) -> bool:
    return _has_staff_role(user, StaffRole.LABEL_OFFICE)


@rules.predicate
def is_label_committee(user: object) -> bool:
    return _has_staff_role(user, StaffRole.LABEL_COMMITTEE)


@rules.predicate
def is_policy_reader(user: object) -> bool:
    return _has_staff_role(user, StaffRole.POLICY_READER)


@rules.predicate
def has_a_staff_role(user: object) -> bool:
    return any(_has_staff_role(user, role) for role in StaffRole)


@rules.predicate
def is_assessor(user: object) -> bool:
    if not _active(user):
        return False
    return bool(person_read("accounts.assessor", user.pk))


@rules.predicate
def is_active_superuser(user: object) -> bool:
    return _active(user) and bool(getattr(user, "is_superuser", False))


rules.add_perm("accounts.view_assessor_start", is_assessor)
# Not a model permission (no model has a "grant_role" codename), so a group
# holding every permission of the app does not hold it: only a superuser does.
rules.add_perm("accounts.grant_role", is_active_superuser)
