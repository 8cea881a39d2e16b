"""The four peer groups an organisation is set against, and the threshold that hides small ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django_countries import countries

from assessments.benchmarking.disclosure import too_few_note
from assessments.benchmarking.selectors import PeerBasis, PeerData
from assessments.models import Application
from common.enums import Level


@dataclass(frozen=True)
class PeerGroup:
    key: str
    label: str
    members: frozenset[int]
    threshold: int  # the disclosure rule's min_peers
    unavailable: str = ""  # why the organisation has no such group (no sector recorded)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def shown(self) -> bool:
        return not self.unavailable and self.size >= self.threshold

    @property
    def withheld_reason(self) -> str:
        if self.unavailable:
            return self.unavailable
        return "" if self.shown else too_few_note(self.threshold)


def peer_groups(
    application: Application, data: PeerData, basis: PeerBasis, sector_names: Sequence[str], threshold: int
) -> list[PeerGroup]:
    """The groups, formed from the country and sectors frozen when the benchmarking was submitted
    (``PeerBasis``): editing the organisation's profile afterwards changes none of them."""
    everyone = frozenset(data.countries)
    own_level = data.levels.get(application.organisation_id, Level.BRONZE)
    return [
        PeerGroup("all", _("All benchmarked organisations"), everyone, threshold),
        PeerGroup(
            "country",
            str(countries.name(basis.country)),
            frozenset(o for o, country in data.countries.items() if country == basis.country),
            threshold,
        ),
        PeerGroup(
            "sector",
            ", ".join(sector_names) or _("Same sector"),
            data.sharing_sector & everyone,
            threshold,
            "" if sector_names else _("Not shown: the organisation has no sector recorded."),
        ),
        PeerGroup(
            "level",
            _("%(level)s label holders") % {"level": Level(own_level).label},
            frozenset(o for o in everyone if data.levels.get(o, Level.BRONZE) == own_level),
            threshold,
        ),
    ]
