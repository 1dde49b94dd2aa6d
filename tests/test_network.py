"""``!netzwerk``: counts per field and municipality, the gaps, and the chart, on SQLite."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from datetime import datetime

import pytest
from PIL import Image

import commands.contacts.network
from commands.framework.charts import BarPanel, network_chart
from commands.framework.registry import Role, RoomKind
from storage.database import Database
from storage.models import VocabularyTerm
from storage.reports import ReportRepository, Tally
from storage.repositories import Store
from storage.vocabulary import FIELD, TARGET_GROUP
from tests.support.desk import Desk
from tests.support.names import ANNA
from tests.support.storage_reads import audit_of


async def seed_network(database: Database, at: datetime) -> None:
    """Three municipalities, four providers, three people and four offers."""
    async with database.session() as session:
        store = Store(session)

        async def term(vocabulary: str, name: str) -> VocabularyTerm:
            found = await store.vocabulary.match(vocabulary, name)
            assert found is not None
            return found

        early = await term(FIELD, "frühkindliche Bildung")
        school = await term(FIELD, "Schule")
        media = await term(FIELD, "Medienbildung")
        kids = await term(TARGET_GROUP, "Kinder 0–6")
        pupils = await term(TARGET_GROUP, "Schüler:innen")
        parents = await term(TARGET_GROUP, "Eltern")
        add = store.contacts
        kita = await add.add_organization(
            at, "Kita Sonnenblume", gemeinde="Altdorf", fields=[early]
        )
        primary = await add.add_organization(
            at, "Grundschule", gemeinde="altdorf ", fields=[school, media]
        )
        gym = await add.add_organization(at, "Gymnasium Bergheim", gemeinde="Bergheim")
        await add.add_organization(at, "Förderverein")  # no municipality
        for name, gemeinde in (("A", "Altdorf"), ("B", "Lindenau"), ("C", "")):
            await add.add_person(at, name, fields=[early], gemeinde=gemeinde)
        await add.add_offer(at, "Sprachspiele", kita, [early], [kids, parents])
        await add.add_offer(at, "Leseclub", primary, [school], [pupils])
        await add.add_offer(at, "Elternabend Medien", gym, [media], [parents])
        await add.add_offer(at, "Medienscouts", None, [media], [pupils], gemeinde="Lindenau")


async def test_counts_per_field_and_municipality_come_from_sql(database: Database) -> None:
    """Totals, per field, per municipality (spellings merged, offers at their provider)."""
    harness = Desk(database)
    await seed_network(database, harness.clock.now())
    async with database.session() as session:
        overview = await ReportRepository(session).network_overview()
    assert overview.totals == Tally(organizations=4, persons=3, offers=4)
    per_field = {entry.field.key: entry.tally for entry in overview.by_field if entry.tally.total}
    assert per_field == {
        "fruehkindliche-bildung": Tally(1, 3, 1),
        "schule": Tally(1, 0, 1),
        "medienbildung": Tally(1, 0, 2),
    }
    per_place = {place.gemeinde: place.tally for place in overview.by_gemeinde}
    assert per_place == {
        "Altdorf": Tally(2, 1, 2),  # "altdorf " is the same municipality
        "Bergheim": Tally(1, 0, 1),  # the offer without a place counts at its provider
        "Lindenau": Tally(0, 1, 1),
        "": Tally(1, 1, 0),
    }
    assert [place.gemeinde for place in overview.by_gemeinde] == [
        "Altdorf",
        "Bergheim",
        "Lindenau",
        "",
    ]


async def test_top_municipalities_sum_up_the_rest(database: Database) -> None:
    """The largest municipalities are shown; the others are summed with their number."""
    harness = Desk(database)
    await seed_network(database, harness.clock.now())
    async with database.session() as session:
        overview = await ReportRepository(session).network_overview()
    shown, others, count = overview.top_gemeinden(1)
    assert [place.gemeinde for place in shown] == ["Altdorf"]
    assert (others, count) == (Tally(1, 1, 2), 2)
    assert overview.without_gemeinde == Tally(1, 1, 0)
    assert overview.top_gemeinden(5)[1:] == (None, 0)


async def test_gaps_are_fields_without_offers_in_a_municipality(database: Database) -> None:
    """Media education has offers in Bergheim and Lindenau but none in Altdorf; BNE has
    nothing anywhere; no field × target group noise is listed."""
    harness = Desk(database)
    await seed_network(database, harness.clock.now())
    async with database.session() as session:
        overview = await ReportRepository(session).network_overview()
    gaps = {gap.field.key: gap for gap in overview.gaps}
    media = gaps["medienbildung"]
    assert not media.no_offers_at_all
    assert media.gemeinden == ("Altdorf",)
    assert gaps["bne"].no_offers_at_all
    assert gaps["bne"].gemeinden == ("Altdorf", "Bergheim", "Lindenau")


async def test_network_answer_lists_counts_and_gaps(database: Database) -> None:
    """The answer reads as an overview: totals, fields, municipalities, then the gaps."""
    harness = Desk(database)
    await seed_network(database, harness.clock.now())
    answer = Desk.text(await harness.reply("!network"))
    assert "The network at a glance (as of 8 Mar 2027)" in answer
    assert "4 organisations · 3 contacts · 4 offers" in answer
    assert "• media education: 1 · 0 · 2" in answer
    assert "• Altdorf: 2 · 1 · 2" in answer and "• without municipality: 1 · 1 · 0" in answer
    assert "• media education: none in Altdorf" in answer
    assert (
        "No offers at all: transition Kita–primary school," in answer
        and "education for sustainable development" in answer
    )
    assert answer.index("By field") < answer.index("By municipality") < answer.index("Gaps")


async def test_network_attaches_a_png_chart_and_logs_the_view(database: Database) -> None:
    """The chart is a real PNG about 1000 px wide; the bulk view is in the audit log."""
    harness = Desk(database)
    await seed_network(database, harness.clock.now())
    reply = await harness.reply("!netzwerk")
    [chart] = reply.attachments
    assert (chart.filename, chart.mimetype) == ("netzwerk-2027-03-08.png", "image/png")
    assert chart.data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(chart.data))
    image.verify()
    width, height = Image.open(io.BytesIO(chart.data)).size
    assert width == 1000 and 400 <= height <= 2000
    assert 5_000 < len(chart.data) < 400_000
    async with database.session() as session:
        entries = await audit_of(session, "network", "*")
    assert [(entry.actor, entry.action) for entry in entries] == [(ANNA, "view")]


# Where the chart is drawn does not depend on the database; the counts are checked on both.
@pytest.mark.backend_neutral
async def test_chart_is_rendered_off_the_event_loop(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rendering runs in a worker thread, so the sync loop and other rooms go on meanwhile."""
    threads: list[str] = []

    def spy(title: str, panels: Sequence[BarPanel]) -> bytes:
        threads.append(threading.current_thread().name)
        return network_chart(title, panels)

    monkeypatch.setattr(commands.contacts.network, "network_chart", spy)
    await Desk(database).reply("!network")
    assert threads and threads[0] != threading.main_thread().name


async def test_an_empty_network_still_answers_with_a_chart(database: Database) -> None:
    """With nothing recorded yet the answer says so and the chart still renders."""
    reply = await Desk(database).reply("!network")
    answer = Desk.text(reply)
    assert "0 organisations · 0 contacts · 0 offers" in answer
    assert "By field" not in answer and "By municipality" not in answer
    assert reply.attachments[0].data.startswith(b"\x89PNG")


# Roles and rooms are checked before any SQL.
@pytest.mark.backend_neutral
async def test_network_is_for_the_team_only(database: Database) -> None:
    """A committee member is refused, as is the team in a committee room."""
    harness = Desk(database)
    member = await harness.reply("!network", role=Role.MEMBER, room=RoomKind.DIRECT)
    committee = await harness.reply("!network", room=RoomKind.GROUP)
    assert "only for the team" in Desk.text(member) and not member.attachments
    assert "not allowed here" in Desk.text(committee) and not committee.attachments


def test_chart_labels_keep_umlauts_and_long_names() -> None:
    """German labels render (a smoke test of fonts and layout), one panel per group."""
    png = network_chart(
        "Netzwerk im Überblick – 08.03.2027",
        [
            BarPanel("Angebote je Handlungsfeld", ("Übergang Kita–Grundschule",), (3,)),
            BarPanel("Organisationen je Gemeinde", (), (), empty_note="Noch keine Daten"),
        ],
    )
    assert Image.open(io.BytesIO(png)).size[0] == 1000


async def test_chart_bars_are_sorted_largest_first(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both chart panels list their bars by size, so the chart reads as a ranking; the sums
    of other and of unnamed municipalities come last."""
    drawn: list[Sequence[BarPanel]] = []

    def spy(title: str, panels: Sequence[BarPanel]) -> bytes:
        drawn.append(panels)
        return network_chart(title, panels)

    monkeypatch.setattr(commands.contacts.network, "network_chart", spy)
    harness = Desk(database)
    await seed_network(database, harness.clock.now())
    await harness.reply("!network")
    fields, places = drawn[0]
    assert list(fields.values) == sorted(fields.values, reverse=True)
    assert fields.values[0] == 2  # media education, the field with the most offers
    named = list(places.values[:3])  # Altdorf, Bergheim, Lindenau; then "without"
    assert named == sorted(named, reverse=True) == [2, 1, 0]
    assert places.labels[-1] == "without municipality"
