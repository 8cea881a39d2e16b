"""The four peer groups an organisation is set against, and the k-anonymity threshold that hides small ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from assessments.benchmarking.selectors import PeerData
from assessments.models import Application
from common.enums import Level

# Fewer organisations than this and a figure could be traced back to one of them.
MIN_PEERS = 5


@dataclass(frozen=True)
class PeerGroup:
    key: str
    label: str
    members: frozenset[int]
    unavailable: str = ""  # why the organisation has no such group (no sector recorded)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def shown(self) -> bool:
        return not self.unavailable and self.size >= MIN_PEERS

    @property
    def withheld_reason(self) -> str:
        if self.unavailable:
            return self.unavailable
        if self.shown:
            return ""
        return _(
            "Not shown: fewer than %(k)d other organisations in this group have a completed benchmarking, "
            "and the figures of so few could be traced back to one of them."
        ) % {"k": MIN_PEERS}


def peer_groups(application: Application, data: PeerData, sector_names: Sequence[str]) -> list[PeerGroup]:
    organisation = application.organisation
    everyone = frozenset(data.countries)
    own_level = data.levels.get(organisation.pk, Level.BRONZE)
    return [
        PeerGroup("all", _("All benchmarked organisations"), everyone),
        PeerGroup(
            "country",
            str(organisation.country.name),
            frozenset(o for o, country in data.countries.items() if country == organisation.country.code),
        ),
        PeerGroup(
            "sector",
            ", ".join(sector_names) or _("Same sector"),
            data.sharing_sector & everyone,
            "" if sector_names else _("Not shown: the organisation has no sector recorded."),
        ),
        PeerGroup(
            "level",
            _("%(level)s label holders") % {"level": Level(own_level).label},
            frozenset(o for o in everyone if data.levels.get(o, Level.BRONZE) == own_level),
        ),
    ]
