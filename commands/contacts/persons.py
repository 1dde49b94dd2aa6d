"""Contacts (persons): ``!kontakt`` searches the network or shows a card, ``!kontakt neu``
records a person, ``!kontakt ändern`` changes one, with the legal basis of storing them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from commands.contacts.common import (
    NONE,
    TEAM_ROOMS,
    beyond_end,
    create_organization,
    default_source,
    hit_count,
    labelled,
    new_organization_note,
    organization_entry,
    person_entry,
    role_text,
    terms_text,
)
from commands.contacts.converters import (
    GEMEINDE,
    LegalBasis,
    OrganizationRef,
    TermList,
    TermNames,
    clearable,
    consent_day,
    email_address,
    fields_option,
    legal_basis_choice,
    number_label,
    number_or_query,
    organization_ref,
    phone_number,
)
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotFound
from commands.framework.i18n import N_
from commands.framework.paging import PAGE_OPTION, Page, more_note, page_from
from commands.framework.registry import (
    Converter,
    HelpGroup,
    Option,
    Param,
    Role,
    command,
)
from commands.framework.reply import Reply, Text, code, fmt, join, strong, text
from storage.models import Membership, Organization, Person
from storage.vocabulary import FIELD


def legal_basis_text(ctx: Context, person: Person) -> Text:
    """``public task``, ``consent of 05.03.2027`` or ``… withdrawn on …``."""
    if person.legal_basis != LegalBasis.CONSENT.value:
        return text(ctx._(N_("public task")))
    given = ctx.t.date(person.consent_at) if person.consent_at else NONE
    if person.consent_withdrawn_at is not None:
        return ctx.say(
            "consent of {date}, withdrawn on {withdrawn}",
            date=given,
            withdrawn=ctx.t.date(person.consent_withdrawn_at),
        )
    return ctx.say("consent of {date}", date=given)


def legal_basis_values(
    ctx: Context,
    basis: LegalBasis | None,
    day: datetime | None,
    person: Person | None = None,
) -> dict[str, Any]:
    """The person fields that ``rechtsgrundlage=`` and ``einwilligung_am=`` ask for.

    ``person`` is None for a new contact, which rests on the public task unless consent is
    given with its date; withdrawing consent only makes sense for an existing contact.
    """
    if basis is None and day is None:
        return {} if person is not None else {"legal_basis": LegalBasis.PUBLIC_TASK.value}
    if basis in (LegalBasis.PUBLIC_TASK, LegalBasis.WITHDRAWN) and day is not None:
        raise BadArgument(
            ctx._(N_("consent_date= belongs to legal_basis=consent only; leave it out here."))
        )
    if basis is LegalBasis.PUBLIC_TASK:
        return {"legal_basis": LegalBasis.PUBLIC_TASK.value}
    if basis is LegalBasis.WITHDRAWN:
        if person is None:
            raise BadArgument(
                ctx._(N_("Withdrawn consent can only be recorded for an existing contact."))
            )
        if person.legal_basis != LegalBasis.CONSENT.value or person.consent_withdrawn_at:
            raise BadArgument(
                ctx.say(
                    "Contact {number} has no consent on record that could be withdrawn.",
                    number=number_label(ctx, person.id),
                )
            )
        return {"consent_withdrawn_at": ctx.clock.now()}
    if day is None:
        raise BadArgument(
            ctx._(N_("Consent needs the day it was given, e.g. consent_date=05.03.2027."))
        )
    return {
        "legal_basis": LegalBasis.CONSENT.value,
        "consent_at": day,
        "consent_withdrawn_at": None,
    }


@command(
    "kontakt",
    english="contact",
    help=N_("Searches contacts and organisations, or shows contact No. N in full."),
    params=[Param("target", N_("search term or number"), number_or_query, greedy=True)],
    options=[PAGE_OPTION],
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=("!kontakt müller", "!kontakt schulsozialarbeit seite=2", "!kontakt 12"),
    group=HelpGroup.CONTACTS,
    rank=10,
)
async def contact_show(ctx: Context, target: int | str, page: int | None) -> Reply:
    if isinstance(target, int):
        return await contact_card(ctx, target)
    return await contact_search(ctx, target, page_from(page))


async def contact_search(ctx: Context, query: str, page: Page) -> Reply:
    """Persons and organisations matching ``query``, best first, one page of them."""
    found = await ctx.store.search.search(
        query, kinds=("person", "organization"), limit=page.size, offset=page.offset
    )
    # A result list is a bulk view of personal data. The query is not logged: it may be a name.
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "search", "person", "*")
    if found.total == 0:
        return Reply.of(
            ctx.say(
                "No contact or organisation matches {query}. {who} finds people by "
                "topic; {new} records a new contact.",
                query=strong(query),
                who=code(ctx.command_ref("wer", "<…>")),
                new=code(ctx.command_ref(contact_create, '"…"')),
            )
        )
    if not found.hits:
        raise beyond_end(ctx, page, found.total)
    persons = await ctx.store.contacts.persons_by_ids(
        [hit.id for hit in found.hits if hit.kind == "person"]
    )
    organizations = await ctx.store.contacts.organizations_by_ids(
        [hit.id for hit in found.hits if hit.kind == "organization"]
    )
    roles = await ctx.store.contacts.roles_of(persons)
    entries: dict[tuple[str, int], Text] = {}
    for person in persons:
        entries["person", person.id] = person_entry(ctx, person, roles[person.id])
    for organization in organizations:
        entries["organization", organization.id] = organization_entry(ctx, organization)
    header = ctx.t.ngettext("{count} hit for {query}:", "{count} hits for {query}:", found.total)
    reply = Reply.of(strong(fmt(header, count=hit_count(found), query=query)))
    return reply.bullets(
        (entries[hit.kind, hit.id] for hit in found.hits if (hit.kind, hit.id) in entries),
        more_note(ctx, page, found.total, ctx.command_ref(contact_show, query)),
    )


async def person_numbered(ctx: Context, number: int, *, places: bool = False) -> Person:
    """Contact No. ``number`` with its fields (with ``places`` also where it works)."""
    person = await ctx.store.contacts.person(number, places=places)
    if person is None:
        raise NotFound(
            ctx.say(
                "There is no contact with {number}. {search} searches by name.",
                number=number_label(ctx, number),
                search=code(ctx.command_ref(contact_show, "<…>")),
            )
        )
    return person


async def person_with_places(ctx: Context, number: int) -> Person:
    """Contact No. ``number`` with its fields and where it works, for a change."""
    return await person_numbered(ctx, number, places=True)


async def contact_card(ctx: Context, number: int) -> Reply:
    """Everything stored about one person, including where it came from and why it is kept."""
    person = await person_numbered(ctx, number)
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "view", "person", person.id)
    roles = (await ctx.store.contacts.roles_of([person]))[person.id]
    reply = Reply.of(
        strong(
            ctx.say(
                "Contact {number}: {name}",
                number=number_label(ctx, person.id),
                name=person.display_name,
            )
        )
    )
    lines = [
        labelled(ctx, N_("Memberships"), join("; ", (role_text(ctx, role) for role in roles)))
    ]
    lines.append(labelled(ctx, N_("Fields"), terms_text(ctx, person.fields)))
    lines.append(labelled(ctx, N_("Municipality"), person.gemeinde))
    if ctx.may_see_contact_data:
        lines.append(labelled(ctx, N_("E-mail"), person.email))
        lines.append(labelled(ctx, N_("Phone"), person.phone))
        lines.append(labelled(ctx, N_("Matrix ID"), person.matrix_id))
        lines.append(labelled(ctx, N_("Notes"), person.notes))
    lines.append(labelled(ctx, N_("Source"), person.source))
    lines.append(labelled(ctx, N_("Recorded"), ctx.t.date(person.recorded_at)))
    lines.append(labelled(ctx, N_("Legal basis"), legal_basis_text(ctx, person)))
    last = person.last_activity_at
    lines.append(labelled(ctx, N_("Last activity"), ctx.t.date(last) if last else NONE))
    reply.bullets(lines)
    return reply.add(
        ctx.say(
            "Change it with {command}.",
            command=code(ctx.command_ref(contact_change, f"{person.id} …")),
        )
    )


# A person's one-line fields, limited as their columns are (the import applies the same).
PERSON_NAME = converters.FieldText(Person, "name", N_("A name"))
FUNCTION = converters.FieldText(Membership, "function", N_("A function"))
SOURCE = converters.FieldText(Person, "source", N_("A source"))


def person_options(for_change: bool) -> list[Option]:
    """The ``key=value`` options of ``!kontakt neu`` and ``!kontakt ändern``.

    When changing, an empty value or ``-`` removes an optional entry (``tel=-``).
    """

    def optional(converter: Converter) -> Converter:
        return clearable(converter) if for_change else converter

    options = [
        Option("title", "titel", optional(converters.text), aliases=("title",)),
        Option("organization", "org", organization_ref, aliases=("organisation", "organization")),
        Option("function", "funktion", FUNCTION, aliases=("function",)),
        Option("email", "email", optional(email_address), aliases=("mail", "e-mail")),
        Option("phone", "tel", optional(phone_number), aliases=("phone", "telefon")),
        fields_option(TermList(FIELD, allow_empty=for_change)),
        Option("gemeinde", "gemeinde", optional(GEMEINDE), aliases=("municipality",)),
        Option("source", "quelle", SOURCE, aliases=("source",)),
        Option("matrix", "matrix", optional(converters.matrix_user), aliases=("matrix_id",)),
        Option("note", "notiz", optional(converters.text), aliases=("note", "notes")),
        Option("legal_basis", "rechtsgrundlage", legal_basis_choice, aliases=("legal_basis",)),
        Option("consent_date", "einwilligung_am", consent_day, aliases=("consent_date",)),
    ]
    if for_change:
        options.insert(0, Option("name", "name", PERSON_NAME))
    return options


async def refuse_duplicate(ctx: Context, duplicate: Person | None, person: Person | None) -> None:
    """Refuse to record ``person`` twice: name the existing record and how to change it."""
    if duplicate is None or (person is not None and duplicate.id == person.id):
        return
    raise BadArgument(
        ctx.say(
            "{name} is already recorded as {number}; change it with {command}.",
            name=strong(duplicate.display_name),
            number=number_label(ctx, duplicate.id),
            command=code(ctx.command_ref(contact_change, f"{duplicate.id} …")),
        )
    )


@command(
    "kontakt neu",
    english="contact new",
    help=N_("Records a new contact with organisation, function, fields and source."),
    params=[Param("name", N_("name"), PERSON_NAME, greedy=True)],
    options=person_options(for_change=False),
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=(
        '!kontakt neu "Maria Müller" org="Gymnasium Am Park" funktion=Schulsozialarbeit '
        'email=m.mueller@gap.de feld="Übergang Schule–Beruf" gemeinde=Herford',
    ),
    group=HelpGroup.CONTACTS,
    rank=20,
)
async def contact_create(
    ctx: Context,
    name: str,
    title: str | None,
    organization: OrganizationRef | None,
    function: str | None,
    email: str | None,
    phone: str | None,
    fields: TermNames | None,
    gemeinde: str | None,
    source: str | None,
    matrix: str | None,
    note: str | None,
    legal_basis: LegalBasis | None,
    consent_date: datetime | None,
) -> Reply:
    terms = await fields.resolve(ctx) if fields is not None else []
    employer = await organization.find(ctx) if organization is not None else None
    if function and organization is None:
        raise BadArgument(
            ctx._(N_("A function belongs to an organisation: add org= with its number or name."))
        )
    basis = legal_basis_values(ctx, legal_basis, consent_date)
    await refuse_duplicate(
        ctx, await ctx.store.contacts.duplicate_of(name, email or "", employer), None
    )

    created_organization = None
    if organization is not None and employer is None:
        employer = created_organization = await create_organization(ctx, organization.name)
    person = await ctx.store.contacts.add_person(
        ctx.clock.now(),
        name,
        terms,
        title=title or "",
        email=email or "",
        phone=phone or "",
        matrix_id=matrix or "",
        gemeinde=gemeinde or "",
        notes=note or "",
        source=source or default_source(ctx),
        **basis,
    )
    if employer is not None:
        await ctx.store.contacts.link(person, employer, function or "")
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "create", "person", person.id)

    roles = (await ctx.store.contacts.roles_of([person]))[person.id]
    reply = Reply.of(
        ctx.say(
            "Contact {number} recorded: {entry}",
            number=number_label(ctx, person.id),
            entry=person_entry(ctx, person, roles),
        )
    )
    if created_organization is not None:
        reply.add(new_organization_note(ctx, created_organization))
    return reply


# Card lines compared before and after a change: (audit name, label msgid, personal).
# For personal data the answer says only that it changed, never the old or new value.
CHANGE_LINES = (
    ("name", N_("Name"), False),
    ("title", N_("Title"), False),
    ("memberships", N_("Memberships"), False),
    ("fields", N_("Fields"), False),
    ("gemeinde", N_("Municipality"), False),
    ("email", N_("E-mail"), True),
    ("phone", N_("Phone"), True),
    ("matrix_id", N_("Matrix ID"), True),
    ("notes", N_("Notes"), True),
    ("source", N_("Source"), False),
    ("legal_basis", N_("Legal basis"), False),
)


async def change_snapshot(ctx: Context, person: Person) -> dict[str, Text]:
    """What the answer to ``!kontakt ändern`` compares: each line of the card as text."""
    roles = (await ctx.store.contacts.roles_of([person]))[person.id]
    return {
        "name": text(person.name),
        "title": text(person.title),
        "memberships": join("; ", (role_text(ctx, role) for role in roles)),
        "fields": text(terms_text(ctx, person.fields)),
        "gemeinde": text(person.gemeinde),
        "email": text(person.email),
        "phone": text(person.phone),
        "matrix_id": text(person.matrix_id),
        "notes": text(person.notes),
        "source": text(person.source),
        "legal_basis": legal_basis_text(ctx, person),
    }


@command(
    "kontakt ändern",
    english="contact change",
    help=N_("Changes a contact: give only what is new, e.g. tel=… or org=… funktion=…"),
    params=[Param("person", N_("number"), converters.looked_up(person_with_places))],
    options=person_options(for_change=True),
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=(
        '!kontakt ändern 12 tel="05221 59-1234" gemeinde=Herford',
        "!kontakt ändern 12 notiz=-",
    ),
    group=HelpGroup.CONTACTS,
    rank=30,
)
async def contact_change(
    ctx: Context,
    person: Person,
    name: str | None,
    title: str | None,
    organization: OrganizationRef | None,
    function: str | None,
    email: str | None,
    phone: str | None,
    fields: TermNames | None,
    gemeinde: str | None,
    source: str | None,
    matrix: str | None,
    note: str | None,
    legal_basis: LegalBasis | None,
    consent_date: datetime | None,
) -> Reply:
    plain = {"name": name, "title": title, "email": email, "phone": phone, "matrix_id": matrix,
             "gemeinde": gemeinde, "notes": note, "source": source}  # fmt: skip
    values: dict[str, Any] = {key: value for key, value in plain.items() if value is not None}
    if not values and all(
        given is None for given in (organization, function, fields, legal_basis, consent_date)
    ):
        raise BadArgument(
            ctx.say(
                "Nothing to change. Give what is new, e.g. {example}.",
                example=code(ctx.command_ref(contact_change, f'{person.id} tel="05221 59-1234"')),
            )
        )
    if fields is not None:
        values["fields"] = await fields.resolve(ctx)
    values |= legal_basis_values(ctx, legal_basis, consent_date, person)
    employer = await organization.find(ctx) if organization is not None else None
    if function and organization is None:
        employer = only_employer(ctx, person)
    if email and email.lower() != person.email.lower():
        await refuse_duplicate(ctx, await ctx.store.contacts.person_by_email(email), person)
    if name is not None:
        for membership in person.memberships:
            await refuse_duplicate(
                ctx,
                await ctx.store.contacts.duplicate_of(name, "", membership.organization),
                person,
            )

    before = await change_snapshot(ctx, person)
    created_organization = None
    if organization is not None and employer is None:
        employer = created_organization = await create_organization(ctx, organization.name)
    if employer is not None:
        await ctx.store.contacts.link(person, employer, function or "")
    await ctx.store.contacts.update_person(person, ctx.clock.now(), **values)
    after = await change_snapshot(ctx, person)

    changed = [line for line in CHANGE_LINES if before[line[0]].plain != after[line[0]].plain]
    if not changed:
        return Reply.of(
            ctx.say(
                "Nothing changed: contact {number} already reads like that.",
                number=number_label(ctx, person.id),
            )
        )
    await ctx.store.audit.record(
        ctx.clock.now(),
        ctx.sender,
        "update",
        "person",
        person.id,
        ",".join(key for key, _label, _personal in changed),
    )
    reply = Reply.of(
        strong(ctx.say("Contact {number} changed:", number=number_label(ctx, person.id)))
    )
    reply.bullets(
        ctx.say("{label} changed", label=ctx._(label))
        if personal
        else fmt(
            "{label}: {old} → {new}",
            label=ctx._(label),
            old=before[key] if before[key].plain else NONE,
            new=after[key] if after[key].plain else NONE,
        )
        for key, label, personal in changed
    )
    if created_organization is not None:
        reply.add(new_organization_note(ctx, created_organization))
    return reply


def only_employer(ctx: Context, person: Person) -> Organization:
    """The one organisation whose function ``funktion=`` changes when no ``org=`` is given."""
    employers = [m.organization for m in person.memberships if m.organization is not None]
    if len(employers) == 1:
        return employers[0]
    if not employers:
        message = N_(
            "Contact {number} works for no organisation yet; add org=… together with the function."
        )
    else:
        message = N_(
            "Contact {number} works for {count} organisations; say which one the function "
            "belongs to with org=…"
        )
    raise BadArgument(
        fmt(ctx._(message), number=number_label(ctx, person.id), count=len(employers))
    )
