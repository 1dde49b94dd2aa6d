"""What a committee's calendar subscription serves: its meetings of the recent past and ahead,
with their public agendas, as an iCalendar file. The bot serves it over HTTP (``bot/feed.py``);
which meetings go in and how they read is decided here."""

from __future__ import annotations

from datetime import datetime, timedelta

from commands.framework.i18n import Translator
from commands.meetings.agenda import calendar_agendas
from commands.meetings.ics import build_calendar, calendar_texts
from storage.calendar_export import CalendarRows
from storage.models import Committee

# Subscribed clients keep meetings of the recent past; a meeting dropped from the feed is
# deleted from their calendars, and people look back at the last few months.
FEED_HISTORY = timedelta(days=90)
# How often a subscribed client is asked to look again.
REFRESH_INTERVAL = timedelta(hours=1)


def feed_since(now: datetime) -> datetime:
    """The oldest meetings a subscription still shows."""
    return now - FEED_HISTORY


def calendar_file(
    t: Translator,
    name: str,
    rows: CalendarRows,
    *,
    now: datetime,
    since: datetime,
    refresh: timedelta | None = None,
) -> bytes:
    """The calendar file named ``name`` of ``rows``, with their agendas, in the reader's
    language and zone: the one place ``!kalender``, the export and the feed build it."""
    return build_calendar(
        name,
        rows.committees,
        rows.series,
        rows.meetings,
        now=now,
        zone=t.zone,
        since=since,
        agendas=calendar_agendas(t, rows),
        texts=calendar_texts(t.gettext),
        refresh=refresh,
    )


def feed_calendar(t: Translator, committee: Committee, rows: CalendarRows, now: datetime) -> bytes:
    """The calendar file of ``committee``'s subscription, from its ``rows`` since
    :func:`feed_since`: public data only (see :mod:`commands.meetings.ics`)."""
    return calendar_file(
        t, committee.name, rows, now=now, since=feed_since(now), refresh=REFRESH_INTERVAL
    )
