"""Label codes: short, readable on paper, typed back by hand when verifying.

``RS-B-2026-7K4Q``: the organisation's country, the level's initial, the year
of the assessment and four random characters. The alphabet leaves out 0/O and
1/I, which people confuse when they read a printed certificate aloud.
"""

from __future__ import annotations

import re
import secrets

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_SUFFIX_LENGTH = 4
CODE_MAX_LENGTH = 20
CODE_RE = re.compile(rf"^[A-Z]{{2}}-[BSG]-\d{{4}}-[{CODE_ALPHABET}]{{{CODE_SUFFIX_LENGTH}}}$")


def code_prefix(*, country: str, level: str, year: int) -> str:
    return f"{country.upper()}-{level[0].upper()}-{year:04d}-"


def code_random(*, country: str, level: str, year: int) -> str:
    """A fresh code; ``secrets`` so codes cannot be guessed from one another."""
    suffix = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_SUFFIX_LENGTH))
    return code_prefix(country=country, level=level, year=year) + suffix


def code_is_well_formed(code: str) -> bool:
    return bool(CODE_RE.match(code))


_BARE_CODE_RE = re.compile(rf"^([A-Z]{{2}})([BSG])(\d{{4}})([{CODE_ALPHABET}]{{{CODE_SUFFIX_LENGTH}}})$")
_SEPARATORS_RE = re.compile(r"[\s\-\u2010-\u2015]+")


def code_normalise(typed: str) -> str:
    """A code as stored, from what a person typed or read aloud from a certificate.

    Capitals, and no spaces: ``rs-b-2026-7k4q`` and `` RS B 2026 7K4Q`` both
    find ``RS-B-2026-7K4Q``. Anything else typed is returned in capitals and
    trimmed, so the page can say which code it did not find.
    """
    text = typed.strip().upper()
    bare = _BARE_CODE_RE.match(_SEPARATORS_RE.sub("", text))
    return "-".join(bare.groups()) if bare else text
