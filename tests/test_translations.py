# ruff: noqa: RUF001  (Cyrillic text and typographic quotes are the point of these tests)
"""English and Serbian throughout: the catalogues are complete, nothing meant
for people escapes translation, and pages speak the reader's language.

The build fails when a template or Python string meant for users is not
marked for translation, when the Serbian Latin catalogue misses a message (or
holds an untranslated or fuzzy one), or when the Cyrillic catalogue is not the
transliteration of the Latin one. ``make messages`` updates the catalogues.
"""

from __future__ import annotations

import ast
import re
import shutil
from datetime import date
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from pytest_django import Settings

from common.transliterate import latin_to_cyrillic
from tests.conftest import missing
from tests.factories import UserFactory

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
LATIN_PO = LOCALE / "sr_Latn" / "LC_MESSAGES" / "django.po"
CYRILLIC_PO = LOCALE / "sr" / "LC_MESSAGES" / "django.po"
APPS = ("accounts", "assessments", "clusters", "common", "labels", "escaportal")

# Words that are the same in every language: names, acronyms, units.
ALLOWED_WORDS = frozenset(
    {
        "escaportal",
        "ESCA",
        "EUCLES",
        "ECCP",
        "QR",
        "CSV",
        "PDF",
        "API",
        "JSON",
        "ID",
        "v",
        "EUR",
        "Open",
        "Badges",
        "OpenAPI",
        "SVG",
        "PNG",
        "IBAN",
        "BIC",
    }
)


# ---------------------------------------------------------------------------
# The catalogues
# ---------------------------------------------------------------------------


def catalogue(path: Path) -> polib.POFile:
    """The messages of a .po file; its header is the catalogue's ``metadata``, not a message."""
    return polib.pofile(str(path))


def latin() -> list[polib.POEntry]:
    return [entry for entry in catalogue(LATIN_PO) if not entry.obsolete]


def translations(entry: polib.POEntry) -> list[str]:
    """The translation, or each plural form in order."""
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def test_latin_catalogue_has_no_untranslated_or_fuzzy_message() -> None:
    untranslated = [entry.msgid for entry in latin() if not all(translations(entry))]
    fuzzy = [entry.msgid for entry in latin() if entry.fuzzy]
    assert (untranslated, fuzzy) == ([], [])


def test_latin_catalogue_has_three_plural_forms() -> None:
    plural = [entry for entry in latin() if entry.msgid_plural]
    assert plural, "the catalogue has plural messages"
    assert [entry.msgid for entry in plural if len(translations(entry)) != 3] == []
    header = catalogue(LATIN_PO).metadata
    assert "nplurals=3;" in header["Plural-Forms"]
    assert header["Language"] == "sr_Latn"


PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%[sd]|\{[a-z_]+\}|%%")


def test_latin_translations_keep_the_placeholders() -> None:
    wrong = []
    for entry in latin():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        expected_plural = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for index, text in enumerate(translations(entry)):
            found = sorted(PLACEHOLDER.findall(text))
            if not entry.msgid_plural:
                ok = found == expected
            else:
                # A singular form may drop the count ("one organisation"), never add or rename a placeholder.
                ok = set(found) <= set(expected_plural) and (index == 0 or found == expected_plural)
            if not ok:
                wrong.append((entry.msgid, text))
    assert wrong == []


def test_latin_translations_keep_the_markup() -> None:
    tag = re.compile(r"</?[a-z]+[^>]*>")
    wrong = [
        (entry.msgid, text)
        for entry in latin()
        for text in translations(entry)
        if sorted(tag.findall(text)) != sorted(tag.findall(entry.msgid))
    ]
    assert wrong == []


def test_cyrillic_catalogue_is_the_transliteration_of_the_latin_one() -> None:
    cyrillic = {entry.msgid_with_context: translations(entry) for entry in catalogue(CYRILLIC_PO)}
    expected = {
        entry.msgid_with_context: [latin_to_cyrillic(text) for text in translations(entry)] for entry in latin()
    }
    assert cyrillic == expected
    assert catalogue(CYRILLIC_PO).metadata["Language"] == "sr"


def test_compiled_catalogues_are_up_to_date() -> None:
    """The .mo files are shipped (a machine without gettext runs the portal), so they must match the .po files."""
    for po in (LATIN_PO, CYRILLIC_PO):
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run make messages"
        assert catalogue(po).to_binary() == mo.read_bytes(), f"{mo} is outdated: run make messages"


def test_every_marked_message_is_in_the_latin_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    """A string newly marked for translation fails here until ``make messages`` and a translation add it."""
    if shutil.which("xgettext") is None:
        missing("GNU gettext (xgettext) is not installed: apt-get install gettext")
    for name in (*APPS, "templates"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]  # makemessages writes to the first locale path
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["sr_Latn"], no_obsolete=True, add_location="never", verbosity=0)
    fresh = {entry.msgid_with_context for entry in catalogue(tmp_path / "locale/sr_Latn/LC_MESSAGES/django.po")}
    committed = {entry.msgid_with_context for entry in latin()}
    assert sorted(fresh - committed) == []


# ---------------------------------------------------------------------------
# Nothing meant for people escapes translation
# ---------------------------------------------------------------------------

VISIBLE_ATTRIBUTES = re.compile(
    r"""\b(title|alt|placeholder|aria-label|aria-description|data-confirm)\s*=\s*(["'])(.*?)\2""", re.S
)
TRANSLATE_BLOCK = re.compile(r"^(blocktranslate|blocktrans)\b")
END_TRANSLATE_BLOCK = re.compile(r"^(endblocktranslate|endblocktrans)\b")
MARK = "\x00"


def template_text(source: str) -> str:
    """The template with its tags, variables and translated blocks replaced by a mark: what is left is literal text."""
    out: list[str] = []
    depth = 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            if TRANSLATE_BLOCK.match(token.contents):
                depth += 1
            elif END_TRANSLATE_BLOCK.match(token.contents):
                depth -= 1
            out.append(MARK)
        elif token.token_type in (TokenType.VAR, TokenType.COMMENT):
            out.append(MARK)
        elif depth == 0:
            out.append(token.contents)
        else:
            out.append(MARK)
    text = "".join(out)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    # Scripts, styles and literal code (CSV column names, say) are not prose.
    return re.sub(r"<(script|style|code|kbd|samp)\b.*?</\1>", " ", text, flags=re.S | re.I)


def unmarked_words(text: str) -> list[str]:
    # A word with a digit is a code or an example ("RS-B-2026-7K4Q"), not language.
    return [
        word
        for word in re.findall(r"[^\W\d_][\w'’-]*", text)
        if word not in ALLOWED_WORDS and not re.search(r"\d", word)
    ]


def untranslated_template_text(source: str) -> list[str]:
    text = template_text(source)
    found: list[str] = []
    for tag in re.findall(r"<[^<>]*>", text):
        for _name, _quote, value in VISIBLE_ATTRIBUTES.findall(tag):
            if unmarked_words(value.replace(MARK, " ")):
                found.append(value.strip())
    outside = re.sub(r"<[^<>]*>", MARK, text)
    outside = re.sub(r"&[#\w]+;", " ", outside)
    for chunk in outside.split(MARK):
        if unmarked_words(chunk):
            found.append(" ".join(chunk.split()))
    return found


TEMPLATES = sorted((ROOT / "templates").rglob("*.html")) + sorted((ROOT / "templates").rglob("*.txt"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT / "templates")))
def test_template_has_no_unmarked_text(path: Path) -> None:
    assert untranslated_template_text(path.read_text(encoding="utf-8")) == []


def test_template_check_finds_unmarked_text() -> None:
    source = (
        '{% load i18n %}<h1 title="Hello there">Welcome</h1>{% translate "Fine" %}'
        "{% blocktranslate %}Also fine {{ x }}{% endblocktranslate %}<!-- a note --><script>let a = 1;</script>"
        '<p class="lead">{{ value }} · escaportal</p>'
    )
    assert untranslated_template_text(source) == ["Hello there", "Welcome"]


USER_FACING_CALLS = frozenset(
    {
        "ValidationError",
        "ActionRefused",
        "QuestionnaireInvalid",
        "PermissionDenied",
        "Http404",
        "success",
        "error",
        "info",
        "warning",
        "add_message",
        "notify",
    }
)
USER_FACING_KEYWORDS = frozenset({"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label", "title"})


def _is_bare_text(node: ast.AST) -> bool:
    """A literal (or f-string, or "..." % x, "...".format()) with letters: text nobody marked."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        return bool(re.search(r"[A-Za-z]{2}", text)) and not re.fullmatch(r"[a-z0-9_.:/-]+", text)
    if isinstance(node, ast.JoinedStr):
        return any(_is_bare_text(value) for value in node.values if isinstance(value, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_bare_text(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _is_bare_text(node.func.value)
    return False


MESSAGE_LEVELS = frozenset({"success", "error", "info", "warning", "add_message"})


def _is_messages_call(node: ast.Call) -> bool:
    return (
        isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "messages"
    )


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def unmarked_python_strings(source: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        candidates: list[ast.expr] = []
        if name in MESSAGE_LEVELS and not _is_messages_call(node):
            name = ""  # logger.info("...") is for the operators, in English
        if name in USER_FACING_CALLS:
            # messages.success(request, "...") takes the text second; the exceptions first.
            candidates += node.args[:2] if name in {"success", "error", "info", "warning"} else node.args[:1]
            if name == "add_message":
                candidates = node.args[2:3]
            candidates += [keyword.value for keyword in node.keywords if keyword.arg in {"message", "title", "body"}]
        candidates += [keyword.value for keyword in node.keywords if keyword.arg in USER_FACING_KEYWORDS]
        found += [(candidate.lineno, ast.unparse(candidate)) for candidate in candidates if _is_bare_text(candidate)]
    return found


PYTHON_FILES = sorted(
    path
    for app in APPS
    for path in (ROOT / app).rglob("*.py")
    if "migrations" not in path.parts and "management" not in path.parts
)


@pytest.mark.parametrize("path", PYTHON_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_python_has_no_unmarked_user_text(path: Path) -> None:
    assert unmarked_python_strings(path.read_text(encoding="utf-8")) == []


def test_python_check_finds_unmarked_text() -> None:
    source = (
        "raise ValidationError('Enter a date.')\n"
        "messages.success(request, _('Saved.'))\n"
        "messages.error(request, f'Failed for {x}')\n"
        "field = forms.CharField(label='Your name')\n"
        "raise ActionRefused(_('Fine.'))\n"
    )
    assert unmarked_python_strings(source) == [
        (1, "'Enter a date.'"),
        (3, "f'Failed for {x}'"),
        (4, "'Your name'"),
    ]


# ---------------------------------------------------------------------------
# Pages speak the reader's language
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("sr-latn", "Prijava"),
        ("sr-Latn-RS,sr;q=0.8", "Prijava"),
        ("sr", "Пријава"),
        ("sr-RS", "Пријава"),
        ("sr-Cyrl", "Пријава"),
        ("en-GB,en;q=0.9", "Log in"),
        ("de-DE", "Log in"),
    ],
)
@pytest.mark.django_db
def test_login_page_follows_the_browser_language(client: Client, accept: str, expected: str) -> None:
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE=accept)
    assert expected in response.content.decode()


@pytest.mark.django_db
def test_verify_page_follows_the_browser_language(client: Client) -> None:
    response = client.get(reverse("verify_search"), HTTP_ACCEPT_LANGUAGE="sr-Latn")
    assert response.headers["Content-Language"] == "sr-latn"
    assert "Proveri oznaku" in response.content.decode()


@pytest.mark.django_db
def test_profile_language_wins_over_the_browser(client: Client) -> None:
    person = UserFactory(preferred_language="sr-latn")
    client.force_login(person)
    response = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.headers["Content-Language"] == "sr-latn"
    assert "Odjavi se" in response.content.decode()


@pytest.mark.django_db
def test_switching_language_when_signed_in_updates_the_profile(client: Client) -> None:
    person = UserFactory(preferred_language="en")
    client.force_login(person)
    response = client.post(reverse("set_language"), {"language": "sr", "next": reverse("accounts:profile")})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.preferred_language == "sr"
    assert "Одјави се" in client.get(reverse("accounts:profile")).content.decode()


@pytest.mark.django_db
def test_visitor_switches_language_in_the_header(client: Client) -> None:
    page = client.get(reverse("verify_search")).content.decode()
    assert 'action="/i18n/setlang/"' in page
    client.post(reverse("set_language"), {"language": "sr-latn", "next": "/verify/"})
    assert "Proveri oznaku" in client.get(reverse("verify_search")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "sr-latn", "sr"])
def test_languages_are_named_in_themselves_on_every_page_language(client: Client, language: str) -> None:
    """The header's switcher and the profile's choice: "English", "Srpski", "Српски", whatever the page's
    language; never a name run through the transliteration ("Енглисх")."""
    client.force_login(UserFactory(preferred_language=language))
    page = client.get(reverse("accounts:profile")).content.decode()
    for name in ("English", "Srpski (latinica)", "Српски (ћирилица)"):
        assert f">{name}</option>" in page, (language, name)
    assert ">English</button>" in page
    assert "Енглисх" not in page and "Engleski</option>" not in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("sr-latn", "2. decembra 2026."),
        ("sr", "2. децембра 2026."),
        ("en", "2026-12-02"),
    ],
)
def test_long_dates_read_right_in_each_language(language: str, expected: str) -> None:
    """Serbian names the month in the genitive ("decembra", not "decembar"); English writes every
    date one way, long or short."""
    day = date(2026, 12, 2)
    with translation.override(language):
        assert formats.date_format(day) == expected
        if language == "en":
            assert formats.date_format(day, "SHORT_DATE_FORMAT") == expected
    with translation.override("sr-latn"):
        months = [formats.date_format(date(2026, month, 1)).split()[1] for month in range(1, 13)]
    assert months == [
        "januara", "februara", "marta", "aprila", "maja", "juna",
        "jula", "avgusta", "septembra", "oktobra", "novembra", "decembra",
    ]  # fmt: skip


# A date at the end of a sentence: the Serbian date brings its own full stop ("2. decembra 2026.").
SENTENCE_ENDING_IN_A_DATE = re.compile(
    r"(?:%\((?:date|earliest|latest|window|until)\)s|\{\{ ?(?:date|earliest|latest|window|until) ?\}\})\.\s*$"
)


def test_serbian_sentences_ending_in_a_date_add_no_second_full_stop() -> None:
    doubled = [
        entry.msgid
        for entry in polib.pofile(str(LATIN_PO))
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if SENTENCE_ENDING_IN_A_DATE.search(text)
    ]
    assert not doubled, doubled


def test_serbian_is_translated_at_runtime() -> None:
    with translation.override("sr-latn"):
        assert translation.gettext("Log in") == "Prijava"
    with translation.override("sr"):
        assert translation.gettext("Log in") == "Пријава"


def test_make_messages_regenerates_cyrillic(tmp_path: Path) -> None:
    """translate_cyrillic --check reports nothing when the committed catalogues agree."""
    call_command("translate_cyrillic", "--check")
