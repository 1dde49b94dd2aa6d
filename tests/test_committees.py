"""Committees through the real dispatcher on a migrated SQLite: binding a room, the committee's
card, the list of all committees, settings, seats, and ``!wer <Gremium>``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commands.framework.registry import Role, RoomKind
from commands.meetings.schedule import MeetingReminder
from storage.database import Database
from storage.models import Meeting
from tests.support.desk import Desk
from tests.support.names import BERND
from tests.support.storage_reads import active_entries

BEIRAT = "!beirat:localhost"
STEUERUNG = "!steuerung:localhost"
MARIA = "@maria:localhost"
NEXT_MEETING = datetime(2027, 3, 17, 13, 0, tzinfo=UTC)  # Wed, 14:00 in Berlin


class CommitteeDesk(Desk):
    """Anna's desk, plus the people and rooms of the committee tests."""

    async def in_beirat(self, command: str, role: Role = Role.TEAM, sender: str = "") -> str:
        """``command`` typed into the Bildungsbeirat's room."""
        return await self.ask(
            command, role, RoomKind.GROUP, sender or "@anna:localhost", room_id=BEIRAT
        )

    async def set_up_beirat(self) -> str:
        return await self.in_beirat('!committee new "Bildungsbeirat" kurz=BB')

    async def plan_meeting(self, start: datetime, status: str = "scheduled") -> int:
        """A meeting row as the meeting commands would write it; returns its number."""
        async with self.store() as store:
            committee = await store.committees.for_room(BEIRAT)
            assert committee is not None
            meeting = Meeting(
                committee_id=committee.id,
                uid=f"meeting-{start:%Y%m%d%H%M}@test",
                start=start,
                end=start + timedelta(hours=2),
                place="Kreishaus",
                status=status,
                created_at=self.clock.now(),
                updated_at=self.clock.now(),
            )
            store.session.add(meeting)
            await store.session.flush()
            return meeting.id


@pytest.fixture
def committee_desk(database: Database) -> CommitteeDesk:
    return CommitteeDesk(database)


# --------------------------------------------------------------------------- !gremium neu


async def test_a_team_member_binds_the_room_with_the_configured_defaults(
    committee_desk: CommitteeDesk,
) -> None:
    """!committee new in a committee room creates the committee, guesses the kind from the
    name, takes the calendar defaults, echoes them and logs the creation."""
    answer = await committee_desk.set_up_beirat()
    assert answer.startswith("This room is now the room of the committee Bildungsbeirat (BB).")
    for line in (
        "Kind: advisory board",
        "Notice period: 14 days",
        "Agenda items due: 7 days before the meeting",
        "Usual length: 2 hours",
        "Usual place: –",
        "Reminders before a meeting: 7 days, 1 day",
        "@room in announcements: no",
    ):
        assert line in answer
    assert "`!committee member @…:… rolle=Vorsitz`" in answer
    created = [(e.action, e.object_type, e.object_id) for e in await committee_desk.audit()]
    assert ("create", "committee", "1") in created


async def test_every_setting_can_be_given_when_binding(committee_desk: CommitteeDesk) -> None:
    """Kind, notice period, item deadline, length, place and @room are stored as given, in
    German spellings as well as English keys."""
    answer = await committee_desk.in_beirat(
        '!gremium neu "AG Übergang Schule–Beruf" short="AG ÜSB" art=Steuerungsgruppe '
        'ladungsfrist=3w top_frist=10 dauer=1,5h ort="Kreishaus, Raum 101" raum_erwähnen=ja'
    )
    assert "committee AG Übergang Schule–Beruf (AG ÜSB)." in answer
    for line in (
        "Kind: steering group",
        "Notice period: 21 days",
        "Agenda items due: 10 days before the meeting",
        "Usual length: 1 hour 30 minutes",
        "Usual place: Kreishaus, Raum 101",
        "@room in announcements: yes",
    ):
        assert line in answer


async def test_a_fresh_room_that_looks_direct_can_be_bound(committee_desk: CommitteeDesk) -> None:
    """A new room with only Anna and the bot counts as a direct chat until it is bound."""
    answer = await committee_desk.ask(
        '!committee new "Steuerungsgruppe"', room=RoomKind.DIRECT, room_id=STEUERUNG
    )
    assert "room of the committee Steuerungsgruppe." in answer
    assert "Kind: steering group" in answer


async def test_the_team_room_is_never_bound(committee_desk: CommitteeDesk) -> None:
    """!committee new in the team room is refused with where to type it instead."""
    answer = await committee_desk.ask('!committee new "Bildungsbeirat"')
    assert answer.startswith("`!committee new` is not allowed here; use it in committee rooms")
    assert "No committee is set up yet" in await committee_desk.ask("!committees")


async def test_a_room_holds_one_committee_and_a_name_one_committee(
    committee_desk: CommitteeDesk,
) -> None:
    """A second binding of the same room names the committee already there; another room
    cannot take a name or short name that is in use, in any spelling."""
    await committee_desk.set_up_beirat()
    again = await committee_desk.in_beirat('!committee new "Steuerungsgruppe"')
    assert again.startswith(
        "This room already belongs to the committee Bildungsbeirat (BB): one room, one committee."
    )
    for taken in ('"bildungsbeirat"', '"Steuerungsgruppe" kurz=bb'):
        answer = await committee_desk.ask(
            f"!committee new {taken}", room=RoomKind.GROUP, room_id=STEUERUNG
        )
        assert "is already taken by the committee Bildungsbeirat (BB)." in answer
    committees = await committee_desk.ask("!committees")
    assert committees.startswith("1 committee:")


# The role is checked before any SQL.
@pytest.mark.backend_neutral
async def test_only_the_team_sets_up_a_committee(committee_desk: CommitteeDesk) -> None:
    """An organiser of a room (not in the team) cannot bind it."""
    answer = await committee_desk.in_beirat('!committee new "X"', role=Role.ORGANIZER)
    assert "`!committee new` is only for the team" in answer


# The converters refuse the settings before anything is stored.
@pytest.mark.backend_neutral
async def test_wrong_settings_are_explained(committee_desk: CommitteeDesk) -> None:
    """A length that is none, an unknown kind and a "maybe" are refused with how to write
    them."""
    answers = [
        await committee_desk.in_beirat('!committee new "X" dauer=lang'),
        await committee_desk.in_beirat('!committee new "X" art=Verein'),
        await committee_desk.in_beirat('!committee new "X" raum_erwaehnen=vielleicht'),
        await committee_desk.in_beirat('!committee new "X" ladungsfrist=viele'),
    ]
    assert "`lang` is not a meeting length. Write it like 2h, 1,5h or 90min." in answers[0]
    assert (
        "Unknown kind of committee `Verein`. Possible kinds: advisory board, steering group, "
        "working group, committee." in answers[1]
    )
    assert "`vielleicht` is neither yes nor no." in answers[2]
    assert "`viele` is not a number of days." in answers[3]
    assert all("Usage: `!committee new <name…>" in answer for answer in answers)


# --------------------------------------------------------------------------- !gremium, !gremien


async def test_a_member_sees_the_committee_card_without_contact_data(
    committee_desk: CommitteeDesk,
) -> None:
    """Bernd (member) sees name, kind, next meeting, upcoming count and the seats with roles
    in the room; Maria's e-mail never appears there."""
    await committee_desk.set_up_beirat()
    await committee_desk.ask(
        f'!contact new "Maria Müller" org="Gymnasium Am Park" funktion=Schulleitung '
        f"email=m.mueller@gap.de matrix={MARIA}"
    )
    await committee_desk.in_beirat("!committee member 1 rolle=deputy")
    await committee_desk.in_beirat(f"!committee member {BERND} rolle=Vorsitz")
    meeting = await committee_desk.plan_meeting(NEXT_MEETING)
    await committee_desk.plan_meeting(NEXT_MEETING + timedelta(days=28))
    await committee_desk.plan_meeting(NEXT_MEETING + timedelta(days=7), status="cancelled")

    card = await committee_desk.in_beirat("!committee", role=Role.MEMBER, sender=BERND)
    assert card.startswith("Committee Bildungsbeirat (BB)")
    assert f"Next meeting: No. {meeting}, Wed, 17 Mar 2027, 14:00, Kreishaus" in card
    assert "Upcoming meetings: 2" in card
    assert "Kind: advisory board" in card
    members = card[card.index("2 members:") :]
    assert members.index(f"{BERND} – chair") < members.index(
        "Maria Müller (Gymnasium Am Park, Schulleitung) – deputy chair"
    )
    assert "m.mueller@gap.de" not in card and "No. 1 Maria" not in card


async def test_outside_a_committee_room_the_card_points_to_the_list(
    committee_desk: CommitteeDesk,
) -> None:
    """!committee in a room without committee says so and names !committees."""
    answer = await committee_desk.ask("!committee", room=RoomKind.DIRECT, room_id="!dm:localhost")
    assert answer.startswith("This room belongs to no committee. `!committees` lists all")


async def test_the_team_asks_for_a_committee_by_name_only_outside_committee_rooms(
    committee_desk: CommitteeDesk,
) -> None:
    """In the team room !committee BB shows the Bildungsbeirat; in a committee room a name is
    refused, so members never see another committee; an unknown name points to the list."""
    await committee_desk.set_up_beirat()
    assert (await committee_desk.ask("!committee bb")).startswith("Committee Bildungsbeirat (BB)")
    refused = await committee_desk.in_beirat("!committee Steuerungsgruppe", role=Role.MEMBER)
    assert "shows this room's committee only" in refused
    unknown = await committee_desk.ask("!committee Jugendhilfeausschuss")
    assert "There is no committee Jugendhilfeausschuss. `!committees` lists all" in unknown


async def test_the_list_shows_every_committee_with_members_and_next_meeting(
    committee_desk: CommitteeDesk,
) -> None:
    """!committees: kind, short name, member count and next meeting (or none planned)."""
    await committee_desk.set_up_beirat()
    await committee_desk.ask('!committee new "AG Ganztag"', room=RoomKind.GROUP, room_id=STEUERUNG)
    await committee_desk.in_beirat(f"!committee member {BERND}")
    meeting = await committee_desk.plan_meeting(NEXT_MEETING)
    answer = await committee_desk.ask("!committees")
    assert answer.startswith("2 committees:")
    assert "AG Ganztag · working group · 0 members · no meeting planned" in answer
    assert (
        f"Bildungsbeirat (BB) · advisory board · 1 member · next meeting: No. {meeting}, "
        "Wed, 17 Mar 2027, 14:00, Kreishaus" in answer
    )
    refused = await committee_desk.in_beirat("!committees")
    assert "is not allowed here" in refused


# --------------------------------------------------------------------------- !gremium ändern


async def test_an_organiser_changes_settings_and_the_answer_lists_what_changed(
    committee_desk: CommitteeDesk,
) -> None:
    """Only the given settings change; the answer shows old → new, the audit the field names."""
    await committee_desk.set_up_beirat()
    answer = await committee_desk.in_beirat(
        '!committee change ladungsfrist=21 erinnerungen="2 Tage, 1h" ort="Kreishaus" '
        "raum_erwaehnen=yes kurz=-",
        role=Role.ORGANIZER,
        sender=BERND,
    )
    assert answer.startswith("Committee Bildungsbeirat changed:")
    for line in (
        "Short name: BB → –",
        "Notice period: 14 days → 21 days",
        "Usual place: – → Kreishaus",
        "Reminders before a meeting: 7 days, 1 day → 2 days, 1 hour",
        "@room in announcements: no → yes",
    ):
        assert line in answer
    assert "Kind" not in answer
    update = (await committee_desk.audit())[-1]
    assert (update.action, update.object_type, update.actor) == ("update", "committee", BERND)
    assert update.detail == (
        "short_name,notice_days,default_place,reminder_offsets_minutes,allow_room_mention"
    )


async def test_a_change_without_news_is_explained(committee_desk: CommitteeDesk) -> None:
    """No option, or only the values already stored, change nothing and say so."""
    await committee_desk.set_up_beirat()
    assert "Nothing to change. Give what is new, e.g. `!committee change ladungsfrist=21`." in (
        await committee_desk.in_beirat("!gremium aendern")
    )
    assert "Nothing changed: the committee Bildungsbeirat (BB) already reads like that." in (
        await committee_desk.in_beirat("!committee change ladungsfrist=14 dauer=120min")
    )


async def test_renaming_keeps_names_unique(committee_desk: CommitteeDesk) -> None:
    """A rename to another committee's name is refused; a new name is found by !who."""
    await committee_desk.set_up_beirat()
    await committee_desk.ask('!committee new "AG Ganztag"', room=RoomKind.GROUP, room_id=STEUERUNG)
    refused = await committee_desk.in_beirat('!committee change name="AG Ganztag"')
    assert "AG Ganztag is already taken by the committee AG Ganztag." in refused
    renamed = await committee_desk.in_beirat('!committee change name="Bildungsbeirat Musterland"')
    assert "Name: Bildungsbeirat → Bildungsbeirat Musterland" in renamed
    assert "Bildungsbeirat Musterland (BB)" in await committee_desk.ask(
        "!who bildungsbeirat musterland"
    )


async def test_new_reminder_times_apply_to_meetings_already_planned(
    committee_desk: CommitteeDesk,
) -> None:
    """Changing erinnerungen rewrites the reminder entries of upcoming meetings: dropped
    offsets stop, new ones are scheduled, times already past are skipped."""
    await committee_desk.set_up_beirat()
    meeting = await committee_desk.plan_meeting(NEXT_MEETING)
    async with committee_desk.store() as store:
        for offset in (7 * 24 * 60, 24 * 60):
            reminder = MeetingReminder(meeting, offset)
            await store.schedule.put(
                entry_id=reminder.entry_id,
                kind=reminder.kind,
                first_at=NEXT_MEETING - reminder.offset,
                now=committee_desk.clock.now(),
                payload=reminder.to_payload(),
            )
    await committee_desk.in_beirat('!committee change erinnerungen="2w, 1d, 2h"')
    async with committee_desk.store() as store:
        week = await store.schedule.get(f"meeting:{meeting}:reminder:{7 * 24 * 60}")
        day = await store.schedule.get(f"meeting:{meeting}:reminder:{24 * 60}")
        hours = await store.schedule.get(f"meeting:{meeting}:reminder:120")
        fortnight = await store.schedule.get(f"meeting:{meeting}:reminder:{14 * 24 * 60}")
    assert week is not None and not week.active
    assert day is not None and day.active
    assert hours is not None and hours.active and hours.kind == "meeting.reminder"
    assert hours.first_at == NEXT_MEETING - timedelta(hours=2)
    assert hours.payload == {"meeting_id": meeting, "offset_minutes": 120}
    assert fortnight is None  # 3 Mar lies before today's 8 Mar


# Reading spellings; storing a changed setting is covered on PostgreSQL elsewhere in this file.
@pytest.mark.backend_neutral
@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("dauer=90", "2 hours → 1 hour 30 minutes"),
        ("dauer=90min", "2 hours → 1 hour 30 minutes"),
        ("dauer=1,5h", "2 hours → 1 hour 30 minutes"),
        ("dauer=1:45", "2 hours → 1 hour 45 minutes"),
        ("dauer=1h30", "2 hours → 1 hour 30 minutes"),
        ('dauer="3 Stunden"', "2 hours → 3 hours"),
        ("erinnerungen=-", "7 days, 1 day → none"),
        ('erinnerungen="1 Woche und 3 Tage"', "7 days, 1 day → 7 days, 3 days"),
        ("top_frist=2w", "7 days before the meeting → 14 days before the meeting"),
    ],
)
async def test_lengths_and_reminder_times_are_read_in_common_spellings(
    committee_desk: CommitteeDesk, written: str, shown: str
) -> None:
    """Durations, reminder lists and day counts are read as people write them."""
    await committee_desk.set_up_beirat()
    assert shown in await committee_desk.in_beirat(f"!committee change {written}")


# --------------------------------------------------------------------------- !gremium mitglied


async def test_an_organiser_adds_changes_and_removes_a_seat(committee_desk: CommitteeDesk) -> None:
    """An account without contact record gets a seat, a new role, and is removed again; each
    step is logged."""
    await committee_desk.set_up_beirat()
    added = await committee_desk.in_beirat(
        f"!committee member {BERND} rolle=Vorsitz", Role.ORGANIZER
    )
    assert added == f"{BERND} is now a member of the committee Bildungsbeirat (BB), as chair."
    changed = await committee_desk.in_beirat(
        f"!gremium mitglied {BERND} role=secretary", Role.ORGANIZER
    )
    assert changed == f"{BERND} now holds the role secretary in the committee Bildungsbeirat (BB)."
    removed = await committee_desk.in_beirat(f"!committee member remove {BERND}", Role.ORGANIZER)
    assert removed == f"{BERND} is no longer a member of the committee Bildungsbeirat (BB)."
    again = await committee_desk.in_beirat(f"!gremium mitglied entfernen {BERND}", Role.ORGANIZER)
    assert f"{BERND} has no seat in the committee Bildungsbeirat (BB)." in again
    actions = [(e.action, e.object_type) for e in await committee_desk.audit()][-3:]
    assert actions == [
        ("create", "committee_member"),
        ("update", "committee_member"),
        ("delete", "committee_member"),
    ]


async def test_a_member_sees_the_card_but_cannot_change_seats(
    committee_desk: CommitteeDesk,
) -> None:
    """Role MEMBER may use !committee, not !committee member."""
    await committee_desk.set_up_beirat()
    assert (await committee_desk.in_beirat("!committee", Role.MEMBER, BERND)).startswith(
        "Committee "
    )
    refused = await committee_desk.in_beirat(
        f"!committee member {BERND} rolle=Vorsitz", Role.MEMBER
    )
    assert refused.startswith("`!committee member` is only for organisers")


# The converter refuses the role before anything is stored.
@pytest.mark.backend_neutral
async def test_an_unknown_role_lists_the_valid_ones(committee_desk: CommitteeDesk) -> None:
    """rolle=Chef is refused with the four roles there are."""
    await committee_desk.set_up_beirat()
    answer = await committee_desk.in_beirat(f"!committee member {BERND} rolle=Chef")
    assert "Unknown role `Chef`. Possible roles: chair, deputy chair, member, secretary." in answer


async def test_a_member_must_be_named_once_and_correctly(committee_desk: CommitteeDesk) -> None:
    """No member, two members, or a name instead of an account are explained."""
    await committee_desk.set_up_beirat()
    for wrong in ("entfernen", f"{BERND} {MARIA}"):
        answer = await committee_desk.in_beirat(f"!committee member {wrong}")
        assert "Name one member: a contact number such as 12, or a Matrix user" in answer
    assert "`Bernd` is not a Matrix user." in await committee_desk.in_beirat(
        "!committee member Bernd"
    )
    assert "A member who is removed needs no role" in (
        await committee_desk.in_beirat(f"!committee member entfernen {BERND} rolle=chair")
    )


async def test_seats_link_to_contact_records(committee_desk: CommitteeDesk) -> None:
    """A contact number links the record (and its account); the same person named by the
    account later is the same seat; the contact card then lists the seat."""
    await committee_desk.set_up_beirat()
    await committee_desk.ask(f'!contact new "Maria Müller" org="Gymnasium Am Park" matrix={MARIA}')
    added = await committee_desk.in_beirat("!committee member 1")
    assert added.startswith("Maria Müller (Gymnasium Am Park) is now a member")
    again = await committee_desk.in_beirat(f"!committee member {MARIA} rolle=Vorsitz")
    assert again.startswith("Maria Müller (Gymnasium Am Park) now holds the role chair")
    card = await committee_desk.ask("!contact 1")
    assert "Memberships: Gymnasium Am Park; Bildungsbeirat (chair)" in card
    assert (await committee_desk.in_beirat("!committee")).count("Maria Müller") == 1


async def test_an_account_with_a_contact_record_is_linked_to_it(
    committee_desk: CommitteeDesk,
) -> None:
    """Adding @maria links the contact with that Matrix ID; an account without one is seated
    as the account, and the room is not told whether a contact record exists."""
    await committee_desk.set_up_beirat()
    await committee_desk.ask(f'!contact new "Maria Müller" matrix={MARIA}')
    assert (await committee_desk.in_beirat(f"!committee member {MARIA}")).startswith(
        "Maria Müller is"
    )
    bernd = await committee_desk.in_beirat(f"!committee member {BERND}")
    assert bernd == f"{BERND} is now a member of the committee Bildungsbeirat (BB)."


async def test_only_the_team_links_contact_numbers(committee_desk: CommitteeDesk) -> None:
    """An organiser outside the team cannot probe the contact network by number, and an
    unknown number is named."""
    await committee_desk.set_up_beirat()
    await committee_desk.ask('!contact new "Maria Müller"')
    refused = await committee_desk.in_beirat("!committee member 1", Role.ORGANIZER)
    assert refused.startswith("Only the team can link a contact number")
    assert "Maria" not in refused
    assert "There is no contact with No. 9." in await committee_desk.in_beirat(
        "!committee member 9"
    )


# --------------------------------------------------------------------------- !wer <Gremium>


async def test_who_lists_a_committees_members_chair_first(committee_desk: CommitteeDesk) -> None:
    """!who bildungsbeirat and !who BB list the seats with numbers and roles, chair first;
    the person's own entries elsewhere mention the seat."""
    await committee_desk.set_up_beirat()
    await committee_desk.ask(
        '!contact new "Maria Müller" org="Gymnasium Am Park" funktion=Schulleitung '
        "felder=Schule email=m.mueller@gap.de gemeinde=Herford"
    )
    await committee_desk.in_beirat(f"!committee member {BERND}")
    await committee_desk.in_beirat("!committee member 1 rolle=chair")
    for spelling in ("Bildungsbeirat", "bildungsbeirat", "BB", "bb"):
        answer = await committee_desk.ask(f"!who {spelling}")
        assert answer.startswith("2 members of the committee Bildungsbeirat (BB):")
        assert answer.index(
            "No. 1 Maria Müller (Gymnasium Am Park, Schulleitung) – chair"
        ) < answer.index(f"{BERND} – member")
        assert "m.mueller@gap.de" not in answer
    nobody = await committee_desk.ask("!who BB gemeinde=Bielefeld")
    assert nobody == "No member of the committee Bildungsbeirat (BB) is from Bielefeld."
    in_herford = await committee_desk.ask("!who BB gemeinde=herford")
    assert in_herford.startswith("1 member of the committee") and BERND not in in_herford
    by_field = await committee_desk.ask("!who Schule")
    assert "also: Bildungsbeirat (chair)" in by_field
    audit = (await committee_desk.audit())[-1]
    assert (audit.action, audit.object_type, audit.object_id) == ("search", "person", "*")


async def test_switching_reminders_off_stops_them_for_planned_and_new_meetings(
    committee_desk: CommitteeDesk,
) -> None:
    """erinnerungen=- means no reminders at all: planned ones stop, new meetings get none."""
    await committee_desk.set_up_beirat()
    await committee_desk.in_beirat("!meeting new 12.05.2027 14:00", role=Role.TEAM)
    await committee_desk.in_beirat("!committee change erinnerungen=-")
    await committee_desk.in_beirat("!meeting new 13.05.2027 14:00", role=Role.TEAM)
    async with committee_desk.store() as store:
        entries = await active_entries(store.session)
    assert [e.id for e in entries if e.kind == "meeting.reminder"] == []


async def test_a_longer_notice_period_moves_the_invitation_alert(
    committee_desk: CommitteeDesk,
) -> None:
    """ladungsfrist=28 moves the team's "invitation due" alert of a planned meeting earlier."""
    await committee_desk.set_up_beirat()
    await committee_desk.in_beirat("!meeting new 12.05.2027 14:00", role=Role.TEAM)
    async with committee_desk.store() as store:
        [meeting] = await store.committees.upcoming_meetings(
            await store.committees.for_room(BEIRAT),  # type: ignore[arg-type]
            committee_desk.clock.now(),
        )
        before = await store.schedule.get(f"meeting:{meeting.id}:invitation")
    await committee_desk.in_beirat("!committee change ladungsfrist=28")
    async with committee_desk.store() as store:
        after = await store.schedule.get(f"meeting:{meeting.id}:invitation")
    assert before is not None and after is not None and after.active
    assert before.first_at - after.first_at == timedelta(days=14)
