"""Everyday use through Synapse, as the office writes: without quotes, with a bare "!", with
dates as spoken; each answer says how the input was read."""

from __future__ import annotations

import pytest

from tests.support.matrix import Office

pytestmark = [pytest.mark.synapse, pytest.mark.german]

JANA = (
    "!kontakt neu Jana Krüger org=Volkshochschule Musterland "
    "funktion=Fachbereichsleitung Sprachen tel=05555 1234-56 gemeinde=Neustadt am See "
    "quelle=Netzwerktreffen 11/2026"
)


async def test_a_contact_written_without_quotes_is_stored_as_meant(office: Office) -> None:
    """Anna records Jana Krüger as she would say it; the card shows the right name, phone and
    municipality, and a changed phone with a space is taken whole."""
    anna = office.anna
    created = await anna.ask(office.team_room, JANA)
    assert created.body.startswith("Kontakt Nr. 1 angelegt: Nr. 1 · Jana Krüger"), created.body
    await anna.ask(office.team_room, "!kontakt ändern 1 tel=05555 2296")
    card = await anna.ask(office.team_room, "!kontakt 1")
    assert "05555 2296" in card.body and "Neustadt am See" in card.body, card.body
    assert "Sprachen 1234-56" not in card.body
    doubled = await anna.ask(office.team_room, "!kontakt neu Jan Kurz tel=1 tel=2")
    assert "`tel=` ist doppelt angegeben." in doubled.body


async def test_doubtful_input_is_refused_in_chat_and_invisible_characters_vanish(
    office: Office,
) -> None:
    """A 60,000-character name and an empty name= are refused with a sentence and nothing is
    stored; a name pasted with a zero-width space is found by its visible spelling."""
    anna, team = office.anna, office.team_room
    huge = await anna.ask(team, "!kontakt neu " + "J" * 60_000)
    assert "Der Text ist zu lang" in huge.body and "Verwendung:" in huge.body, huge.body[:300]
    empty = await anna.ask(team, "!kontakt ändern 1 name=")
    assert "`name=` hat keinen Wert." in empty.body, empty.body
    pasted = await anna.ask(team, "!kontakt neu Jana Kr\u200büger")
    assert pasted.body.startswith("Kontakt Nr. 1 angelegt: Nr. 1 · Jana Krüger"), pasted.body
    found = await anna.ask(team, "!kontakt Jana Krüger")
    assert "Nr. 1 · Jana Krüger" in found.body, found.body


async def test_a_question_to_the_bot_by_name_is_answered_in_any_room(office: Office) -> None:
    """With the bot named "Kümmerer" in Matrix, "Kümmerer, wann tagt der Bildungsbeirat?" in
    the committee room gets the meetings, "wer ist für Ganztag zuständig, Kümmerer?" in the
    team room the responsible people, and a question it cannot read the closest commands."""
    anna = office.anna
    assert office.bot.bot is not None
    await office.bot.bot.gateway.client.set_displayname("Kümmerer")
    room = await office.room_with_bot(anna, "Bildungsbeirat")
    await anna.ask(room, "!gremium neu Bildungsbeirat")
    await anna.ask(room, "!sitzung neu 12.03.2027 14:00")
    meetings = await anna.ask(room, "Kümmerer, wann tagt der Bildungsbeirat?")
    assert "Fr, 12.03.2027" in meetings.body, meetings.body
    await anna.ask(office.team_room, "!kontakt neu Jana Krüger felder=Ganztag")
    who = await anna.ask(office.team_room, "wer ist bei uns für Ganztag zuständig, Kümmerer?")
    assert "Jana Krüger" in who.body, who.body
    unknown = await anna.ask(room, "Kümmerer, wo finde ich die Termine als Kalenderdatei?")
    assert unknown.body.startswith("Diese Frage habe ich nicht verstanden."), unknown.body
    assert "!kalender" in unknown.body


async def test_a_bare_prefix_and_a_spaced_command_get_the_help(office: Office) -> None:
    """ "!" alone and "! hilfe" are answered with the help instead of silence."""
    anna = office.anna
    bare = await anna.ask(office.team_room, "!")
    spaced = await anna.ask(office.team_room, "! hilfe")
    assert "!hilfe" in bare.body and bare.body == spaced.body


async def test_a_spoken_time_is_echoed_with_how_it_was_read(office: Office) -> None:
    """A reminder "übermorgen um halb drei" says it took the afternoon and the relative day."""
    anna = office.anna
    answer = await anna.ask(
        office.team_room, "!erinnerung übermorgen um halb drei: Rückruf Schulamt"
    )
    assert "Als Nachmittag verstanden:" in answer.body and "(übermorgen)" in answer.body
    assert "14:30 Uhr" in answer.body


async def test_a_double_booking_and_the_clock_change_are_said_in_the_committee_room(
    office: Office,
) -> None:
    """In the Beirat's room a second meeting at the same hour is planned with a warning naming
    the first; 02:30 on the spring night is moved to 03:30 and the reply says so; 02:30 on the
    autumn night says it took summer time and how to ask for winter time."""
    anna = office.anna
    room = await office.room_with_bot(anna, "Bildungsbeirat")
    await anna.ask(room, "!gremium neu Bildungsbeirat")
    await anna.ask(room, "!sitzung neu 12.03.2027 14:00")
    twice = await anna.ask(room, "!sitzung neu 12.03.2027 15:00")
    assert twice.body.startswith("Sitzung Nr. 2 (Bildungsbeirat) angelegt"), twice.body
    assert "überschneidet sich mit Sitzung Nr. 1" in twice.body, twice.body
    spring = await anna.ask(room, "!sitzung neu 28.03.2027 02:30")
    assert "02:30 Uhr gibt es am 28.03.2027 nicht" in spring.body, spring.body
    assert "03:30 Uhr" in spring.body
    autumn = await anna.ask(office.team_room, "!erinnerung 31.10.2027 02:30: Heizung prüfen")
    assert "Genommen: die erste (Sommerzeit)" in autumn.body, autumn.body
    assert "„Winterzeit“" in autumn.body


@pytest.mark.anna_admin
async def test_the_audit_log_and_the_network_read_as_written_for_people(office: Office) -> None:
    """!audit in the team room lists the change before the creation, in German, with the
    contact's name, Anna's display name and the name of the room the bot joined; !netzwerk
    names a field without offers in a municipality instead of field × target-group noise."""
    anna = office.anna
    await anna.client.set_displayname("Anna Schulz")
    team = office.team_room
    vhs = await anna.ask(
        team, "!organisation neu VHS art=sonstige felder=Sprachbildung gemeinde=Neustadt"
    )
    assert vhs.body.startswith("Organisation Nr. 1 angelegt"), vhs.body
    await anna.ask(
        team, "!organisation neu Schule Altdorf art=sonstige felder=Sprachbildung gemeinde=Altdorf"
    )
    course = await anna.ask(
        team, "!angebot neu Deutschkurs träger=VHS feld=Sprachbildung zielgruppe=Eltern ort=VHS"
    )
    assert course.body.startswith("Angebot Nr. 1 angelegt"), course.body
    await anna.ask(office.team_room, "!kontakt neu Jana Krüger")
    await anna.ask(office.team_room, "!kontakt ändern 1 tel=05555 2296")
    await office.room_with_bot(anna, "Bildungsbeirat")
    log = await anna.ask(office.team_room, "!audit")
    lines = log.body.splitlines()
    assert lines[0] == "Audit-Protokoll, neueste zuerst:", log.body
    changed = next(
        i for i, line in enumerate(lines) if "geändert: Kontakt Nr. 1 Jana Krüger" in line
    )
    created = next(
        i for i, line in enumerate(lines) if "angelegt: Kontakt Nr. 1 Jana Krüger" in line
    )
    assert changed < created
    assert "Anna Schulz" in lines[changed] and anna.user_id not in log.body
    assert "Einladung angenommen, Raum beigetreten: Raum „Bildungsbeirat“" in log.body, log.body
    network = await anna.ask(office.team_room, "!netzwerk")
    assert "Sprachbildung: keine in Altdorf" in network.body, network.body
    assert "Kinder 0–6" not in network.body
