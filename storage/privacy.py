"""Erasure (Art. 17 DSGVO): a person is deleted, and what must be kept is pseudonymised.

Agenda items, minutes and decisions are records of the committee and are kept; where they name
an erased person, the name is replaced by :func:`pseudonym_for`. Everything else about the
person goes: the row, its memberships and fields (foreign keys cascade), and its search index
entries.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.agenda import pseudonymise_submitter
from storage.contacts import ContactRepository
from storage.minutes import pseudonymise_minutes
from storage.models import Person
from storage.tasks import pseudonymise_decisions, pseudonymise_tasks

log = logging.getLogger(__name__)

Pseudonymiser = Callable[[AsyncSession, Person, str], Awaitable[int]]

# THE place where later issues hook in: each function replaces the mentions of ``person`` in
# one kind of kept record (minutes: attendance and text; decisions: text; …) by the pseudonym
# and returns how many mentions it replaced. They run before the person row is deleted, so
# they can still read the name and follow foreign keys. Example for the minutes issue:
#
#     async def _pseudonymise_minutes(session, person, pseudonym) -> int:
#         ... UPDATE minutes_attendance SET person_id = NULL, name = :pseudonym
#             WHERE person_id = :id; replace person.display_name in minutes texts ...
#
#     PSEUDONYMISERS = (_pseudonymise_minutes, _pseudonymise_decisions)
PSEUDONYMISERS: tuple[Pseudonymiser, ...] = (
    pseudonymise_decisions,
    pseudonymise_tasks,
    pseudonymise_submitter,
    pseudonymise_minutes,
)


def pseudonym_for(person_id: int) -> str:
    """What kept records say instead of an erased person's name: ``Person 17``.

    Language-neutral on purpose: it is stored, and reads the same in German and English.
    """
    return f"Person {person_id}"


@dataclass(frozen=True)
class Erasure:
    """What an erasure did."""

    person_id: int
    pseudonym: str
    pseudonymised_mentions: int


@dataclass
class PrivacyRepository:
    """Erasure of persons; every statement it needs lives here."""

    session: AsyncSession

    async def erase_person(self, person: Person) -> Erasure:
        """Delete ``person`` without trace; kept records name them by :func:`pseudonym_for`.

        The caller writes the audit entry (with the number only, never the name).
        """
        person_id = person.id
        pseudonym = pseudonym_for(person_id)
        mentions = 0
        for pseudonymise in PSEUDONYMISERS:
            mentions += await pseudonymise(self.session, person, pseudonym)
        await ContactRepository(self.session).delete_person(person)
        await self._purge_full_text_indexes()
        self._truncate_log_after_commit()
        return Erasure(person_id, pseudonym, mentions)

    async def _purge_full_text_indexes(self) -> None:
        """Rewrite every FTS5 index so deleted rows leave no tokens behind.

        FTS5 deletes by writing "delete" markers; the deleted terms stay in the ``*_data``
        shadow table until segments merge (SQLite < 3.42 has no ``secure-delete`` option).
        ``optimize`` merges everything into one segment now; erasures are rare, so rewriting
        the index each time is affordable.
        """
        if self.session.get_bind().dialect.name != "sqlite":
            return
        names = await self.session.scalars(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND sql LIKE 'CREATE VIRTUAL TABLE%' AND lower(sql) LIKE '%using fts5%'"
            )
        )
        for name in list(names):
            quoted = '"' + name.replace('"', '""') + '"'
            await self.session.execute(text(f"INSERT INTO {quoted}({quoted}) VALUES ('optimize')"))

    def _truncate_log_after_commit(self) -> None:
        """Empty SQLite's write-ahead log once the erasure is committed.

        ``secure_delete`` zeroes the erased cells in the database pages, but the log still holds
        older images of those pages until a later checkpoint overwrites them; a truncating
        checkpoint right after the commit removes them at once.
        """
        if self.session.get_bind().dialect.name != "sqlite":
            return
        sync_session = self.session.sync_session
        if not event.contains(sync_session, "after_commit", _checkpoint):
            event.listen(sync_session, "after_commit", _checkpoint, once=True)


def _checkpoint(session: Session) -> None:
    # After a commit the session itself cannot run statements; a pooled connection can. If a
    # reader holds an old snapshot, the checkpoint copies what it can and the log is
    # overwritten later: an erasure never fails for it.
    try:
        with session.get_bind().engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except OperationalError:
        log.warning("write-ahead log not truncated after an erasure; a later checkpoint will")
