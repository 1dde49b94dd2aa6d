"""Right of access and erasure (Art. 15 and 17 DSGVO) through the real dispatcher, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from bot.render import split_reply
from commands.contacts.privacy import SECTION_TITLES
from commands.framework.clock import ManualClock
from commands.framework.registry import Role, RoomKind
from storage.database import Database
from storage.models import Base
from storage.privacy import pseudonym_for
from storage.reports import PERSONAL_DATA_SECTIONS
from storage.repositories import Store
from storage.search import SearchIndex, entry_id
from storage.vocabulary import FIELD
from tests.support.desk import Desk
from tests.support.names import ANNA
from tests.support.storage_reads import audit_of

NAME = "Maria Beispiel"
EMAIL = "maria.beispiel@example.org"
NOTE = "erreichbar dienstags nach Rücksprache"
# Strings that occur nowhere in the database except in the person to be erased.
TRACES = ("beispiel", EMAIL, "ruecksprache", "rücksprache", "@maria:localhost")


async def seed_maria(database: Database, clock: ManualClock) -> int:
    """Maria Beispiel of the Kita Sonnenblume, with a colleague, fields and audit history."""
    async with database.session() as session:
        store = Store(session)
        early = await store.vocabulary.match(FIELD, "frühkindliche Bildung")
        language = await store.vocabulary.match(FIELD, "Sprachbildung")
        assert early is not None and language is not None
        kita = await store.contacts.add_organization(
            clock.now(), "Kita Sonnenblume", gemeinde="Altdorf", fields=[early]
        )
        maria = await store.contacts.add_person(
            clock.now(),
            NAME,
            fields=[early, language],
            title="Dr.",
            email=EMAIL,
            phone="+49 5551 12345",
            matrix_id="@maria:localhost",
            gemeinde="Altdorf",
            notes=NOTE,
            source="Bestandsaufnahme 2026",
        )
        colleague = await store.contacts.add_person(clock.now(), "Hans Muster", fields=[early])
        await store.contacts.link(maria, kita, "Leitung")
        await store.contacts.link(colleague, kita, "Erzieher")
        for person in (maria, colleague):
            await store.audit.record(
                clock.now(), "@bernd:localhost", "create", "person", person.id
            )
        await store.audit.record(
            clock.now() + timedelta(hours=1), ANNA, "update", "person", maria.id, "email"
        )
        return maria.id


def every_text(path: Path) -> dict[str, list[str]]:
    """Each table of the SQLite file (FTS shadow tables included) with its cells as text."""
    connection = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        ]
        found: dict[str, list[str]] = {}
        for table in tables:
            cells = found.setdefault(table, [])
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        cells.append(value.decode("utf-8", "replace"))
                    elif value is not None:
                        cells.append(str(value))
        return found
    finally:
        connection.close()


def traces_in(path: Path) -> list[str]:
    """Where any of :data:`TRACES` still occurs: "table: trace" per finding."""
    return [
        f"{table}: {trace}"
        for table, cells in every_text(path).items()
        for trace in TRACES
        if any(trace.lower() in cell.lower() for cell in cells)
    ]


def checkpointed_bytes(path: Path) -> bytes:
    """The database file (and what is left of its write-ahead log) after a full checkpoint."""
    connection = sqlite3.connect(path)
    try:
        busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    finally:
        connection.close()
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


# --------------------------------------------------------------------------- Art. 15


async def test_access_attaches_json_with_record_memberships_fields_and_audit_trail(
    database: Database,
) -> None:
    """!contact access 1 attaches valid JSON holding every field, the memberships and the log."""
    harness = Desk(database)
    number = await seed_maria(database, harness.clock)
    reply = await harness.reply(f"!contact access {number}")
    names = [attachment.filename for attachment in reply.attachments]
    assert names == [
        f"auskunft-person-{number}-2027-03-08.json",
        f"auskunft-person-{number}-2027-03-08.md",
    ]
    export = json.loads(reply.attachments[0].data)
    assert reply.attachments[0].mimetype == "application/json"
    assert export["person_id"] == number
    assert export["generated_by"] == ANNA
    assert export["generated_at"] == "2027-03-08T09:00:00+00:00"
    record = export["record"]
    assert record["name"] == NAME and record["title"] == "Dr." and record["email"] == EMAIL
    assert record["notes"] == NOTE and record["source"] == "Bestandsaufnahme 2026"
    assert record["legal_basis"] == "public_task"
    assert record["recorded_at"] == "2027-03-08T09:00:00+00:00"
    assert export["memberships"] == [
        {
            "membership_id": 1,
            "organization_id": 1,
            "organization": "Kita Sonnenblume",
            "function": "Leitung",
        }
    ]
    assert [field["key"] for field in export["fields"]] == [
        "fruehkindliche-bildung",
        "sprachbildung",
    ]
    trail = [(entry["actor"], entry["action"], entry["detail"]) for entry in export["audit_log"]]
    assert trail == [("@bernd:localhost", "create", ""), (ANNA, "update", "email")]


async def test_access_summary_counts_sections_and_is_logged_as_export(database: Database) -> None:
    """The answer names the person and the files, counts each section, and is audited."""
    harness = Desk(database)
    number = await seed_maria(database, harness.clock)
    answer = await harness.ask(f"!contact access {number}")
    assert f"contact No. {number} (Dr. {NAME})" in answer
    assert "Functions in organisations: 1" in answer and "Fields: 2" in answer
    assert "Processing log (who did what with the record, and when): 2" in answer
    async with database.session() as session:
        entries = await audit_of(session, "person", number)
    assert [(e.actor, e.action) for e in entries][-1] == (ANNA, "export")
    # A second export shows the first one in its audit trail.
    again = await harness.reply(f"!contact access {number}")
    actions = [entry["action"] for entry in json.loads(again.attachments[0].data)["audit_log"]]
    assert actions == ["create", "update", "export"]


async def test_access_markdown_is_readable_in_german(database: Database) -> None:
    """The Markdown file has the name, German headings and German dates for a German bot."""
    harness = Desk(database, language="de")
    number = await seed_maria(database, harness.clock)
    reply = await harness.reply(f"!kontakt auskunft {number}")
    markdown = reply.attachments[1].data.decode()
    assert reply.attachments[1].mimetype == "text/markdown"
    assert markdown.startswith("# ")
    assert f"**Dr. {NAME}**" in markdown and EMAIL.replace("_", "\\_") in markdown
    assert "08.03.2027, 10:00 Uhr" in markdown  # 09:00 UTC shown in Berlin time
    assert "Kita Sonnenblume: Leitung" in markdown and "Sprachbildung" in markdown
    assert markdown.count("\n## ") == 1 + len(PERSONAL_DATA_SECTIONS)


async def test_access_markdown_in_english_escapes_what_users_typed(database: Database) -> None:
    """A name with Markdown characters cannot format the file; English headings for en."""
    harness = Desk(database)
    async with database.session() as session:
        person = await Store(session).contacts.add_person(harness.clock.now(), "*Eva* <b>Kurz</b>")
    reply = await harness.reply(f"!contact access {person.id}")
    markdown = reply.attachments[1].data.decode()
    assert r"\*Eva\* \<b\>Kurz\</b\>" in markdown
    assert "## Record" in markdown and "public task (Art. 6 (1) e GDPR)" in markdown
    assert "- none" in markdown  # no memberships


def test_every_personal_data_section_has_a_heading() -> None:
    """A section added to the export without a translated heading is caught here."""
    assert {section.key for section in PERSONAL_DATA_SECTIONS} <= set(SECTION_TITLES)


def test_every_table_that_refers_to_persons_is_in_the_export() -> None:
    """A new table with a foreign key to person.id must be covered by an export section."""
    referring = {
        table.name
        for table in Base.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column.table.name == "person"
    }
    covered = {name for section in PERSONAL_DATA_SECTIONS for name in section.tables}
    assert referring and referring <= covered


async def test_access_to_an_unknown_number_says_how_to_find_contacts(database: Database) -> None:
    """An unknown number is a NotFound with a hint at the contact search."""
    answer = await Desk(database).ask("!contact access 99")
    assert "There is no contact with No. 99." in answer
    assert "`!contact <name>` finds contacts by name." in answer


# Roles and rooms are checked before the record is read.
@pytest.mark.backend_neutral
async def test_access_is_only_for_the_team_and_not_in_committee_rooms(database: Database) -> None:
    """A member is refused; the team is refused in a committee room; nothing is attached."""
    harness = Desk(database)
    number = await seed_maria(database, harness.clock)
    member = await harness.reply(
        f"!contact access {number}", role=Role.MEMBER, room=RoomKind.DIRECT
    )
    committee = await harness.reply(f"!contact access {number}", room=RoomKind.GROUP)
    assert member.is_error and not member.attachments
    assert committee.is_error and not committee.attachments
    assert "not allowed here" in "\n".join(body for body, _ in split_reply(committee))


# --------------------------------------------------------------------------- Art. 17


async def test_delete_asks_for_confirmation_naming_the_person(database: Database) -> None:
    """Without the confirmation word nothing is deleted; the answer names the person."""
    harness = Desk(database, language="de")
    number = await seed_maria(database, harness.clock)
    answer = await harness.ask(f"!kontakt loeschen {number}")
    assert f"({'Dr. ' + NAME})" in answer and f"`!kontakt löschen {number} " in answer
    async with database.session() as session:
        assert await Store(session).contacts.person(number) is not None


async def test_delete_confirmed_erases_and_audits_without_name(database: Database) -> None:
    """`confirmed` erases the person, memberships and fields; the audit entry has no name."""
    harness = Desk(database)
    number = await seed_maria(database, harness.clock)
    answer = await harness.ask(f"!contact delete {number} confirmed")
    assert answer == f"Contact No. {number} has been deleted."
    async with database.session() as session:
        store = Store(session)
        assert await store.contacts.person(number) is None
        entries = await audit_of(store.session, "person", number)
        left = await session.execute(
            text("SELECT (SELECT count(*) FROM membership), (SELECT count(*) FROM person_field)")
        )
    assert tuple(left.one()) == (1, 1)  # the colleague's
    assert (entries[-1].actor, entries[-1].action, entries[-1].detail) == (ANNA, "erase", "")


async def test_delete_accepts_the_german_confirmation_in_any_spelling(database: Database) -> None:
    """`bestätigt` and `bestaetigt` confirm as well; another word is explained."""
    harness = Desk(database, language="de")
    number = await seed_maria(database, harness.clock)
    wrong = await harness.ask(f"!kontakt löschen {number} vielleicht")
    assert "vielleicht" in wrong
    async with database.session() as session:
        assert await Store(session).contacts.person(number) is not None
    await harness.ask(f"!kontakt löschen {number} bestaetigt")
    async with database.session() as session:
        assert await Store(session).contacts.person(number) is None


async def test_delete_of_an_unknown_number_is_not_found(database: Database) -> None:
    """Deleting a number that does not exist changes nothing and says so."""
    answer = await Desk(database).ask("!contact delete 5 confirmed")
    assert "There is no contact with No. 5." in answer


def test_pseudonym_names_the_number_only() -> None:
    """Kept records call an erased person "Person 17" in every language."""
    assert pseudonym_for(17) == "Person 17"


# Reads the SQLite file and its log byte by byte; PostgreSQL keeps dead rows until VACUUM.
@pytest.mark.sqlite_only
async def test_erasure_leaves_no_trace_in_any_table_or_in_the_file(
    database: Database, tmp_path: Path
) -> None:
    """After the erasure neither a table (FTS shadow tables included) nor the raw file holds
    the name, the e-mail, the notes or the Matrix id — also not after an export and a view."""
    harness = Desk(database)
    number = await seed_maria(database, harness.clock)
    path = tmp_path / "kuemmerer.db"
    assert "person: beispiel" in traces_in(path)  # the scan does find what is there
    await harness.ask(f"!contact access {number}")
    await harness.ask("!network")
    await harness.ask(f"!contact delete {number} confirmed")
    await database.dispose()
    assert traces_in(path) == []
    raw = checkpointed_bytes(path).lower()
    assert [trace for trace in TRACES if trace.lower().encode() in raw] == []
    assert b"hans muster" in raw  # the colleague is still there: the scan reads real content


# Reads the SQLite file and its log byte by byte; PostgreSQL keeps dead rows until VACUUM.
@pytest.mark.sqlite_only
async def test_erasure_empties_the_write_ahead_log_while_the_bot_runs(
    database: Database, tmp_path: Path
) -> None:
    """Right after the erasure commits, neither the file nor its write-ahead log holds the
    person — without waiting for a checkpoint or a shutdown."""
    harness = Desk(database)
    number = await seed_maria(database, harness.clock)
    path = tmp_path / "kuemmerer.db"
    wal = path.with_name(path.name + "-wal")
    assert b"beispiel" in (path.read_bytes() + wal.read_bytes()).lower()
    await harness.ask(f"!contact delete {number} confirmed")
    raw = (path.read_bytes() + wal.read_bytes()).lower()  # the engine is still open
    assert [trace for trace in TRACES if trace.lower().encode() in raw] == []
    assert b"hans muster" in raw


# FTS5 is SQLite's; PostgreSQL's trigram index is checked by the next test.
@pytest.mark.sqlite_only
@pytest.mark.parametrize("tokenizer", ["unicode61", "trigram"])
async def test_erasure_purges_deleted_terms_from_full_text_indexes(
    database: Database, tmp_path: Path, tokenizer: str
) -> None:
    """FTS5 keeps a deleted row's terms until its segments merge; erasure merges them, so the
    index is as small as a twin that never held the person (trigram terms are too short to
    find by scanning, their leftovers show in the size)."""
    harness = Desk(database)
    number = await seed_maria(database, harness.clock)
    size = "SELECT sum(length(block)) FROM {}_data WHERE id > 10"  # 10: the structure record
    async with database.session() as session:
        for index in ("probe", "twin"):
            await session.execute(
                text(f"CREATE VIRTUAL TABLE {index} USING fts5(body, tokenize={tokenizer})")
            )
            for row in range(300):
                await session.execute(
                    text(f"INSERT INTO {index}(rowid, body) VALUES (:id, :body)"),
                    {"id": row, "body": f"Kontakt {row} Muster"},
                )
        await session.execute(
            text("INSERT INTO probe(rowid, body) VALUES (1000, :body)"),
            {"body": f"{NAME} {EMAIL}"},
        )
    async with database.session() as session:
        # What a search index does when a person is removed: delete the row.
        await session.execute(text("DELETE FROM probe WHERE rowid = 1000"))
        await session.execute(text("INSERT INTO twin(twin) VALUES ('optimize')"))
        leftover = await session.scalar(text(size.format("probe")))
        assert leftover > await session.scalar(text(size.format("twin")))
    await harness.ask(f"!contact delete {number} confirmed")
    async with database.session() as session:
        purged = await session.scalar(text(size.format("probe")))
        assert purged == await session.scalar(text(size.format("twin")))
    await database.dispose()
    path = tmp_path / "kuemmerer.db"
    assert traces_in(path) == []
    assert b"beispiel" not in checkpointed_bytes(path).lower()


async def test_erasure_leaves_no_row_and_no_index_entry_on_any_backend(database: Database) -> None:
    """After the erasure no row of any table holds the person, the search finds nothing, and the
    search index has neither the person's entry nor their words — the colleague is still found."""
    harness = Desk(database)
    number = await seed_maria(database, harness.clock)
    assert "person: beispiel" in await traces_in_rows(database)  # the scan sees what is there
    await harness.ask(f"!contact access {number}")
    await harness.ask(f"!contact delete {number} confirmed")
    assert await traces_in_rows(database) == []
    async with database.session() as session:
        index = SearchIndex(session)
        assert (await index.search("Beispiel")).hits == []
        assert [hit.kind for hit in (await index.search("Muster")).hits] == ["person"]
        entries = await session.scalar(
            text("SELECT count(*) FROM search_entry WHERE id = :id"),
            {"id": entry_id("person", number)},
        )
        facets = await session.scalar(
            text("SELECT count(*) FROM search_facet WHERE entry_id = :id"),
            {"id": entry_id("person", number)},
        )
        words = await session.scalars(
            text("SELECT word FROM search_word WHERE word IN ('maria', 'beispiel', 'dr')")
        )
        assert (entries, facets, list(words)) == (0, 0, [])


async def traces_in_rows(database: Database) -> list[str]:
    """Where any of :data:`TRACES` still occurs in a row of any table: "table: trace"."""
    async with database.session() as session:
        connection = await session.connection()
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        found = []
        for table in tables:
            rows = await session.execute(text(f'SELECT * FROM "{table}"'))
            cells = [
                value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                for row in rows
                for value in row
                if value is not None
            ]
            found += [
                f"{table}: {trace}"
                for trace in TRACES
                if any(trace.lower() in cell.lower() for cell in cells)
            ]
        return found
