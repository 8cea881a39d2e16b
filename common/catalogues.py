"""The gettext catalogues: read a .po file, make the Cyrillic one from the
Latin one, compile .mo files, all in Python.

Compiling here rather than with GNU ``msgfmt`` means the compiled catalogues
shipped in ``locale/`` can be checked against their sources by a test on any
machine, and a fresh checkout needs no gettext to run the portal in Serbian.
Only ``makemessages`` (extracting new strings, ``make messages``) needs GNU
gettext.
"""

from __future__ import annotations

import ast
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

from common.transliterate import latin_to_cyrillic

__all__ = ["Entry", "compile_po", "cyrillic_po", "read_po"]

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")\s*$')


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.msgctxt or "", self.msgid)

    @property
    def translations(self) -> list[str]:
        return [self.msgstr[index] for index in sorted(self.msgstr)]

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.translations) and "fuzzy" not in self.flags


def _literal(quoted: str) -> str:
    """A .po string literal ("...", C escapes) as text."""
    value = ast.literal_eval(quoted)
    return value if isinstance(value, str) else str(value)


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") first; obsolete (#~) entries are marked."""
    entries: list[Entry] = []
    entry = Entry()
    seen_id = False
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, seen_id, target
        if seen_id:
            entries.append(entry)
        entry, seen_id, target = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            if seen_id and target is not None and target[0] == "msgstr":
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, text = match.group(1), _literal(match.group(2))
            if keyword in ("msgid", "msgctxt") and target is not None and target[0] == "msgstr":
                finish()
            entry.obsolete = entry.obsolete or obsolete
            if keyword == "msgctxt":
                entry.msgctxt, target = text, ("msgctxt", 0)
            elif keyword == "msgid":
                entry.msgid, seen_id, target = text, True, ("msgid", 0)
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = text, ("msgid_plural", 0)
            else:
                index = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[index], target = text, ("msgstr", index)
            continue
        if line.startswith('"') and target is not None:
            text = _literal(line)
            kind, index = target
            if kind == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + text
            elif kind == "msgid":
                entry.msgid += text
            elif kind == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + text
            else:
                entry.msgstr[index] += text
    finish()
    return entries


def compile_po(path: Path) -> bytes:
    """The .mo file of a .po file (what GNU msgfmt makes, without the optional hash table).

    Fuzzy, untranslated and obsolete entries are left out, so gettext falls
    back to the English source for them, as msgfmt does.
    """
    messages: dict[bytes, bytes] = {}
    for entry in read_po(path):
        if entry.obsolete or not entry.msgstr:
            continue
        if entry.msgid and not entry.translated:
            continue
        key = entry.msgid if entry.msgid_plural is None else f"{entry.msgid}\0{entry.msgid_plural}"
        if entry.msgctxt is not None:
            key = f"{entry.msgctxt}\x04{key}"
        messages[key.encode()] = "\0".join(entry.translations).encode()
    keys = sorted(messages)
    header_size = 7 * 4
    originals_at = header_size
    translations_at = originals_at + len(keys) * 8
    data_at = translations_at + len(keys) * 8
    originals, translations, data = [], [], b""
    for key in keys:
        originals.append((len(key), data_at + len(data)))
        data += key + b"\0"
    for key in keys:
        value = messages[key]
        translations.append((len(value), data_at + len(data)))
        data += value + b"\0"
    output = struct.pack("<7I", 0x950412DE, 0, len(keys), originals_at, translations_at, 0, data_at)
    for length, offset in originals + translations:
        output += struct.pack("<2I", length, offset)
    return output + data


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def _po_lines(keyword: str, text: str) -> list[str]:
    """A msgstr as .po lines: one line, or after each newline as gettext writes it."""
    pieces = re.findall(r"[^\n]*\n|[^\n]+$", text)
    if len(pieces) <= 1:
        return [f'{keyword} "{_escape(text)}"']
    return [f'{keyword} ""'] + [f'"{_escape(piece)}"' for piece in pieces]


def cyrillic_po(latin_path: Path) -> str:
    """The text of the Cyrillic (``sr``) catalogue: the Latin one with every translation transliterated.

    Works line by line on the Latin file, so comments, references and flags
    stay as in the source; each msgstr is transliterated whole (a tag or a
    placeholder may be wrapped over two lines) and written out again; the
    header changes only its Language.
    """
    out: list[str] = []
    msgid: str | None = None  # the msgid of the entry being read, continuation lines included
    reading_msgid = False
    pending: tuple[str, str] | None = None  # (msgstr keyword, text so far)

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            keyword, text = pending
            if msgid == "":
                out.extend(_po_lines(keyword, text.replace("Language: sr_Latn", "Language: sr")))
            else:
                out.extend(_po_lines(keyword, latin_to_cyrillic(text)))
            pending = None

    for line in latin_path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if pending is not None and stripped.startswith('"'):
            pending = (pending[0], pending[1] + _literal(stripped))
            continue
        flush()
        if reading_msgid and stripped.startswith('"') and msgid is not None:
            msgid += _literal(stripped)
            out.append(line)
            continue
        reading_msgid = False
        match = _KEYWORD.match(stripped)
        if match and not line.startswith("#"):
            keyword = match.group(1)
            if keyword == "msgid":
                msgid, reading_msgid = _literal(match.group(2)), True
            if keyword.startswith("msgstr"):
                pending = (keyword, _literal(match.group(2)))
                continue
        out.append(line)
    flush()
    return "\n".join(out) + "\n"
