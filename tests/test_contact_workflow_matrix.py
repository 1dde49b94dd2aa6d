"""A Bildungsbüro morning over Matrix: an organisation, its offer, a contact, a change, an
export into Thunderbird's format, and the contact's erasure — all through the real Synapse."""

from __future__ import annotations

import re

import pytest
import vobject
from nio import MemoryDownloadResponse

from bot.devtools.chat_client import Message
from tests.support.matrix import Office, files_from_bot

# The bot runs on SQLite and on PostgreSQL: a workflow that crosses every part of storage.
pytestmark = [pytest.mark.synapse, pytest.mark.every_backend]


def number_in(reply: Message) -> int:
    match = re.search(r"No\. (\d+)", reply.body)
    assert match, reply.body
    return int(match.group(1))


async def test_organisation_offer_contact_change_export_and_erasure(office: Office) -> None:
    """The team's whole round trip, each step answered in the team room."""
    anna, room, bot = office.anna, office.team_room, office.bot.user_id

    created = await anna.ask(
        room,
        '!organization new "VHS Weserbergland" art=Volkshochschule gemeinde=Hameln '
        "felder=Weiterbildung",
    )
    organisation = number_in(created)
    offer = await anna.ask(
        room,
        f'!offer new "Deutsch im Beruf" traeger={organisation} feld=Sprachbildung '
        'zielgruppe=Neuzugewanderte ort="VHS Hameln"',
    )
    offer_number = number_in(offer)
    assert "Deutsch im Beruf" in (await anna.ask(room, f"!offer {offer_number}")).body

    contact = await anna.ask(
        room,
        f'!contact new "Jana Kowalski" org={organisation} funktion="Fachbereich Deutsch" '
        "email=j.kowalski@vhs.example felder=Sprachbildung gemeinde=Hameln",
    )
    number = number_in(contact)
    changed = await anna.ask(room, f'!contact change {number} tel="+49 5151 1234"')
    assert "changed" in changed.body.lower()
    card = await anna.ask(room, f"!organization {organisation}")
    assert "Jana Kowalski" in card.body and "Deutsch im Beruf" in card.body

    before = len(files_from_bot(anna, room, bot))
    await anna.ask(room, "!contact export Kowalski")
    await anna.wait_until(lambda: len(files_from_bot(anna, room, bot)) > before)
    vcard_event = files_from_bot(anna, room, bot)[-1]
    assert vcard_event.body.endswith(".vcf")
    download = await anna.client.download(mxc=vcard_event.content["url"])
    assert isinstance(download, MemoryDownloadResponse)
    [card_read] = list(vobject.readComponents(bytes(download.body).decode("utf-8")))
    assert card_read.fn.value == "Jana Kowalski"
    assert card_read.email.value == "j.kowalski@vhs.example"
    assert card_read.tel.value == "+49 5151 1234"

    question = await anna.ask(room, f"!contact delete {number}")
    assert "Jana Kowalski" in question.body and "confirmed" in question.body
    erased = await anna.ask(room, f"!contact delete {number} confirmed")
    assert f"No. {number}" in erased.body and "Kowalski" not in erased.body
    gone = await anna.ask(room, f"!contact {number}")
    assert "Kowalski" not in gone.body and f"{number}" in gone.body
