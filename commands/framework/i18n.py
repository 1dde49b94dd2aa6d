"""Translations (compiled gettext catalogs) and German/English date formatting.

Every date, time and weekday the bot writes goes through :class:`Translator`, whose Babel
patterns below are the one place the house formats are spelled.
"""

from __future__ import annotations

import gettext
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, get_day_names

DOMAIN = "kuemmerer"
# An installed wheel carries its compiled catalogs inside the package; a source checkout (and
# the editable install of development) has them in locale/, compiled by `make catalogs`.
PACKAGED_LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
CATALOG_DIRS = (PACKAGED_LOCALE_DIR, LOCALE_DIR)

# The Babel locale and the house patterns of each language: the day before the month and the
# month in words in English (never the ambiguous 03/05), German times with "Uhr".
BABEL_LOCALES = {"de": "de_DE", "en": "en_GB"}
DATE_PATTERNS = {"de": "dd.MM.yyyy", "en": "d MMM yyyy"}
TIME_PATTERNS = {"de": "HH:mm 'Uhr'", "en": "HH:mm"}
# A time given to the second is echoed to the second, so the reader sees it was kept.
SECOND_TIME_PATTERNS = {"de": "HH:mm:ss 'Uhr'", "en": "HH:mm:ss"}
CLOCK_PATTERN = "HH:mm"  # a time without "Uhr", e.g. the start of "14:00–16:00 Uhr"
WEEKDAY_PATTERN = "EEE"
WEEKDAY_NAME_PATTERN = "EEEE"


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
        self.locale = BABEL_LOCALES.get(language, BABEL_LOCALES["en"])
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

    def _format(self, moment: datetime, pattern: str) -> str:
        formatted: str = format_datetime(self.local(moment), pattern, locale=self.locale)
        return formatted

    def date(self, moment: datetime) -> str:
        """``05.03.2027`` in German, ``5 Mar 2027`` in English (never the ambiguous 03/05)."""
        return self._format(moment, DATE_PATTERNS.get(self.language, DATE_PATTERNS["en"]))

    def time(self, moment: datetime) -> str:
        """``14:00 Uhr`` in German, ``14:00`` in English; ``18:25:13 Uhr`` when the moment
        has seconds."""
        patterns = SECOND_TIME_PATTERNS if moment.second else TIME_PATTERNS
        return self._format(moment, patterns.get(self.language, patterns["en"]))

    def clock(self, moment: datetime) -> str:
        """``14:00`` in both languages: a time followed by another, as in ``14:00–16:00 Uhr``."""
        return self._format(moment, CLOCK_PATTERN)

    def weekday(self, moment: datetime) -> str:
        """The abbreviated weekday, ``Mi`` / ``Wed``."""
        # Babel abbreviates German weekdays with a dot ("Mi."); the house format has none.
        return self._format(moment, WEEKDAY_PATTERN).rstrip(".")

    def weekday_name(self, moment: datetime) -> str:
        """The full weekday: ``Mittwoch`` / ``Wednesday``."""
        return self._format(moment, WEEKDAY_NAME_PATTERN)

    def day_name(self, weekday: int) -> str:
        """The full name of ``weekday`` (0 = Monday): ``Montag`` / ``Monday``."""
        return str(get_day_names("wide", locale=self.locale)[weekday])

    def datetime(self, moment: datetime) -> str:
        """``Mi, 05.03.2027, 14:00 Uhr`` — the house format for a point in time."""
        return f"{self.weekday(moment)}, {self.date(moment)}, {self.time(moment)}"
