"""The pages' words: every message in the page templates and the web code has a Spanish translation (vendors with
limited English use the portal), keeps the placeholders of its English, and both catalogs are up to date."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import adapters.http.web as web
from adapters.http.web.i18n import LANGUAGES, catalog_path, translations

WEB = Path(web.__file__).parent
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _extracted() -> set[str]:
    """What ``pybabel extract -F babel.cfg`` finds: ``_()``, ``{% trans %}``, ``N_()`` and friends."""
    with (WEB / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(WEB, method_map, options_map):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def _catalog(code: str):  # noqa: ANN202
    with catalog_path(code).open("rb") as po:
        return read_po(po)


def test_every_message_of_the_pages_has_a_spanish_translation_with_the_same_placeholders():
    messages = _extracted()
    assert len(messages) > 40 and "Sign in" in messages and "Your invoices on hold" in messages
    spanish = _catalog("es")
    untranslated = [m for m in sorted(messages) if m not in spanish or not spanish[m].string
                    or spanish[m].fuzzy]
    assert untranslated == [], "no Spanish for these (see docs/web.md: pybabel update, then translate)"
    changed = [m for m in messages if set(_PLACEHOLDER.findall(m)) != set(_PLACEHOLDER.findall(spanish[m].string))]
    assert changed == [], "the Spanish drops or renames a placeholder"


def test_both_catalogs_list_exactly_the_messages_the_pages_use():
    messages = _extracted()
    for code in LANGUAGES:
        listed = {m.id for m in _catalog(code) if m.id}
        assert listed == messages, (code, sorted(messages - listed), sorted(listed - messages))


def test_a_spanish_page_is_spanish_and_an_untranslated_message_would_show_in_english():
    assert translations("es").gettext("Sign in") == "Iniciar sesión"
    assert translations("en").gettext("Sign in") == "Sign in"
    assert translations("es").gettext("a message nobody translated") == "a message nobody translated"
