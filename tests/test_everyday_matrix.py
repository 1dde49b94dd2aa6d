"""Everyday use through Synapse, as the office writes: without quotes, with a bare "!", with
dates as spoken; each answer says how the input was read."""

from __future__ import annotations

import pytest

from tests.conftest import Office

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
