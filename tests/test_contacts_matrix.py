"""The contact network over Matrix: the team records and finds contacts in its room; a
committee room and a non-team user get a refusal that gives nothing away."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.database import Database
from storage.repositories import Store
from storage.vocabulary import FIELD, TARGET_GROUP
from tests.support.matrix import Office

pytestmark = pytest.mark.synapse

EMAIL = "m.mueller@gap-herford.de"


async def record_maria(office: Office) -> int:
    """Anna records Maria Müller through the chat; returns her number."""
    reply = await office.anna.ask(
        office.team_room,
        '!contact new "Maria Müller" org="Gymnasium Am Park" funktion=Schulsozialarbeit '
        f'email={EMAIL} felder="ÜSB" gemeinde=Herford',
    )
    assert reply.body.startswith("Contact No. "), reply.body
    return int(reply.body.removeprefix("Contact No. ").split()[0])


def database_of(office: Office) -> Database:
    assert office.bot.bot is not None
    return office.bot.bot.database


@pytest.mark.every_backend
async def test_the_team_records_a_contact_and_finds_it_despite_typos(office: Office) -> None:
    """Anna records Maria, finds her as "Mueller" and "Schulsozialarbiet", and sees her e-mail
    on the full card in the team room."""
    number = await record_maria(office)
    anna = office.anna
    by_name = await anna.ask(office.team_room, "!contact Mueller")
    assert f"No. {number} · Maria Müller" in by_name.body
    by_function = await anna.ask(office.team_room, "!kontakt Schulsozialarbiet")
    assert "Maria Müller" in by_function.body
    card = await anna.ask(office.team_room, f"!contact {number}")
    assert f"E-mail: {EMAIL}" in card.body
    assert "<strong>" in card.html and "Legal basis: public task" in card.body


async def test_outside_the_team_nothing_about_a_contact_leaks(office: Office) -> None:
    """!kontakt Müller in a committee room, and from Bernd (no team member) in a direct chat,
    is refused; neither reply names the person or shows the e-mail."""
    await record_maria(office)
    anna, bernd = office.anna, await office.people.person("bernd")
    committee = await office.room_with_bot(anna, "Bildungsbeirat", members=[bernd])
    direct = await bernd.create_room("", invite=[office.bot.user_id], direct=True)
    await bernd.wait_until(lambda: bernd.is_joined(direct, office.bot.user_id))

    in_committee = await anna.ask(committee, "!kontakt Müller")
    from_bernd = await bernd.ask(direct, "!kontakt Müller")
    assert "is not allowed here" in in_committee.body
    assert "only for the team" in from_bernd.body
    for reply in (in_committee, from_bernd):
        for secret in ("Maria", "Müller", EMAIL, "Gymnasium"):
            assert secret not in reply.body and secret not in reply.html


async def test_long_search_results_come_in_pages(office: Office) -> None:
    """Twelve Schmidts: ten and "… and 2 more" with the next command; seite=2 the rest."""
    async with database_of(office).session() as session:
        store = Store(session)
        for number in range(12):
            await store.contacts.add_person(
                datetime.now(UTC), f"Petra Schmidt{number:02}", email=f"p{number}@schule.de"
            )
    first = await office.anna.ask(office.team_room, "!contact schmidt")
    assert first.body.startswith("12 hits for schmidt:")
    assert first.body.count("• ") == 10
    assert "… and 2 more. Next page: `!contact schmidt seite=2`" in first.body
    second = await office.anna.ask(office.team_room, "!contact schmidt seite=2")
    assert second.body.count("• ") == 2 and "more" not in second.body


async def test_who_groups_by_organisation_and_offers_filter_by_target_group(
    office: Office,
) -> None:
    """!who ÜSB lists people under their organisations; !offer zielgruppe=Eltern filters."""
    await record_maria(office)
    async with database_of(office).session() as session:
        store = Store(session)
        now = datetime.now(UTC)
        usb = await store.vocabulary.match(FIELD, "ÜSB")
        parents = await store.vocabulary.match(TARGET_GROUP, "Eltern")
        pupils = await store.vocabulary.match(TARGET_GROUP, "Schüler")
        assert usb and parents and pupils
        agency = await store.contacts.add_organization(
            now, "Agentur für Arbeit", fields=[usb], gemeinde="Herford"
        )
        olaf = await store.contacts.add_person(now, "Olaf Berater")
        await store.contacts.link(olaf, agency, "Berufsberatung")
        await store.contacts.add_offer(now, "Elternabend Berufswahl", agency, [usb], [parents])
        await store.contacts.add_offer(now, "Bewerbungstraining", agency, [usb], [pupils])

    who = await office.anna.ask(office.team_room, "!who ÜSB")
    lines = who.body.splitlines()
    assert lines[0] == "2 persons for transition school–work:"
    assert lines[1].startswith("• Agentur für Arbeit: No. ") and "Olaf Berater" in lines[1]
    assert lines[2].startswith("• Gymnasium Am Park: No. ") and "Maria Müller" in lines[2]

    offers = await office.anna.ask(office.team_room, "!offer zielgruppe=Eltern")
    assert "1 offer found:" in offers.body and "Elternabend Berufswahl" in offers.body
    assert "Bewerbungstraining" not in offers.body


async def test_a_question_by_name_is_answered_like_the_command(office: Office) -> None:
    """A question to the bot by mention ("@Kümmerer who is responsible for ÜSB?") answers like
    !who ÜSB; a sentence ending in the bot's name that it cannot map gets suggestions."""
    await record_maria(office)
    anna, bot_id = office.anna, office.bot.user_id
    pill = f'<a href="https://matrix.to/#/{bot_id}">Kümmerer</a>: who is responsible for ÜSB?'
    asked = await anna.ask(
        office.team_room,
        "Kümmerer: who is responsible for ÜSB?",
        content={"format": "org.matrix.custom.html", "formatted_body": pill},
    )
    typed = await anna.ask(office.team_room, "!who ÜSB")
    assert "Maria Müller" in asked.body and asked.body == typed.body
    localpart = bot_id.split(":")[0].lstrip("@")
    puzzled = await anna.ask(office.team_room, f"is the coffee ready, {localpart}?")
    assert puzzled.body.startswith("I did not understand that question.")
