"""The desk's languages: Babel message catalogs and one Jinja2 environment per locale.

Catalogs live in `src/arrears/locale/<lang>/LC_MESSAGES/messages.po` (the source, committed);
`make i18n` compiles them to `.mo` with `pybabel compile` (the compiled files are ignored by
git, D81). When a `.mo` is missing or older than its `.po` (a fresh checkout, a test run
before `make i18n`), the catalog is compiled in memory from the `.po` with Babel's own reader
and writer, so the desk never shows another language's words by accident.

Each locale gets its own Jinja2 environment with the i18n extension and that locale's
translations installed (newstyle gettext: `_("Hello %(name)s", name=...)` escapes and formats),
so concurrent requests in different languages never share a mutable gettext.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

if TYPE_CHECKING:
    from decimal import Decimal

    from arrears.domain.money import Money

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
DOMAIN = "messages"
#: the desk's languages: English (the source), Spanish, Chinese (Simplified)
LANGUAGES = ("en", "es", "zh")
DEFAULT_LANGUAGE = "en"
#: Babel locale used to format dates and numbers for each desk language
FORMAT_LOCALES = {"en": "en_GB", "es": "es_ES", "zh": "zh_Hans_CN"}
LANGUAGE_NAMES = {"en": "English", "es": "Español", "zh": "中文"}


def desk_language(tag: str | None) -> str:
    """The desk language for a user's locale or a BCP 47 tag (`es-ES` -> `es`); else English."""
    primary = (tag or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


def catalog_translations(language: str) -> NullTranslations:
    """The compiled catalog of `language`: the `.mo` when it is current, else the `.po`
    compiled in memory."""
    po, mo = po_path(language), mo_path(language)
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class Formats:
    """Locale-aware formatting for templates (Babel / CLDR)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = Locale.parse(FORMAT_LOCALES[language])

    def date(self, value: dt.date | None) -> str:
        return "" if value is None else format_date(value, format="medium", locale=self.locale)

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, format="short", tzinfo=dt.UTC, locale=self.locale)

    def money(self, value: Money | None) -> str:
        if value is None:
            return ""
        return format_currency(value.amount, value.currency, locale=self.locale)

    def amount(self, value: Decimal | None, currency: str) -> str:
        if value is None:
            return ""
        return format_currency(value, currency, locale=self.locale)

    def number(self, value: float | Decimal | None) -> str:
        return "" if value is None else format_decimal(value, locale=self.locale)

    def percent(self, value: float | None) -> str:
        return "" if value is None else format_percent(value, format="#,##0.0%", locale=self.locale)


@cache
def environment(language: str) -> Environment:
    """The Jinja2 environment of one desk language (built once per process)."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(("html", "svg")),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(catalog_translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["fmt"] = Formats(language)
    env.globals["lang"] = language
    env.globals["language_names"] = LANGUAGE_NAMES
    return env


__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALE_DIR",
    "TEMPLATES_DIR",
    "Formats",
    "catalog_translations",
    "desk_language",
    "environment",
    "mo_path",
    "po_path",
]
