# ruff: noqa: RUF001  (the Cyrillic letters are the point of this module)
"""Serbian Latin to Serbian Cyrillic, so the Cyrillic catalogue never drifts.

Serbian is written in both scripts with a one-to-one correspondence, except for
three digraphs (lj, nj, dž) that are one Cyrillic letter each. Only the Latin
texts are translated by hand; the Cyrillic ones are generated from them (the
``sr`` gettext catalogue by ``manage.py translate_cyrillic``, questionnaire
texts at render time).

What must not change is protected: gettext and format placeholders
(``%(name)s``, ``%s``, ``{name}``), template syntax (``{{ x }}``, ``{% tag %}``),
HTML tags and entities, URLs, e-mail addresses, and the brand and acronym words
listed in ``KEEP_WORDS`` (ESCA, EUCLES, PDF ...).
"""

from __future__ import annotations

import re

__all__ = ["KEEP_WORDS", "latin_to_cyrillic"]

_LETTERS = {
    "a": "а",
    "b": "б",
    "c": "ц",
    "č": "ч",
    "ć": "ћ",
    "d": "д",
    "đ": "ђ",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "х",
    "i": "и",
    "j": "ј",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "r": "р",
    "s": "с",
    "š": "ш",
    "t": "т",
    "u": "у",
    "v": "в",
    "z": "з",
    "ž": "ж",
}
_DIGRAPHS = {"lj": "љ", "nj": "њ", "dž": "џ"}
_DZ_PREFIX = re.compile(r"(?i)(?:na|po|pre|o|ispo)dž")

# Words that stay in Latin letters in Cyrillic Serbian text: names, acronyms, units.
KEEP_WORDS = frozenset(
    {
        "escaportal",
        "ESCA",
        "EUCLES",
        "ECCP",
        "COSME",
        "QR",
        "CSV",
        "PDF",
        "PNG",
        "JPEG",
        "DOCX",
        "XLSX",
        "ODT",
        "ODS",
        "SVG",
        "JSON",
        "API",
        "UTF-8",
        "HTTPS",
        "ISO",
        "SME",
        "SMEs",
        "EU",
        "EUR",
        "VAT",
        "MB",
        "KB",
        "YYYY-MM-DD",
        "Open",
        "Badges",
        "Cluster",
        "House",
        "Excellence",
        "Bronze",
        "Silver",
        "Gold",
        "ID",
        "ICT",
        "FTE",
        "RS",
    }
)

_PROTECTED = re.compile(
    r"""
    %\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]   # %(name)s
    | %[-#0+]*\d*(?:\.\d+)?[sdifr%]            # %s %d %%
    | \{\{.*?\}\}                             # {{ variable }}
    | \{%.*?%\}                               # {% tag %}
    | \{[A-Za-z_][A-Za-z0-9_.]*(?:![rsa])?(?::[^{}]*)?\}   # {name} str.format
    | <[^<>]+>                                # HTML tags
    | &(?:[A-Za-z]+|\#\d+|\#x[0-9A-Fa-f]+);   # HTML entities
    | (?:https?|mailto|ftp)://[^\s<>"']+      # URLs
    | www\.[^\s<>"']+
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+           # e-mail addresses
    | /[A-Za-z0-9_./<>:-]*/                   # paths such as /verify/<code>/
    | \b[\w.-]+\.(?:json|csv|pdf|html|py|svg|png)\b  # file names
    """,
    re.VERBOSE,
)
_WORD = re.compile(r"[^\W\d_]+(?:-\d+)?", re.UNICODE)


def _word_to_cyrillic(word: str) -> str:
    if word in KEEP_WORDS:
        return word
    out: list[str] = []
    i = 0
    # "nadživeti", "podžanr": a prefix ending in d before ž is two letters, not џ.
    prefix = _DZ_PREFIX.match(word)
    if prefix:
        out.append(_word_to_cyrillic(word[: prefix.end() - 1]))
        i = prefix.end() - 1
    while i < len(word):
        pair = word[i : i + 2]
        lower = pair.lower()
        if len(pair) == 2 and lower in _DIGRAPHS:
            letter = _DIGRAPHS[lower]
            out.append(letter.upper() if pair[0].isupper() else letter)
            i += 2
            continue
        char = word[i]
        mapped = _LETTERS.get(char.lower())
        if mapped is None:
            out.append(char)
        else:
            out.append(mapped.upper() if char.isupper() else mapped)
        i += 1
    return "".join(out)


def latin_to_cyrillic(text: str) -> str:
    """Serbian Latin text in Cyrillic letters; placeholders, markup, URLs and addresses untouched.

    Digraphs: ``lj`` -> ``љ``, ``nj`` -> ``њ``, ``dž`` -> ``џ`` (``Lj``/``LJ``
    -> ``Љ`` and so on). Words with a Latin letter foreign to Serbian (q, w, x,
    y) are names or foreign words and are left as they are.
    """
    if not text:
        return text
    parts: list[str] = []
    position = 0
    for match in _PROTECTED.finditer(text):
        parts.append(_convert_plain(text[position : match.start()]))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_convert_plain(text[position:]))
    return "".join(parts)


_FOREIGN = re.compile(r"[qwxyQWXY]")


def _convert_plain(text: str) -> str:
    def convert(match: re.Match[str]) -> str:
        word = match.group(0)
        if _FOREIGN.search(word):
            return word
        return _word_to_cyrillic(word)

    return _WORD.sub(convert, text)
