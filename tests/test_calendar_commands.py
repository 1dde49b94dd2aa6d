"""The ``!kalender`` commands through the real dispatcher: the file in the team room and in a
committee's room, an empty calendar, the feed's address and a new one, and who may have it."""

from __future__ import annotations

import icalendar

from commands.framework.registry import Role
from storage.database import Database
from tests.support.calendar import (
    FEED_BASE,
    FeedDesk,
    events_with_uid,
    plain,
    schedule_beirat,
)
from tests.support.names import BEIRAT_ROOM, BERND

# --------------------------------------------------------------------------- the commands


async def test_calendar_in_the_team_room_has_all_committees(database: Database) -> None:
    """``!calendar`` in the team room attaches one text/calendar file for every committee."""
    beirat = await schedule_beirat(database)
    desk = FeedDesk(database)

    reply = await desk.reply("!calendar")

    assert "9 upcoming meetings of all committees" in plain(reply)
    [attachment] = reply.attachments
    assert attachment.filename == "calendar-all-2027-01-04.ics"
    assert attachment.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.data)
    assert events_with_uid(calendar, beirat.other.uid)
    assert events_with_uid(calendar, beirat.one_off.uid)
    [entry] = [e for e in await desk.audit() if e.action == "export"]
    assert (entry.object_type, entry.object_id, entry.detail) == (
        "committee",
        "*",
        "count=9 format=ics",
    )


async def test_calendar_filter_and_committee_room(database: Database) -> None:
    """A name filters in the team room; in a committee room its own committee is exported and
    nobody, not even the team, gets another committee's calendar there."""
    beirat = await schedule_beirat(database)
    desk = FeedDesk(database)

    filtered = await desk.reply("!calendar steuerungsgruppe")
    [attachment] = filtered.attachments
    assert attachment.filename == "calendar-sg-2027-01-04.ics"
    assert "1 upcoming meeting of Steuerungsgruppe" in plain(filtered)

    in_room = await desk.reply("!calendar", room=BEIRAT_ROOM, role=Role.MEMBER, sender=BERND)
    [attachment] = in_room.attachments
    assert attachment.filename == "calendar-bb-2027-01-04.ics"
    assert not events_with_uid(icalendar.Calendar.from_ical(attachment.data), beirat.other.uid)

    refused = await desk.reply(
        "!calendar Steuerungsgruppe", room=BEIRAT_ROOM, role=Role.MEMBER, sender=BERND
    )
    assert refused.is_error and not refused.attachments
    assert "team room" in plain(refused)
    also_for_the_team = await desk.reply(
        "!calendar Steuerungsgruppe", room=BEIRAT_ROOM, role=Role.TEAM
    )
    assert also_for_the_team.is_error and not also_for_the_team.attachments

    unknown = await desk.reply("!calendar Jugendhilfeausschuss")
    assert unknown.is_error
    assert "Known committees: Bildungsbeirat, Steuerungsgruppe" in plain(unknown)


async def test_calendar_without_meetings_sends_no_file(database: Database) -> None:
    """With nothing scheduled the answer says so and attaches nothing."""
    desk = FeedDesk(database)

    reply = await desk.reply("!calendar")

    assert not reply.attachments
    assert "No upcoming meetings" in plain(reply)


async def test_subscribe_gives_and_renews_the_feed_address(database: Database) -> None:
    """``!calendar subscribe`` creates the address once; ``new`` replaces the token; the audit
    log records both without the token."""
    await schedule_beirat(database)
    desk = FeedDesk(database)

    first = await desk.reply("!calendar subscribe", room=BEIRAT_ROOM, role=Role.ORGANIZER)
    token = await desk.feed_token()
    assert len(token) == 32
    assert f"{FEED_BASE}/kalender/{token}.ics" in plain(first)
    again = await desk.reply("!calendar subscribe", room=BEIRAT_ROOM, role=Role.ORGANIZER)
    assert await desk.feed_token() == token
    assert f"/kalender/{token}.ics" in plain(again)

    renewed = await desk.reply("!calendar subscribe new", room=BEIRAT_ROOM, role=Role.TEAM)
    new_token = await desk.feed_token()
    assert new_token != token
    assert f"/kalender/{new_token}.ics" in plain(renewed)
    assert "old one no longer works" in plain(renewed)

    feed_entries = [e for e in await desk.audit() if e.object_type == "calendar_feed"]
    assert [e.action for e in feed_entries] == ["create", "view", "update"]
    assert all(token not in e.detail and new_token not in e.detail for e in feed_entries)


async def test_subscribe_is_for_organisers_and_needs_the_feed(database: Database) -> None:
    """A plain member is refused; with the feed switched off the answer says how to enable it."""
    await schedule_beirat(database)

    member = await FeedDesk(database).reply(
        "!calendar subscribe", room=BEIRAT_ROOM, role=Role.MEMBER, sender=BERND
    )
    assert member.is_error
    off = await FeedDesk(database, feed_base_url="").reply(
        "!calendar subscribe", room=BEIRAT_ROOM, role=Role.ORGANIZER
    )
    assert "switched off" in plain(off)
    assert "[http]" in plain(off) and "public_url" in plain(off)
    assert await FeedDesk(database).feed_token() == ""
