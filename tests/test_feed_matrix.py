"""The calendar over Matrix and HTTP: ``!calendar subscribe`` in a committee room gives an
address that Outlook or Thunderbird can fetch from the bot's feed server, a wrong or replaced
token is refused, and ``!calendar`` in the team room uploads an .ics file."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import aiohttp
import icalendar
import pytest
from nio import MemoryDownloadResponse

from bot.devtools.chat_client import Message
from storage.committees import CommitteeRepository
from storage.models import Meeting
from tests.support.matrix import Office, files_from_bot, with_http_server

pytestmark = pytest.mark.synapse

FEED_URL = re.compile(r"(http://127\.0\.0\.1:\d+/kalender/[A-Za-z0-9_-]+\.ics)")


async def plan_a_meeting(office: Office, room: str, days_ahead: int = 10) -> str:
    """A meeting of the room's committee, written straight into the bot's database; its UID."""
    assert office.bot.bot is not None
    start = (office.bot.clock.now() + timedelta(days=days_ahead)).replace(
        minute=0, second=0, microsecond=0
    )
    async with office.bot.bot.database.session() as session:
        committee = await CommitteeRepository(session).for_room(room)
        assert committee is not None, "the room is not bound to a committee"
        meeting = Meeting(
            committee_id=committee.id,
            uid=f"feed-test-{start:%Y%m%d%H}@kuemmerer",
            start=start.astimezone(UTC),
            end=(start + timedelta(hours=2)).astimezone(UTC),
            title="Jahresplanung",
            place="Kreishaus, Raum 204",
            created_by=office.anna.user_id,
            created_at=office.bot.clock.now(),
            updated_at=office.bot.clock.now(),
        )
        session.add(meeting)
    return meeting.uid


def feed_url_in(reply: Message) -> str:
    match = FEED_URL.search(reply.body)
    assert match, reply.body
    return match.group(1)


async def fetch(url: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.read()


async def test_subscription_feed_over_http(office: Office) -> None:
    """The organiser's feed address serves the committee's calendar; a wrong token is a 404,
    and after ``!calendar subscribe new`` the old address is a 404 too."""
    base = await with_http_server(office)
    anna = office.anna
    bernd = await office.people.person("bernd")
    room = await office.room_with_bot(anna, "Bildungsbeirat", members=[bernd])
    created = await anna.ask(room, '!committee new "Bildungsbeirat" kurz=BB')
    assert "Bildungsbeirat" in created.body
    uid = await plan_a_meeting(office, room)

    refused = await bernd.ask(room, "!calendar subscribe")
    assert base not in refused.body  # a plain member gets no address
    url = feed_url_in(await anna.ask(room, "!calendar subscribe"))
    assert url.startswith(base + "/kalender/")

    status, body = await fetch(url)
    assert status == 200
    calendar = icalendar.Calendar.from_ical(body)
    [event] = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == uid]
    assert str(event["SUMMARY"]) == "Bildungsbeirat: Jahresplanung"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert calendar.walk("VTIMEZONE")

    wrong = url.replace("/kalender/", "/kalender/x")
    assert (await fetch(wrong))[0] == 404
    assert (await fetch(f"{base}/kalender/{'A' * 32}.ics"))[0] == 404

    renewed = await anna.ask(room, "!calendar subscribe new")
    new_url = feed_url_in(renewed)
    assert new_url != url
    assert (await fetch(url))[0] == 404
    assert (await fetch(new_url))[0] == 200


async def test_calendar_file_in_the_team_room(office: Office) -> None:
    """``!calendar`` in the team room uploads an .ics file with every committee's meetings."""
    anna, bot = office.anna, office.bot.user_id
    room = await office.room_with_bot(anna, "Steuerungsgruppe")
    await anna.ask(room, '!committee new "Steuerungsgruppe" kurz=SG')
    uid = await plan_a_meeting(office, room, days_ahead=20)

    before = len(files_from_bot(anna, office.team_room, bot))
    answer = await anna.ask(office.team_room, "!calendar")
    assert "1 upcoming meeting of all committees" in answer.body
    await anna.wait_until(lambda: len(files_from_bot(anna, office.team_room, bot)) > before)
    upload = files_from_bot(anna, office.team_room, bot)[-1]
    assert re.fullmatch(r"calendar-all-\d{4}-\d{2}-\d{2}\.ics", upload.body)
    assert upload.content["info"]["mimetype"] == "text/calendar"

    download = await anna.client.download(mxc=upload.content["url"])
    assert isinstance(download, MemoryDownloadResponse)
    calendar = icalendar.Calendar.from_ical(bytes(download.body))
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [uid]
    assert "off" in (await anna.ask(room, "!calendar subscribe")).body  # feed not enabled
