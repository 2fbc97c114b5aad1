"""English and Spanish complete: every string in code and templates has a Spanish translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from goodstanding.kit.i18n import LOCALE_DIR, translations, use_locale

SOURCE = Path(__file__).resolve().parents[1] / "src" / "goodstanding"
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
METHOD_MAP = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def extracted_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SOURCE),
        method_map=METHOD_MAP,
        options_map={"**/templates/**": JINJA_OPTIONS},
        keywords=KEYWORDS,
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_spanish_translation() -> None:
    with (LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="es")
    untranslated = sorted(
        message
        for message in extracted_messages()
        if message and (message not in catalog or not catalog[message].string)
    )
    assert untranslated == []


def test_translation_is_used_at_run_time() -> None:
    translations.cache_clear()
    with use_locale("es"):
        from goodstanding.kit.i18n import gettext

        assert gettext("Sign in") == "Iniciar sesión"
    with use_locale("en"):
        assert gettext("Sign in") == "Sign in"
