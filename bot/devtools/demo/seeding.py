"""The sample data a new demo database starts with, and the paper Bernd posts."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Final

from nio import UploadResponse

from bot.core import Kuemmerer
from bot.devtools.chat_client import ChatClient
from bot.devtools.demo.cast import ANNA, BERND, DemoError
from bot.devtools.sample_data import (
    SeedFailed,
    seed_committees,
    seed_contact_network,
    seed_tasks,
)
from commands.framework.clock import Clock
from commands.framework.context import RepliedEvent, ReplyLookup
from storage.repositories import Store

# The paper Bernd posts into the Bildungsbeirat's room for the first agenda item.
PAPER_NAME: Final = "Bildungsbericht-2027-Entwurf.md"
PAPER_TEXT: Final = """\
# Bildungsbericht 2027 – Entwurf

Erste Ergebnisse für den Landkreis Musterland (fiktive Beispieldaten der Demo).
"""


async def post_paper(client: ChatClient, room_id: str) -> RepliedEvent:
    """Upload the demo's paper as ``client`` into ``room_id`` (encrypted) and post it."""
    data = PAPER_TEXT.encode("utf-8")
    response, keys = await client.client.upload(
        io.BytesIO(data),
        content_type="text/markdown",
        filename=PAPER_NAME,
        encrypt=True,
        filesize=len(data),
    )
    if not isinstance(response, UploadResponse) or keys is None:
        raise DemoError(f"Anlage nicht hochgeladen (paper not uploaded): {response}")
    content = {
        "msgtype": "m.file",
        "filename": PAPER_NAME,
        "info": {"mimetype": "text/markdown", "size": len(data)},
        "file": {**keys, "url": response.content_uri},
    }
    event_id = await client.say(room_id, PAPER_NAME, content)
    return RepliedEvent(event_id, room_id, client.user_id, PAPER_NAME)


async def seed_sample_data(
    bot: Kuemmerer, clock: Clock, rooms: Mapping[str, str], paper: ReplyLookup | None = None
) -> None:
    """Fill a new demo database with the sample data set; runs once per demo database.

    The fictional network of Landkreis Musterland (organisations, persons, offers) and its
    committees, bound to the demo's rooms, with their meetings, a first agenda whose item has
    the file ``paper`` posts, a past meeting's decisions and the open tasks (see
    :mod:`bot.devtools.sample_data`);
    plus an audit entry ``demo.seed``. This function stays the single place that seeds.
    """
    counts = await seed_contact_network(bot.database, clock)
    organiser, member = (f"@{person.localpart}:localhost" for person in (ANNA, BERND))
    try:
        names = {organiser: ANNA.display_name, member: BERND.display_name}
        counts |= await seed_committees(bot.work, rooms, organiser, member, paper, names)
        counts |= await seed_tasks(bot.database, clock, rooms, organiser, member)
    except SeedFailed as error:
        raise DemoError(f"Beispieldaten (sample data): {error}") from None
    async with bot.database.session() as session:
        await Store(session).audit.record(
            clock.now(), "demo", "demo.seed", "demo", "sample-data", f"counts={counts}"
        )


# ----------------------------------------------------------------------------- entry point
