"""The importer: rows of a table matched against what is stored, merged or created.

The importer reads what is stored once, matches every row against it in memory (duplicates are
merged or reported, never doubled) and writes new records in batches. How a row's values are
compared and what the import reports is in :mod:`~commands.contacts.files.matching`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from commands.contacts.converters import plain_email
from commands.contacts.files.columns import Kind
from commands.contacts.files.decoding import SourceRow, Table, read_table
from commands.contacts.files.matching import (
    ImportReport,
    Notice,
    RowRefused,
    TermMatcher,
    same_value,
    split_multi,
)
from commands.framework.converters import is_matrix_id
from storage.database import Database
from storage.folding import fold_text
from storage.models import Offer, Organization, Person, VocabularyTerm, column_limit
from storage.transfer import AuditLine, TransferRepository
from storage.vocabulary import FIELD, ORG_KIND, TARGET_GROUP, VocabularyRepository

IMPORT_ACTOR = "cli:import"
# Rows per transaction: short enough that a running bot never waits long for the database.
IMPORT_CHUNK = 1000


Record = Person | Organization | Offer


@dataclass
class _Change:
    action: str  # create | update
    object_type: str
    fields: set[str] = field(default_factory=set)
    line: int = 0


def _max_length(model: type[Record], attribute: str) -> int | None:
    return column_limit(model, attribute)


class Importer:
    """Imports the rows of one table into the session.

    Everything the database holds is read once; rows are matched in memory, and new records
    are staged and written in batches.
    """

    def __init__(
        self,
        session: AsyncSession,
        table: Table,
        at: datetime,
        filename: str,
        *,
        actor: str = IMPORT_ACTOR,
        dry_run: bool = False,
    ) -> None:
        self.session = session
        self.repository = TransferRepository(session)
        self.table = table
        self.at = at
        self.filename = filename
        self.actor = actor
        self.dry_run = dry_run
        self.report = ImportReport(
            table.kind,
            filename,
            table.description,
            ignored_columns=list(table.ignored),
            dry_run=dry_run,
        )
        self.changes: dict[Record, _Change] = {}
        self.audited: set[Record] = set()
        self.organisations: dict[str, Organization] = {}
        self.persons_by_email: dict[str, Person] = {}
        self.persons_by_name: dict[str, list[Person]] = {}
        self.persons_by_name_and_org: dict[tuple[str, Organization], Person] = {}
        self.offers: dict[tuple[str, Organization | None], Offer] = {}
        self.fields = TermMatcher(())
        self.target_groups = TermMatcher(())
        self.org_kinds = TermMatcher(())

    async def run(
        self, progress: Callable[[int], None] | None = None, commit_every: int | None = None
    ) -> ImportReport:
        """Import every row, write and index what changed; returns the report.

        With ``commit_every``, the session is committed after so many rows. On SQLite one
        long write transaction would lock a running bot out for longer than its busy
        timeout; an import broken off half-way is simply run again, as duplicates merge.
        """
        await self._load()
        for number, row in enumerate(self.table.rows, 1):
            self.report.rows += 1
            try:
                if row.problem is not None:
                    raise RowRefused([f"{row.problem}; nothing of this row is imported"])
                if self.table.kind is Kind.PERSONS:
                    self._person_row(row)
                elif self.table.kind is Kind.ORGANISATIONS:
                    self._organisation_row(row)
                else:
                    self._offer_row(row)
            except RowRefused as refused:
                self.report.errors.append(Notice(row.line, "; ".join(refused.problems) + "."))
            if progress is not None:
                progress(1)
            if commit_every and number % commit_every == 0 and not self.dry_run:
                await self._write()
                await self.session.commit()
        await self._write()
        await self._reindex()
        return self.report

    # ----------------------------------------------------------------- loading

    async def _load(self) -> None:
        vocabulary = VocabularyRepository(self.session)
        self.fields = TermMatcher(await vocabulary.terms(FIELD))
        self.target_groups = TermMatcher(await vocabulary.terms(TARGET_GROUP))
        self.org_kinds = TermMatcher(await vocabulary.terms(ORG_KIND))
        for organization in await self.repository.all_organizations():
            self.organisations.setdefault(organization.name_key, organization)
        if self.table.kind is Kind.PERSONS:
            for person in await self.repository.all_persons():
                self._remember_person(person)
        if self.table.kind is Kind.OFFERS:
            for offer in await self.repository.all_offers():
                self.offers.setdefault((fold_text(offer.title), offer.provider), offer)

    def _remember_person(self, person: Person) -> None:
        if person.email:
            self.persons_by_email.setdefault(person.email.strip().lower(), person)
        same_name = self.persons_by_name.setdefault(person.name_key, [])
        if person not in same_name:
            same_name.append(person)
        for membership in person.memberships:
            if membership.organization is not None:
                key = (person.name_key, membership.organization)
                self.persons_by_name_and_org.setdefault(key, person)

    # ----------------------------------------------------------------- bookkeeping

    def _created(self, record: Record, line: int) -> None:
        self.changes[record] = _Change("create", self._object_type(record), line=line)

    def _updated(self, record: Record, changed: set[str]) -> None:
        change = self.changes.setdefault(record, _Change("update", self._object_type(record)))
        change.fields |= changed

    @staticmethod
    def _object_type(record: Record) -> str:
        if isinstance(record, Person):
            return "person"
        return "organization" if isinstance(record, Organization) else "offer"

    def _outcome(self, changed: set[str]) -> None:
        if changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def _note(self, line: int, message: str) -> None:
        self.report.notes.append(Notice(line, message))

    def _label(self, record: Record) -> str:
        name = record.title if isinstance(record, Offer) else record.name
        change = self.changes.get(record)
        if change is not None and change.action == "create":
            return f'"{name}" (line {change.line})'
        return f'#{record.id} "{name}"'

    def _source(self, row: SourceRow) -> str:
        quelle = row.get("source")
        source = f"{self.filename}: {quelle}" if quelle else self.filename
        return source[:255]

    def _check_lengths(
        self, model: type[Record], row: SourceRow, attributes: Iterable[str]
    ) -> list[str]:
        problems = []
        for attribute in attributes:
            limit = _max_length(model, attribute)
            if limit is not None and len(row.get(attribute)) > limit:
                header = self.table.headers.get(attribute, attribute)
                problems.append(f'"{header}" is longer than {limit} characters')
        return problems

    def _email(self, row: SourceRow) -> tuple[str, list[str]]:
        """The row's e-mail address as it is stored, and the problem if the cell holds none."""
        written = row.get("email")
        if not written:
            return "", []
        email = plain_email(written)
        if email is None:
            return "", [f'"{written}" is not an e-mail address']
        return email, []

    def _terms(
        self, matcher: TermMatcher, row: SourceRow, key: str, what: str
    ) -> tuple[list[VocabularyTerm], list[str]]:
        terms, unknown = matcher.match_list(row.get(key))
        problems = [f'unknown {what} "{part}"' for part in unknown]
        return terms, problems

    def _organisation_named(self, name: str, line: int) -> Organization:
        """The organisation of that name, created (and counted) when there is none yet."""
        key = fold_text(name)
        organization = self.organisations.get(key)
        if organization is None:
            organization = self.repository.new_organization(
                self.at, name, source=self.filename[:255]
            )
            self.organisations[key] = organization
            self._created(organization, line)
            self.report.organisations_created += 1
        return organization

    def _merge(
        self,
        record: Record,
        attribute: str,
        value: str,
        line: int,
        changed: set[str],
        target: object = None,
    ) -> None:
        """Fill an empty attribute of ``target`` (default: ``record``); report a differing one.

        A differing value is kept: which one is right is for a person to decide."""
        if not value:
            return
        target = record if target is None else target
        old = getattr(target, attribute) or ""
        if not old:
            setattr(target, attribute, value)
            changed.add(attribute)
        elif not same_value(attribute, old, value):
            header = self.table.headers.get(attribute, attribute)
            self._note(
                line,
                f'{self._label(record)}: {header} differs – kept "{old}", the file has "{value}"',
            )

    def _merge_terms(self, current: list[VocabularyTerm], terms: list[VocabularyTerm]) -> bool:
        missing = [term for term in terms if term not in current]
        current.extend(missing)
        return bool(missing)

    # ----------------------------------------------------------------- persons

    def _person_row(self, row: SourceRow) -> None:
        name = row.get("name") or " ".join(
            part for part in (row.get("first_name"), row.get("last_name")) if part
        )
        problems = [] if name else ["no name"]
        if len(name) > (_max_length(Person, "name") or 255):
            problems.append("the name is too long")
        email, email_problems = self._email(row)
        problems += email_problems
        fields, unknown_fields = self._terms(self.fields, row, "fields", "Handlungsfeld")
        problems += unknown_fields
        matrix_id = row.get("matrix_id")
        if matrix_id and not is_matrix_id(matrix_id):
            problems.append(f'"{matrix_id}" is not a Matrix id such as @anna:example.org')
        problems += self._check_lengths(
            Person, row, ("title", "phone", "gemeinde", "email", "matrix_id")
        )
        organisation_names = split_multi(row.get("organization"))
        functions = split_multi(row.get("function"))
        pairs = [
            (org, functions[i] if i < len(functions) else "")
            for i, org in enumerate(organisation_names)
            if org
        ]
        if any(len(org) > 255 or len(function) > 255 for org, function in pairs):
            problems.append("an organisation or function is longer than 255 characters")
        if problems:
            raise RowRefused(problems)
        if functions and not pairs:
            self._note(row.line, f'"{row.get("function")}" was not imported: no organisation')
        memberships: list[tuple[Organization, str]] = []
        for org_name, function in pairs:
            organization = self._organisation_named(org_name, row.line)
            if all(organization is not known for known, _ in memberships):
                memberships.append((organization, function))
        existing = self._find_person(row, fold_text(name), email, [o for o, _ in memberships])
        if existing is None:
            self._create_person(row, name, email, fields, memberships)
            return
        changed: set[str] = set()
        if not same_value("name", existing.name, name):
            self._note(row.line, f'{self._label(existing)} is called "{name}" in the file')
        for attribute in ("title", "phone", "gemeinde", "notes", "matrix_id"):
            self._merge(existing, attribute, row.get(attribute), row.line, changed)
        self._merge(existing, "email", email, row.line, changed)
        if self._merge_terms(existing.fields, fields):
            changed.add("fields")
        for organization, function in memberships:
            current = next(
                (m for m in existing.memberships if m.organization is organization), None
            )
            if current is None:
                self.repository.new_membership(existing, organization, function)
                changed.add("organization")
            else:
                self._merge(existing, "function", function, row.line, changed, current)
        if changed:
            existing.updated_at = self.at
            self._updated(existing, changed)
            self._remember_person(existing)
        self._outcome(changed)

    def _find_person(
        self, row: SourceRow, name_key: str, email: str, organisations: list[Organization]
    ) -> Person | None:
        """The stored person this row describes, or None for a new one."""
        if email and (found := self.persons_by_email.get(email.lower())) is not None:
            return found
        for organization in organisations:
            if (found := self.persons_by_name_and_org.get((name_key, organization))) is not None:
                return found
        same_name = self.persons_by_name.get(name_key, [])
        if not same_name:
            return None
        if not email and not organisations:
            # Nothing but the name to go by: the same name is the same person, if unique.
            if len(same_name) == 1:
                return same_name[0]
            labels = ", ".join(self._label(p) for p in same_name)
            raise RowRefused(
                [f"several persons have this name ({labels}); add an e-mail or organisation"]
            )
        labels = ", ".join(self._label(p) for p in same_name)
        self._note(row.line, f"created as a new person although {labels} has the same name")
        return None

    def _create_person(
        self,
        row: SourceRow,
        name: str,
        email: str,
        fields: list[VocabularyTerm],
        memberships: list[tuple[Organization, str]],
    ) -> None:
        person = self.repository.new_person(
            self.at,
            name,
            fields,
            title=row.get("title"),
            email=email,
            phone=row.get("phone"),
            gemeinde=row.get("gemeinde"),
            notes=row.get("notes"),
            matrix_id=row.get("matrix_id"),
            source=self._source(row),
        )
        for organization, function in memberships:
            self.repository.new_membership(person, organization, function)
        self._created(person, row.line)
        self._remember_person(person)
        self.report.created += 1

    # ----------------------------------------------------------------- organisations

    def _organisation_row(self, row: SourceRow) -> None:
        name = row.get("name")
        problems = [] if name else ["no name"]
        email, email_problems = self._email(row)
        problems += email_problems
        fields, unknown_fields = self._terms(self.fields, row, "fields", "Handlungsfeld")
        kinds, unknown_kinds = self._terms(self.org_kinds, row, "kind", "kind of organisation")
        problems += unknown_fields + unknown_kinds
        if len(kinds) > 1:
            problems.append("give only one kind of organisation")
        problems += self._check_lengths(
            Organization,
            row,
            ("name", "street", "postcode", "gemeinde", "website", "email", "phone"),
        )
        if problems:
            raise RowRefused(problems)
        kind = kinds[0] if kinds else None
        values = {
            attribute: row.get(attribute)
            for attribute in ("street", "postcode", "gemeinde", "website", "phone", "notes")
        }
        values["email"] = email
        existing = self.organisations.get(fold_text(name))
        if existing is None:
            organization = self.repository.new_organization(
                self.at, name, kind, fields, source=self._source(row), **values
            )
            self.organisations[fold_text(name)] = organization
            self._created(organization, row.line)
            self.report.created += 1
            return
        changed: set[str] = set()
        for attribute, value in values.items():
            self._merge(existing, attribute, value, row.line, changed)
        if kind is not None:
            if existing.kind is None:
                existing.kind = kind
                changed.add("kind")
            elif existing.kind is not kind:
                header = self.table.headers.get("kind", "kind")
                self._note(
                    row.line,
                    f'{self._label(existing)}: {header} differs – kept "{existing.kind.label_de}"'
                    f', the file has "{row.get("kind")}"',
                )
        if self._merge_terms(existing.fields, fields):
            changed.add("fields")
        if changed:
            existing.updated_at = self.at
            self._updated(existing, changed)
        self._outcome(changed)

    # ----------------------------------------------------------------- offers

    def _offer_row(self, row: SourceRow) -> None:
        title = row.get("title")
        problems = [] if title else ["no title"]
        fields, unknown_fields = self._terms(self.fields, row, "fields", "Handlungsfeld")
        groups, unknown_groups = self._terms(
            self.target_groups, row, "target_groups", "target group"
        )
        problems += unknown_fields + unknown_groups
        problems += self._check_lengths(
            Offer, row, ("title", "place", "gemeinde", "schedule", "cost", "link")
        )
        if len(row.get("provider")) > 255:
            problems.append("the provider's name is longer than 255 characters")
        if problems:
            raise RowRefused(problems)
        provider_name = row.get("provider")
        provider = self._organisation_named(provider_name, row.line) if provider_name else None
        values = {
            attribute: row.get(attribute)
            for attribute in ("place", "gemeinde", "schedule", "cost", "link", "description")
        }
        key = (fold_text(title), provider)
        existing = self.offers.get(key)
        if existing is None:
            offer = self.repository.new_offer(
                self.at, title, provider, fields, groups, source=self._source(row), **values
            )
            self.offers[key] = offer
            self._created(offer, row.line)
            self.report.created += 1
            return
        changed: set[str] = set()
        for attribute, value in values.items():
            self._merge(existing, attribute, value, row.line, changed)
        if self._merge_terms(existing.fields, fields):
            changed.add("fields")
        if self._merge_terms(existing.target_groups, groups):
            changed.add("target_groups")
        if changed:
            existing.updated_at = self.at
            self._updated(existing, changed)
        self._outcome(changed)

    # ----------------------------------------------------------------- writing

    async def _write(self) -> None:
        """Write what is staged, with an audit entry for each record not yet audited."""
        if self.dry_run:
            return
        audit = [
            AuditLine(
                change.action,
                change.object_type,
                record,
                "import"
                if change.action == "create"
                else "import: " + ", ".join(sorted(change.fields)),
            )
            for record, change in self.changes.items()
            if record not in self.audited
        ]
        await self.repository.write(self.at, self.actor, audit)
        self.audited.update(line.record for line in audit)

    async def _reindex(self) -> None:
        if self.dry_run:
            return
        await self.repository.reindex(
            [r for r in self.changes if isinstance(r, Person)],
            [r for r in self.changes if isinstance(r, Organization)],
            [r for r in self.changes if isinstance(r, Offer)],
        )


async def import_file(
    database: Database,
    data: bytes,
    filename: str,
    kind: Kind,
    at: datetime,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    on_table: Callable[[Table], None] | None = None,
) -> ImportReport:
    """Read ``data`` and import it, committing every ``IMPORT_CHUNK`` rows.

    A dry run stages everything in memory, writes nothing and rolls back.
    """
    table = read_table(data, filename, kind)
    if on_table is not None:
        on_table(table)
    async with database.session() as session:
        importer = Importer(session, table, at, filename, dry_run=dry_run)
        report = await importer.run(progress, commit_every=IMPORT_CHUNK)
        if dry_run:
            await session.rollback()
    return report
