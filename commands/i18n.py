"""Translations (compiled gettext catalogs) and German/English date formatting."""

from __future__ import annotations

import gettext
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

DOMAIN = "kuemmerer"
# An installed wheel carries its compiled catalogs inside the package; a source checkout (and
# the editable install of development) has them in locale/, compiled by `make catalogs`.
PACKAGED_LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
CATALOG_DIRS = (PACKAGED_LOCALE_DIR, LOCALE_DIR)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


def load_catalog(
    language: str, catalog_dirs: Sequence[Path] = CATALOG_DIRS
) -> gettext.NullTranslations:
    """The compiled catalog of ``language`` from the first directory that has one."""
    for directory in catalog_dirs:
        if gettext.find(DOMAIN, directory, languages=[language]) is not None:
            return gettext.translation(DOMAIN, directory, languages=[language])
    searched = ", ".join(str(directory) for directory in catalog_dirs)
    raise FileNotFoundError(
        f"no compiled catalog for language {language!r} in {searched}; "
        "in a source checkout, run `make catalogs`"
    )


class Translator:
    """Translates messages and formats dates for one language and time zone."""

    def __init__(
        self, language: str, zone: ZoneInfo, catalog_dirs: Sequence[Path] = CATALOG_DIRS
    ) -> None:
        self.language = language
        self.zone = zone
        if language == "en":
            # Source strings are English; no catalog needed.
            self._catalog: gettext.NullTranslations = gettext.NullTranslations()
        else:
            self._catalog = load_catalog(language, catalog_dirs)

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
