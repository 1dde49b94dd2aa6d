"""The controlled vocabularies: the team reads them, administrators extend them."""

from __future__ import annotations

from commands.framework.registry import Role, RoomKind
from storage.database import Database
from storage.folding import fold_text
from storage.vocabulary import FIELD
from tests.support.desk import Desk


def test_spellings_fold_alike() -> None:
    """Case, umlauts and dash variants do not matter when terms are matched."""
    assert fold_text("Übergang Schule–Beruf") == fold_text("uebergang schule - beruf")
    assert fold_text("ÜSB") == "uesb"


async def test_the_team_lists_fields_with_their_aliases(database: Database) -> None:
    """!terms field lists every Handlungsfeld with its other spellings."""
    answer = await Desk(database).ask("!terms field")
    assert "Fields (Handlungsfelder)" in answer
    assert "transition school–work (Schule-Beruf, Schule–Beruf, ÜSB" in answer
    assert "Target groups" not in answer


async def test_an_admin_adds_a_field_that_contacts_can_then_use(database: Database) -> None:
    """A new field with an alias is usable at once in !kontakt neu, in any spelling."""
    desk = Desk(database)
    added = await desk.ask(
        '!term new field "Demokratiebildung" en="civic education" alias="Politische Bildung"',
        role=Role.ADMIN,
    )
    assert added == "Added Demokratiebildung to Fields (Handlungsfelder)."
    async with desk.store() as store:
        term = await store.vocabulary.match(FIELD, "politische bildung")
    assert term is not None and term.label_en == "civic education"
    created = await desk.ask('!contact new "Ole Brandt" felder="Politische Bildung"')
    assert created.startswith("Contact No. ") and "civic education" in created
    assert [e.action for e in await desk.audit()][:1] == ["create"]


async def test_only_admins_add_terms_and_spellings_stay_unique(database: Database) -> None:
    """A team member may not add terms; an admin may not add a spelling that already exists."""
    desk = Desk(database)
    refused = await desk.ask('!term new field "Lesen"', role=Role.TEAM)
    assert "only for administrators" in refused
    duplicate = await desk.ask('!term new field "Neu" alias="ÜSB"', role=Role.ADMIN)
    assert "`ÜSB` already means the term Übergang Schule–Beruf." in duplicate
    wrong_list = await desk.ask('!term new planets "Mars"', role=Role.ADMIN, room=RoomKind.DIRECT)
    assert "`planets` is not a vocabulary" in wrong_list
