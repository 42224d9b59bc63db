"""The pages' languages: gettext catalogs read from the shipped ``.po`` files, and which language a request wants.

The ``.po`` files under ``locale/`` are the only source: they are compiled in memory the first time a language is
used, so a checkout installed with ``pip install -e .`` needs no build step. A message with no translation, or
only a fuzzy one, shows in English; ``tests/e2e/test_web_i18n.py`` fails when any message of the pages has no
Spanish. To add or change words, see docs/web.md (``pybabel extract`` / ``update``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_COOKIE = "disburse_lang"
DOMAIN = "messages"


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # what the cookie, the URL and <html lang> say
    name: str  # the language's name in itself, as the switch shows it
    locale: str  # how numbers, money and dates are written (a US agency: US conventions in either language)


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English", "en_US"),
    "es": Language("es", "Español", "es_US"),
}
DEFAULT_LANGUAGE = "en"


def catalog_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def translations(code: str) -> Translations:
    """The compiled catalog of one of ``LANGUAGES`` (fuzzy entries left out, as ``msgfmt`` would)."""
    language = LANGUAGES[code]
    with catalog_path(code).open("rb") as po:
        catalog = read_po(po, locale=language.locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def language_of(request: Request) -> Language:
    """The cookie set by the language switch, else the browser's Accept-Language, else English."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return LANGUAGES[chosen]
    wanted = [part.split(";")[0].strip().replace("-", "_")
              for part in request.headers.get("accept-language", "").split(",") if part.strip()]
    best = negotiate_locale(wanted, list(LANGUAGES), sep="_") if wanted else None  # "es_MX" finds "es"
    return LANGUAGES.get(best or DEFAULT_LANGUAGE, LANGUAGES[DEFAULT_LANGUAGE])


def babel_locale(language: Language) -> Locale:
    return Locale.parse(language.locale)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Marks a message for extraction where it is defined; the template translates it where it is shown."""
    return message
