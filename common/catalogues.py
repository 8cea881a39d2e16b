"""The Cyrillic gettext catalogue, made from the Latin one.

Serbian is translated by hand once, in Latin script; the Cyrillic catalogue
(``locale/sr``) is its transliteration, so the two scripts cannot drift apart.
polib reads and writes the .po files and compiles the .mo files, in Python
rather than with GNU ``msgfmt``: the compiled catalogues committed in
``locale/`` can then be checked against their sources by a test on any
machine, and a fresh checkout runs in Serbian without gettext. Like
``msgfmt``, polib leaves fuzzy, untranslated and obsolete messages out of the
.mo file, so gettext shows the English source for them. Only extracting new
strings (``makemessages``, ``make messages``) needs GNU gettext.
"""

from __future__ import annotations

from pathlib import Path

import polib

from common.transliterate import latin_to_cyrillic

__all__ = ["cyrillic_po"]


def cyrillic_po(latin_path: Path) -> polib.POFile:
    """The Cyrillic (``sr``) catalogue: the Latin one with every translation transliterated.

    Comments, references and flags stay as in the Latin catalogue; the header
    changes only its Language. Placeholders and markup are kept by
    ``latin_to_cyrillic``.
    """
    catalogue = polib.pofile(str(latin_path))
    catalogue.metadata["Language"] = "sr"
    for entry in catalogue:
        entry.msgstr = latin_to_cyrillic(entry.msgstr)
        entry.msgstr_plural = {index: latin_to_cyrillic(text) for index, text in entry.msgstr_plural.items()}
    return catalogue
