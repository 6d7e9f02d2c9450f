"""The English catalogue: complete, compiled, and in step with the (Thai) source texts.

msgids are Thai (the product is Thai first) and platform/locale/en/LC_MESSAGES/django.po
translates them. When a test here fails after adding or changing a message: run
`infra/dev/i18n`, translate every empty or fuzzy entry of django.po, run
`infra/dev/i18n --compile`, and commit django.po and django.mo together.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.utils import translation

pytestmark = pytest.mark.foundation

REPO = Path(__file__).resolve().parents[2]
CATALOG_DIR = REPO / "platform" / "locale" / "en" / "LC_MESSAGES"
PO_PATH = CATALOG_DIR / "django.po"
MO_PATH = CATALOG_DIR / "django.mo"
# Source folders scanned by infra/dev/i18n (makemessages from the repo root).
SOURCE_DIRS = ("platform", "tenants", "billing", "mailhosting")
SKIPPED_DIRS = {"migrations", "tests", "static", "locale", "__pycache__", "node_modules"}
HOW_TO_FIX = (
    "run infra/dev/i18n, translate the new entries of "
    "platform/locale/en/LC_MESSAGES/django.po, then run infra/dev/i18n --compile"
)

THAI = re.compile(r"[\u0E00-\u0E7F]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{\{\s*[\w.]+\s*\}\}")

# gettext functions: name -> (index of the context argument or None, index of the msgid).
GETTEXT_CALLS = {
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}

TRANSLATE_TAG = re.compile(r"""\{%\s*trans(?:late)?\s+(["'])(.*?)\1(.*?)%\}""", re.DOTALL)
UNDERSCORE_IN_TEMPLATE = re.compile(r"""\b_\((["'])(.*?)\1\)""")
BLOCK_TAG = re.compile(
    r"\{%\s*blocktrans(?:late)?\b(.*?)%\}(.*?)\{%\s*endblocktrans(?:late)?\s*%\}", re.DOTALL
)
PLURAL_TAG = re.compile(r"\{%\s*plural\s*%\}")
BLOCK_VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
CONTEXT_OPTION = re.compile(r"""\bcontext\s+(["'])(.*?)\1""")

Key = tuple[str | None, str]  # (msgctxt, msgid)


def _catalog() -> polib.POFile:
    assert PO_PATH.is_file(), f"{PO_PATH.relative_to(REPO)} is missing: {HOW_TO_FIX}"
    return polib.pofile(str(PO_PATH))


def _source_files(*suffixes: str) -> Iterator[Path]:
    for top in SOURCE_DIRS:
        root = REPO / top
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(REPO).parts
            if any(part in SKIPPED_DIRS or part.startswith(".") for part in relative[:-1]):
                continue
            if path.is_file() and path.suffix in suffixes:
                yield path


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _python_messages(path: Path) -> Iterator[Key]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node.func)
        if name not in GETTEXT_CALLS:
            continue
        context_index, msgid_index = GETTEXT_CALLS[name]
        if len(node.args) <= msgid_index:
            continue
        msgid = node.args[msgid_index]
        if not (isinstance(msgid, ast.Constant) and isinstance(msgid.value, str)):
            continue
        context: str | None = None
        if context_index is not None:
            context_arg = node.args[context_index]
            if not (isinstance(context_arg, ast.Constant) and isinstance(context_arg.value, str)):
                continue
            context = context_arg.value
        yield context, msgid.value


def _template_messages(text: str) -> Iterator[Key]:
    """msgids as Django's templatize extracts (and the template engine looks them up)."""
    for match in TRANSLATE_TAG.finditer(text):
        options = CONTEXT_OPTION.search(match[3])
        # Literal % is escaped to %% by the {% translate %} tag.
        yield (options[2] if options else None), match[2].replace("%", "%%")
    for match in UNDERSCORE_IN_TEMPLATE.finditer(text):
        yield None, match[2].replace("%", "%%")
    for match in BLOCK_TAG.finditer(text):
        options = CONTEXT_OPTION.search(match[1])
        singular = PLURAL_TAG.split(match[2])[0]
        # Literal % becomes %%; {{ name }} becomes %(name)s.
        parts = BLOCK_VARIABLE.split(singular)
        msgid = "".join(
            f"%({part})s" if index % 2 else part.replace("%", "%%")
            for index, part in enumerate(parts)
        )
        if re.search(r"\btrimmed\b", match[1]):
            msgid = translation.trim_whitespace(msgid)
        yield (options[2] if options else None), msgid


def _thai_source_messages() -> dict[Key, set[str]]:
    found: dict[Key, set[str]] = {}
    for path in _source_files(".py"):
        for key in _python_messages(path):
            found.setdefault(key, set()).add(str(path.relative_to(REPO)))
    for path in _source_files(".html", ".txt"):
        for key in _template_messages(path.read_text(encoding="utf-8")):
            found.setdefault(key, set()).add(str(path.relative_to(REPO)))
    return {key: files for key, files in found.items() if THAI.search(key[1])}


def test_every_entry_is_translated_and_not_fuzzy() -> None:
    catalog = _catalog()
    assert not catalog.metadata_is_fuzzy, "the header of django.po is marked fuzzy"
    assert catalog.metadata.get("Language") == "en"
    problems = []
    for entry in catalog:
        if entry.obsolete:
            problems.append(f"obsolete: {entry.msgid!r}")
        elif "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif not entry.translated():
            problems.append(f"untranslated: {entry.msgid!r}")
    assert not problems, f"{HOW_TO_FIX}:\n" + "\n".join(problems)


def test_translations_keep_the_placeholders() -> None:
    wrong = [
        f"{entry.msgid!r} -> {entry.msgstr!r}"
        for entry in _catalog()
        if entry.msgstr
        and sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr))
    ]
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def _mo_messages(path: Path) -> dict[tuple[str | None, str, str], object]:
    mo = polib.mofile(str(path))
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural): (
            tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
            if entry.msgid_plural
            else entry.msgstr
        )
        for entry in mo
    }


def test_committed_mo_matches_the_po(tmp_path: Path) -> None:
    assert MO_PATH.is_file(), (
        f"{MO_PATH.relative_to(REPO)} is missing: run infra/dev/i18n --compile"
    )
    fresh = tmp_path / "django.mo"
    _catalog().save_as_mofile(str(fresh))
    committed = _mo_messages(MO_PATH)
    expected = _mo_messages(fresh)
    stale = sorted(
        str(key[1])
        for key in expected.keys() | committed.keys()
        if expected.get(key) != committed.get(key)
    )
    assert not stale, (
        "django.mo is out of date with django.po: run infra/dev/i18n --compile. Differences:\n"
        + "\n".join(stale)
    )
    plural_forms = polib.mofile(str(MO_PATH)).metadata.get("Plural-Forms")
    assert plural_forms == _catalog().metadata.get("Plural-Forms")


def test_every_thai_message_in_the_source_is_in_the_catalog() -> None:
    found = _thai_source_messages()
    # Sanity: the scan sees both platform/ (Python and templates) and tenants/.
    files = {file for files in found.values() for file in files}
    assert any(file.startswith("platform/") and file.endswith(".py") for file in files)
    assert any(file.startswith("platform/") and file.endswith(".html") for file in files)
    assert any(file.startswith("tenants/") for file in files)

    catalog = {(entry.msgctxt, entry.msgid) for entry in _catalog() if not entry.obsolete}
    missing = [
        f"{msgid!r} (context {context!r}) in {', '.join(sorted(found[(context, msgid)]))}"
        if context
        else f"{msgid!r} in {', '.join(sorted(found[(context, msgid)]))}"
        for context, msgid in sorted(found, key=lambda key: (key[0] or "", key[1]))
        if (context, msgid) not in catalog
    ]
    assert not missing, f"messages missing from the English catalogue: {HOW_TO_FIX}:\n" + "\n".join(
        missing
    )


def test_template_extraction_matches_django() -> None:
    # The regexes above reproduce what Django's templatize writes into the catalogue.
    template = (
        '{% translate "ก 50%" %}{% trans \'ข\' context "เมนู" %}'
        "{% blocktranslate with name=user trimmed %}\n  สวัสดี {{ name }}\n  ค่ะ {% endblocktranslate %}"
        "{% blocktrans count n=items|length %}{{ n }} ฉบับ{% plural %}{{ n }} ฉบับ{% endblocktrans %}"
    )
    assert list(_template_messages(template)) == [
        (None, "ก 50%%"),
        ("เมนู", "ข"),
        (None, "สวัสดี %(name)s ค่ะ"),
        (None, "%(n)s ฉบับ"),
    ]


def test_english_is_served_from_the_catalogue() -> None:
    message = "โดเมนย่อยนี้สงวนไว้สำหรับระบบ กรุณาเลือกชื่ออื่น"
    with translation.override("en"):
        assert translation.gettext(message) == (
            "This subdomain is reserved for the system; please choose another."
        )
        assert translation.gettext("สารบรรณคลาวด์") == "Saraban Cloud"
    with translation.override("th"):
        assert translation.gettext(message) == message
