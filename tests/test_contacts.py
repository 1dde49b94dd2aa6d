"""The contact network's commands through the real dispatcher, on a migrated SQLite."""

from __future__ import annotations

import pytest

from commands.framework.registry import Role, RoomKind
from tests.support.desk import Desk

NEW_MARIA = (
    '!contact new "Maria Müller" titel=Dr. org="Gymnasium Am Park" funktion=Schulsozialarbeit '
    'email=m.mueller@gap.de tel="05221 59-1234" felder="ÜSB, Schule" gemeinde=Herford '
    'matrix=@maria:localhost notiz="dienstags erreichbar"'
)


# --------------------------------------------------------------------------- !kontakt neu


async def test_a_new_contact_is_recorded_with_organisation_fields_and_default_source(
    desk: Desk,
) -> None:
    """!contact new records the person, creates the unknown organisation and says both."""
    answer = await desk.ask(NEW_MARIA)
    assert answer.startswith("Contact No. 1 recorded: No. 1 · Dr. Maria Müller")
    assert "Gymnasium Am Park (Schulsozialarbeit)" in answer
    assert "transition school–work, school" in answer and "Herford" in answer
    assert "The organisation Gymnasium Am Park was new and has been recorded as No. 1 (other)" in (
        answer
    )
    card = await desk.ask("!contact 1")
    assert "Source: Matrix (@anna:localhost)" in card
    assert "Legal basis: public task" in card
    assert "Recorded: 8 Mar 2027" in card
    created = [(e.action, e.object_type, e.object_id) for e in await desk.audit()]
    assert ("create", "organization", "1") in created and ("create", "person", "1") in created


async def test_an_unknown_field_is_refused_with_the_known_fields(desk: Desk) -> None:
    """A misspelt field is named, and the answer lists the fields there are."""
    answer = await desk.ask('!contact new "Jan Kurz" felder="Schule, Schulsozialarbiet"')
    assert "Unknown field `Schulsozialarbiet`." in answer
    assert "Known fields: early childhood education, school," in answer and "BNE" not in answer
    assert "Usage: `!contact new <name…>" in answer
    assert "There is no contact with No. 1" in await desk.ask("!contact 1")


async def test_a_duplicate_is_refused_with_the_existing_number(desk: Desk) -> None:
    """The same e-mail, or the same name in the same organisation, is not recorded twice."""
    await desk.ask(NEW_MARIA)
    same_mail = await desk.ask('!contact new "M. Müller" email=M.Mueller@gap.de')
    assert "Dr. Maria Müller is already recorded as No. 1" in same_mail
    assert "`!contact change 1 …`" in same_mail
    same_place = await desk.ask('!kontakt neu "maria mueller" org=1')
    assert "already recorded as No. 1" in same_place
    elsewhere = await desk.ask('!kontakt neu "Maria Müller" org="VHS Kreis Herford"')
    assert elsewhere.startswith("Contact No. 2 recorded")


# The converters refuse the options before anything is stored.
@pytest.mark.backend_neutral
async def test_bad_options_are_explained(desk: Desk) -> None:
    """Unknown keys, a malformed e-mail and a function without organisation are refused."""
    assert "Unknown option `farbe=`" in await desk.ask('!contact new "A B" farbe=rot')
    assert "is not an e-mail address" in await desk.ask('!contact new "A B" email=ab@')
    assert "is not a phone number" in await desk.ask('!contact new "A B" tel=abc')
    assert "A function belongs to an organisation" in await desk.ask(
        '!contact new "A B" funktion=Leitung'
    )
    assert "There is no organisation with No. 7" in await desk.ask('!contact new "A B" org=7')


async def test_consent_needs_a_day_that_is_not_in_the_future(desk: Desk) -> None:
    """legal_basis=consent needs consent_date=, which may not lie ahead; then the card shows it."""
    assert "Consent needs the day it was given" in await desk.ask(
        '!contact new "Eva Ess" rechtsgrundlage=einwilligung'
    )
    assert "is still to come" in await desk.ask(
        '!contact new "Eva Ess" einwilligung_am=01.04.2027'
    )
    assert "Unknown legal basis" in await desk.ask('!contact new "Eva Ess" legal_basis=maybe')
    await desk.ask(
        '!contact new "Eva Ess" rechtsgrundlage=Einwilligung einwilligung_am=01.03.2027'
    )
    assert "Legal basis: consent of 1 Mar 2027" in await desk.ask("!contact 1")


# --------------------------------------------------------------------------- !kontakt <nr>


async def test_the_full_card_shows_everything_stored_and_is_audited(desk: Desk) -> None:
    """!contact 1 shows e-mail, phone, Matrix id, notes and data-protection facts; logged."""
    await desk.ask(NEW_MARIA)
    card = await desk.ask("!contact 1")
    for line in (
        "Contact No. 1: Dr. Maria Müller",
        "Memberships: Gymnasium Am Park (Schulsozialarbeit)",
        "E-mail: m.mueller@gap.de",
        "Phone: 05221 59-1234",
        "Matrix ID: @maria:localhost",
        "Notes: dienstags erreichbar",
        "Last activity: –",
        "`!contact change 1 …`",
    ):
        assert line in card
    assert ("view", "person", "1") in [
        (e.action, e.object_type, e.object_id) for e in await desk.audit()
    ]


async def test_an_unknown_number_says_how_to_search(desk: Desk) -> None:
    """!contact 99 names the number and the search command."""
    answer = await desk.ask("!kontakt Nr. 99")
    assert "There is no contact with No. 99. `!contact <…>` searches by name." in answer


# --------------------------------------------------------------------------- !kontakt ändern


async def test_a_change_shows_old_and_new_but_never_personal_values(desk: Desk) -> None:
    """Non-personal fields show old → new; personal ones only "changed"; audit names fields."""
    await desk.ask(NEW_MARIA)
    answer = await desk.ask('!kontakt aendern 1 tel="05221 59-9999" gemeinde=Bünde notiz=-')
    assert "Contact No. 1 changed:" in answer
    assert "Municipality: Herford → Bünde" in answer
    assert "Phone changed" in answer and "Notes changed" in answer
    assert "9999" not in answer and "1234" not in answer and "dienstags" not in answer
    card = await desk.ask("!contact 1")
    assert "Phone: 05221 59-9999" in card and "Notes: –" in card
    update = [e for e in await desk.audit() if e.action == "update"]
    assert [(e.object_id, e.detail) for e in update] == [("1", "gemeinde,phone,notes")]


async def test_a_change_of_organisation_function_fields_and_consent(desk: Desk) -> None:
    """org= adds an employer, funktion= alone changes the only function, consent is dated."""
    await desk.ask('!contact new "Jan Kurz" org="VHS Kreis Herford" funktion=Dozent')
    answer = await desk.ask("!contact change 1 funktion=Fachbereichsleitung felder=Weiterbildung")
    assert "Memberships: VHS Kreis Herford (Dozent) → VHS Kreis Herford (Fachbereichsleitung)" in (
        answer
    )
    assert "Fields: – → further education" in answer
    answer = await desk.ask(
        '!contact change 1 org="Kita Sonnenschein" legal_basis=consent consent_date=2.3.2027'
    )
    assert "The organisation Kita Sonnenschein was new" in answer
    assert "Legal basis: public task → consent of 2 Mar 2027" in answer
    assert "works for 2 organisations" in await desk.ask("!contact change 1 funktion=Leitung")
    withdrawn = await desk.ask("!contact change 1 rechtsgrundlage=widerrufen")
    assert "consent of 2 Mar 2027, withdrawn on 8 Mar 2027" in withdrawn


async def test_a_change_may_not_make_a_duplicate_or_be_empty(desk: Desk) -> None:
    """Another contact's e-mail is refused; no option, or no difference, is said so."""
    await desk.ask(NEW_MARIA)
    await desk.ask('!contact new "Jan Kurz" email=jan@vhs.de')
    assert "already recorded as No. 1" in await desk.ask(
        "!contact change 2 email=m.mueller@gap.de"
    )
    assert "Nothing to change" in await desk.ask("!contact change 2")
    assert "Nothing changed: contact No. 2 already reads like that." in await desk.ask(
        "!contact change 2 email=jan@vhs.de"
    )
    assert "There is no contact with No. 5" in await desk.ask("!contact change 5 tel=12345")


# --------------------------------------------------------------------------- search and paging


async def test_a_search_finds_spelling_variants_and_is_audited_without_the_query(
    desk: Desk,
) -> None:
    """!contact Mueller finds Müller; the audit entry is a bulk view with no query text."""
    await desk.ask(NEW_MARIA)
    answer = await desk.ask("!contact Mueller")
    assert "Dr. Maria Müller" in answer and "m.mueller@gap.de" in answer
    searches = [e for e in await desk.audit() if e.action == "search"]
    assert [(e.object_type, e.object_id, e.detail) for e in searches] == [("person", "*", "")]


async def test_a_search_without_hit_suggests_who_and_new(desk: Desk) -> None:
    """No hit: the answer says so and points to !who and !contact new."""
    answer = await desk.ask("!contact Zwzwzw")
    assert "No contact or organisation matches Zwzwzw." in answer
    assert "`!who <…>`" in answer and '`!contact new "…"`' in answer


async def test_long_results_come_in_pages(desk: Desk) -> None:
    """12 hits: ten, "… and 2 more" with the next page's command; page 2 the rest; 3 refused."""
    for number in range(12):
        await desk.ask(f'!contact new "Petra Schmidt{number:02}" email=p{number}@schule.de')
    first = await desk.ask("!contact schmidt")
    assert first.startswith("12 hits for schmidt:")
    assert first.count("• ") == 10
    assert "… and 2 more. Next page: `!contact schmidt seite=2`" in first
    second = await desk.ask("!contact schmidt seite=2")
    assert second.count("• ") == 2 and "more" not in second
    assert "Page 3 does not exist: there are 2 pages of results." in await desk.ask(
        "!contact schmidt page=3"
    )


# --------------------------------------------------------------------------- !wer


async def test_who_groups_people_of_a_field_by_organisation(desk: Desk) -> None:
    """!who ÜSB finds persons tagged with the field and people of organisations tagged with it."""
    await desk.ask(NEW_MARIA)
    await desk.ask(
        '!organisation neu "Agentur für Arbeit Herford" art=Verwaltung gemeinde=Herford '
        'felder="Übergang Schule-Beruf"'
    )
    await desk.ask('!contact new "Olaf Berater" org=2 funktion=Berufsberatung')
    await desk.ask('!contact new "Ute Ohne" felder=ÜSB gemeinde=Bünde')
    await desk.ask('!contact new "Kai Kita" org="Kita Sonnenschein" felder="frühe Bildung"')
    answer = await desk.ask("!who ÜSB")
    assert answer.startswith("3 persons for transition school–work:")
    lines = answer.splitlines()
    assert lines[1] == "• Agentur für Arbeit Herford: No. 2 Olaf Berater (Berufsberatung)"
    assert lines[2] == "• Gymnasium Am Park: No. 1 Dr. Maria Müller (Schulsozialarbeit)"
    assert lines[3] == "• Without organisation: No. 3 Ute Ohne"
    assert "Kai" not in answer
    in_buende = await desk.ask("!wer uesb gemeinde=buende")
    assert "1 person for transition school–work in buende:" in in_buende
    assert "Ute Ohne" in in_buende and "Maria" not in in_buende


async def test_who_shows_other_memberships_and_pages(desk: Desk) -> None:
    """A person working in two places shows the other one; more than ten people page."""
    await desk.ask('!contact new "Ida Zwei" org=Jugendamt funktion=Leitung felder=Ganztag')
    await desk.ask('!contact change 1 org="VHS Kreis Herford" funktion=Dozentin')
    for number in range(11):
        await desk.ask(f'!contact new "Gast {number:02}" felder=OGS')
    answer = await desk.ask("!who ganztag")
    assert "12 persons for all-day schooling:" in answer
    assert "Jugendamt: No. 1 Ida Zwei (Leitung), also: VHS Kreis Herford (Dozentin)" in answer
    assert "… and 2 more. Next page: `!who ganztag seite=2`" in answer
    assert "Gast 10" in await desk.ask("!who ganztag seite=2")


async def test_who_falls_back_to_full_text_and_says_when_nobody_is_found(
    desk: Desk,
) -> None:
    """A topic that is no field is searched in names and functions; no hit says so."""
    await desk.ask(NEW_MARIA)
    answer = await desk.ask("!who Schulsozialarbeit")
    assert "Gymnasium Am Park: No. 1 Dr. Maria Müller (Schulsozialarbeit)" in answer
    nobody = await desk.ask("!who Raumfahrt")
    assert "Nobody is recorded for Raumfahrt." in nobody and "`!contact <…>`" in nobody


# --------------------------------------------------------------------------- !organisation


async def test_an_organisation_is_recorded_with_kind_by_alias(desk: Desk) -> None:
    """art=Gymnasium is a secondary school; missing, unknown and duplicate values are refused."""
    assert "Missing: `art=…`, `feld=…`." in await desk.ask(
        '!organisation neu "Gymnasium Am Park" gemeinde=Herford'
    )
    unknown = await desk.ask('!org neu "X" art=Raumstation gemeinde=Herford felder=Schule')
    assert "Unknown kind of organisation `Raumstation`. Known kinds: day-care centre," in unknown
    answer = await desk.ask(
        '!organization new "Gymnasium Am Park" art=Gymnasium gemeinde=Herford felder=Schule '
        "plz=32052 web=www.gap-herford.de"
    )
    assert answer.startswith(
        "Organisation No. 1 recorded: Organisation No. 1 · Gymnasium Am Park · secondary school"
    )
    assert "already recorded as organisation No. 1" in await desk.ask(
        '!org new "Gymnasium am Park" art=Gymnasium gemeinde=Herford felder=Schule'
    )


async def test_an_organisation_card_lists_its_people_and_offers(desk: Desk) -> None:
    """!organisation 1 shows address, people with function and offers; the view is logged."""
    await desk.ask(NEW_MARIA)
    await desk.ask(
        '!offer new "Bewerbungstraining" traeger=1 feld=ÜSB zielgruppe=Schüler ort="Raum 12"'
    )
    card = await desk.ask("!org 1")
    assert "Organisation No. 1: Gymnasium Am Park" in card
    assert "No. 1 Dr. Maria Müller (Schulsozialarbeit)" in card
    assert "No. 1 · Bewerbungstraining · Gymnasium Am Park · Raum 12 · pupils" in card
    assert ("view", "organization", "1") in [
        (e.action, e.object_type, e.object_id) for e in await desk.audit()
    ]
    assert "There is no organisation with No. 4" in await desk.ask("!organisation 4")


async def test_organisations_are_searched(desk: Desk) -> None:
    """!organisation vhs lists matching organisations only."""
    await desk.ask('!contact new "Jan Kurz" org="VHS Kreis Herford"')
    answer = await desk.ask("!organisation VHS")
    assert "Organisation No. 1 · VHS Kreis Herford" in answer and "Jan Kurz" not in answer


# --------------------------------------------------------------------------- !angebot


async def test_offers_are_recorded_and_filtered_by_target_group(desk: Desk) -> None:
    """!offer new needs provider, field, target group and place; zielgruppe= filters."""
    assert "Missing: `traeger=…`, `feld=…`, `zielgruppe=…`, `ort=…`." in await desk.ask(
        '!offer new "Deutschkurs"'
    )
    created = await desk.ask(
        '!angebot neu "Deutschkurs für Eltern" träger="VHS Kreis Herford" feld=Sprachbildung '
        'zielgruppe=Eltern ort="VHS, Raum 2" zeit="dienstags 9–11 Uhr" gemeinde=Herford'
    )
    assert created.startswith("Offer No. 1 recorded: No. 1 · Deutschkurs für Eltern")
    assert "The organisation VHS Kreis Herford was new" in created
    await desk.ask(
        '!offer new "Lesepaten" traeger=1 feld="kulturelle Bildung" zielgruppe=Kinder ort=Kita'
    )
    parents = await desk.ask("!offer zielgruppe=Familien")
    assert "1 offer found:" in parents and "Deutschkurs" in parents and "Lesepaten" not in parents
    assert "2 offers found:" in await desk.ask("!offer")
    assert "No offer found." in await desk.ask("!offer zielgruppe=Ältere")
    assert "Unknown target group `Astronauten`" in await desk.ask("!offer zielgruppe=Astronauten")


async def test_an_offer_card_and_keyword_search(desk: Desk) -> None:
    """!offer 1 shows everything; !offer deutsch finds it by keyword with a filter."""
    await desk.ask(
        '!offer new "Deutschkurs für Eltern" traeger="VHS Kreis Herford" feld=DaZ '
        "zielgruppe=Eltern ort=VHS kosten=kostenlos link=https://vhs-herford.de/kurse"
    )
    card = await desk.ask("!offer 1")
    for line in (
        "Offer No. 1: Deutschkurs für Eltern",
        "Provider: VHS Kreis Herford (organisation No. 1)",
        "Target groups: parents",
        "Cost: kostenlos",
        "Link: https://vhs-herford.de/kurse",
    ):
        assert line in card
    assert "Deutschkurs für Eltern" in await desk.ask("!offer deutschkurs zielgruppe=Eltern")
    assert "There is no offer with No. 9" in await desk.ask("!offer 9")


# --------------------------------------------------------------------------- who may ask


# Roles and rooms are checked before any SQL.
@pytest.mark.backend_neutral
async def test_outside_the_team_nothing_is_shown(desk: Desk) -> None:
    """In a committee room or for a non-team member, every command is refused unseen."""
    await desk.ask(NEW_MARIA)
    commands = ["!contact Müller", "!contact 1", "!who ÜSB", "!org 1", "!offer 1"]
    for command in [*commands, '!contact new "X Y"', "!contact change 1 tel=12345"]:
        in_committee = await desk.ask(command, role=Role.TEAM, room=RoomKind.GROUP)
        as_member = await desk.ask(command, role=Role.MEMBER, room=RoomKind.DIRECT)
        assert "is not allowed here" in in_committee and "only for the team" in as_member
        for answer in (in_committee, as_member):
            assert "Maria" not in answer and "gap.de" not in answer and "Gymnasium" not in answer
    assert [e.action for e in await desk.audit()] == ["create", "create"]
