"""Translations (gettext catalogs under ``locale/``) and German/English date formatting."""

from __future__ import annotations

import gettext
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

DOMAIN = "kuemmerer"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


class Translator:
    """Translates messages and formats dates for one language and time zone."""

    def __init__(self, language: str, zone: ZoneInfo, locale_dir: Path = LOCALE_DIR) -> None:
        self.language = language
        self.zone = zone
        if language == "en":
            # Source strings are English; no catalog needed.
            self._catalog: gettext.NullTranslations = gettext.NullTranslations()
        else:
            self._catalog = gettext.translation(DOMAIN, locale_dir, languages=[language])

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._catalog.ngettext(singular, plural, count)

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the configured zone."""
        return moment.astimezone(self.zone)

    def date(self, moment: datetime) -> str:
        """``05.03.2027`` in German, ``5 Mar 2027`` in English (never the ambiguous 03/05)."""
        local = self.local(moment)
        if self.language == "de":
            return local.strftime("%d.%m.%Y")
        return format_date(local.date(), "d MMM yyyy", locale="en_GB")

    def time(self, moment: datetime) -> str:
        """``14:00 Uhr`` in German, ``14:00`` in English."""
        local = self.local(moment)
        if self.language == "de":
            return f"{local:%H:%M} Uhr"
        return format_time(local.time(), "HH:mm", locale="en_GB")

    def weekday(self, moment: datetime) -> str:
        """The abbreviated weekday, ``Mi`` / ``Wed``."""
        locale = "de_DE" if self.language == "de" else "en_GB"
        name: str = format_date(self.local(moment).date(), "EEE", locale=locale)
        return name.rstrip(".")

    def datetime(self, moment: datetime) -> str:
        """``Mi, 05.03.2027, 14:00 Uhr`` — the house format for a point in time."""
        return f"{self.weekday(moment)}, {self.date(moment)}, {self.time(moment)}"
