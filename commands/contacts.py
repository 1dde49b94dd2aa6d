"""Contact network commands: ``!kontakt``, ``!wer``, ``!organisation``, ``!angebot``.

All of them are for the team, in the team room or a direct chat with the bot: the network is
personal data, and the dispatcher refuses these commands anywhere else before they look at
anything, so a refusal cannot tell whether a person exists.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from commands import converters
from commands.committees import committee_who, role_label
from commands.contact_converters import (
    LegalBasis,
    OrganizationRef,
    TermList,
    TermNames,
    clearable,
    consent_day,
    email_address,
    field_list,
    legal_basis_choice,
    number_label,
    number_or_query,
    organization_kind,
    organization_ref,
    phone_number,
    postcode,
    target_group_list,
    term_label,
    web_address,
)
from commands.context import Context
from commands.errors import BadArgument, NotFound
from commands.i18n import N_
from commands.paging import PAGE_OPTION, Page, more_note, page_from
from commands.registry import (
    Converter,
    Handler,
    Option,
    Param,
    Role,
    RoomKind,
    command,
    declaration_of,
)
from commands.reply import Reply, Text, code, fmt, join, strong, text
from storage.contacts import PersonRole, Responsible
from storage.models import Offer, Organization, Person, VocabularyTerm
from storage.search import SearchPage
from storage.vocabulary import FIELD, ORG_KIND

TEAM_ROOMS = (RoomKind.TEAM, RoomKind.DIRECT)
# A full-text "!wer" collects this many hits before grouping them by organisation.
WHO_SEARCH_LIMIT = 200
NONE = "–"


# --------------------------------------------------------------------------- small helpers


def command_text(ctx: Context, handler: Handler, rest: str = "") -> str:
    """How the reader types ``handler``'s command, e.g. ``!kontakt ändern 12 …``."""
    name = declaration_of(handler).name_in(ctx.t.language)
    return f"{ctx.prefix}{name} {rest}".rstrip()


def option_text(key: str, value: str) -> str:
    """``key=value``, quoted when the value has spaces, for "next page" commands."""
    return f'{key}="{value}"' if any(ch.isspace() for ch in value) else f"{key}={value}"


def labelled(ctx: Context, label: str, value: Text | str) -> Text:
    """``Label: value`` for the lines of a card; ``label`` is an English msgid."""
    return fmt("{label}: {value}", label=ctx._(label), value=value or NONE)


def filled(ctx: Context, *pairs: tuple[str, str]) -> list[Text]:
    """Card lines for the optional entries that have a value; empty ones are left out."""
    return [labelled(ctx, label, value) for label, value in pairs if value]


def terms_text(ctx: Context, terms: Iterable[VocabularyTerm]) -> str:
    return ", ".join(term_label(ctx, term) for term in terms)


def role_text(ctx: Context, role: PersonRole) -> Text:
    """``Gymnasium Am Park (Schulsozialarbeit)``; a committee seat's role in the reader's
    language: ``Bildungsbeirat (chair)``."""
    function = role_label(ctx, role.function) if role.kind == "committee" else role.function
    if function:
        return fmt("{body} ({function})", body=role.body_name, function=function)
    return text(role.body_name)


def default_source(ctx: Context) -> str:
    """Where a record typed into the chat comes from: ``Matrix (@anna:example.org)``."""
    return f"Matrix ({ctx.sender})"


def beyond_end(ctx: Context, page: Page, total: int) -> BadArgument:
    """The error for ``seite=N`` past the last page."""
    pages = -(-total // page.size)
    template = ctx.t.ngettext(
        "Page {page} does not exist: there is {pages} page of results.",
        "Page {page} does not exist: there are {pages} pages of results.",
        pages,
    )
    return BadArgument(fmt(template, page=page.number, pages=pages))


def hit_count(found: SearchPage) -> str:
    """``12``, or ``1000+`` when the search stopped counting."""
    return f"{found.total}+" if found.capped else str(found.total)


def missing(ctx: Context, keys: list[str]) -> BadArgument:
    return BadArgument(
        fmt(ctx._(N_("Missing: {what}.")), what=join(", ", [code(f"{k}=…") for k in keys]))
    )


async def create_organization(ctx: Context, name: str) -> Organization:
    """Record an organisation met for the first time as a contact's employer or a provider."""
    kind = await ctx.store.vocabulary.match(ORG_KIND, "sonstige")
    organization = await ctx.store.contacts.add_organization(
        ctx.clock.now(), name, kind=kind, source=default_source(ctx)
    )
    await ctx.store.audit.record(
        ctx.clock.now(), ctx.sender, "create", "organization", organization.id
    )
    return organization


def new_organization_note(ctx: Context, organization: Organization) -> Text:
    return fmt(
        ctx._(N_("The organisation {name} was new and has been recorded as {number} ({kind}).")),
        name=strong(organization.name),
        number=number_label(ctx, organization.id),
        kind=term_label(ctx, organization.kind) if organization.kind else NONE,
    )


# --------------------------------------------------------------------------- short entries


def person_entry(ctx: Context, person: Person, roles: list[PersonRole]) -> Text:
    """One line of a list: number, name, organisations with function, fields, Gemeinde."""
    parts: list[Text | str] = [
        fmt(
            "{number} · {name}",
            number=number_label(ctx, person.id),
            name=strong(person.display_name),
        )
    ]
    if roles:
        parts.append(join("; ", (role_text(ctx, role) for role in roles)))
    if person.fields:
        parts.append(terms_text(ctx, person.fields))
    if person.gemeinde:
        parts.append(person.gemeinde)
    if person.email and ctx.may_see_contact_data:
        parts.append(person.email)
    return join(" · ", parts)


def organization_entry(ctx: Context, organization: Organization) -> Text:
    """One line of a list: number, name, kind, fields, Gemeinde, how many people."""
    parts: list[Text | str] = [
        fmt(
            ctx._(N_("Organisation {number} · {name}")),
            number=number_label(ctx, organization.id),
            name=strong(organization.name),
        )
    ]
    if organization.kind is not None:
        parts.append(term_label(ctx, organization.kind))
    if organization.fields:
        parts.append(terms_text(ctx, organization.fields))
    if organization.gemeinde:
        parts.append(organization.gemeinde)
    people = len(organization.memberships)
    if people:
        parts.append(
            fmt(ctx.t.ngettext("{count} person", "{count} persons", people), count=people)
        )
    return join(" · ", parts)


def offer_entry(ctx: Context, offer: Offer) -> Text:
    """One line of a list: number, title, provider, place, target groups, time."""
    parts: list[Text | str] = [
        fmt("{number} · {title}", number=number_label(ctx, offer.id), title=strong(offer.title))
    ]
    if offer.provider is not None:
        parts.append(offer.provider.name)
    place = ", ".join(part for part in (offer.place, offer.gemeinde) if part)
    if place:
        parts.append(place)
    if offer.target_groups:
        parts.append(terms_text(ctx, offer.target_groups))
    if offer.schedule:
        parts.append(offer.schedule)
    return join(" · ", parts)


def legal_basis_text(ctx: Context, person: Person) -> Text:
    """``public task``, ``consent of 05.03.2027`` or ``… withdrawn on …``."""
    if person.legal_basis != LegalBasis.CONSENT.value:
        return text(ctx._(N_("public task")))
    given = ctx.t.date(person.consent_at) if person.consent_at else NONE
    if person.consent_withdrawn_at is not None:
        return fmt(
            ctx._(N_("consent of {date}, withdrawn on {withdrawn}")),
            date=given,
            withdrawn=ctx.t.date(person.consent_withdrawn_at),
        )
    return fmt(ctx._(N_("consent of {date}")), date=given)


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
                fmt(
                    ctx._(
                        N_("Contact {number} has no consent on record that could be withdrawn.")
                    ),
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


# --------------------------------------------------------------------------- !kontakt


@command(
    "kontakt",
    english="contact",
    help=N_("Searches contacts and organisations, or shows contact No. N in full."),
    params=[Param("target", N_("search term or number"), number_or_query, greedy=True)],
    options=[PAGE_OPTION],
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=("!kontakt müller", "!kontakt schulsozialarbeit seite=2", "!kontakt 12"),
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
            fmt(
                ctx._(
                    N_(
                        "No contact or organisation matches {query}. {who} finds people by "
                        "topic; {new} records a new contact."
                    )
                ),
                query=strong(query),
                who=code(command_text(ctx, responsible_find, "<…>")),
                new=code(command_text(ctx, contact_create, '"…"')),
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
    name = declaration_of(contact_show).name_in(ctx.t.language)
    return reply.bullets(
        (entries[hit.kind, hit.id] for hit in found.hits if (hit.kind, hit.id) in entries),
        more_note(ctx, page, found.total, f"{name} {query}"),
    )


async def person_numbered(ctx: Context, number: int, *, places: bool = False) -> Person:
    """Contact No. ``number`` with its fields (with ``places`` also where it works)."""
    person = await ctx.store.contacts.person(number, places=places)
    if person is None:
        raise NotFound(
            fmt(
                ctx._(N_("There is no contact with {number}. {search} searches by name.")),
                number=number_label(ctx, number),
                search=code(command_text(ctx, contact_show, "<…>")),
            )
        )
    return person


async def contact_card(ctx: Context, number: int) -> Reply:
    """Everything stored about one person, including where it came from and why it is kept."""
    person = await person_numbered(ctx, number)
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "view", "person", person.id)
    roles = (await ctx.store.contacts.roles_of([person]))[person.id]
    reply = Reply.of(
        strong(
            fmt(
                ctx._(N_("Contact {number}: {name}")),
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
        fmt(
            ctx._(N_("Change it with {command}.")),
            command=code(command_text(ctx, contact_change, f"{person.id} …")),
        )
    )


def person_options(for_change: bool) -> list[Option]:
    """The ``key=value`` options of ``!kontakt neu`` and ``!kontakt ändern``.

    When changing, an empty value or ``-`` removes an optional entry (``tel=-``).
    """

    def optional(converter: Converter) -> Converter:
        return clearable(converter) if for_change else converter

    options = [
        Option("title", "titel", optional(converters.text), aliases=("title",)),
        Option("organization", "org", organization_ref, aliases=("organisation", "organization")),
        Option("function", "funktion", converters.text, aliases=("function",)),
        Option("email", "email", optional(email_address), aliases=("mail", "e-mail")),
        Option("phone", "tel", optional(phone_number), aliases=("phone", "telefon")),
        Option(
            "fields",
            "felder",
            TermList(FIELD, allow_empty=for_change),
            aliases=("fields", "feld", "field"),
        ),
        Option("gemeinde", "gemeinde", optional(converters.text), aliases=("municipality",)),
        Option("source", "quelle", converters.text, aliases=("source",)),
        Option("matrix", "matrix", optional(converters.matrix_user), aliases=("matrix_id",)),
        Option("note", "notiz", optional(converters.text), aliases=("note", "notes")),
        Option("legal_basis", "rechtsgrundlage", legal_basis_choice, aliases=("legal_basis",)),
        Option("consent_date", "einwilligung_am", consent_day, aliases=("consent_date",)),
    ]
    if for_change:
        options.insert(0, Option("name", "name", converters.text))
    return options


async def refuse_duplicate(ctx: Context, duplicate: Person | None, person: Person | None) -> None:
    """Refuse to record ``person`` twice: name the existing record and how to change it."""
    if duplicate is None or (person is not None and duplicate.id == person.id):
        return
    raise BadArgument(
        fmt(
            ctx._(N_("{name} is already recorded as {number}; change it with {command}.")),
            name=strong(duplicate.display_name),
            number=number_label(ctx, duplicate.id),
            command=code(command_text(ctx, contact_change, f"{duplicate.id} …")),
        )
    )


@command(
    "kontakt neu",
    english="contact new",
    help=N_("Records a new contact with organisation, function, fields and source."),
    params=[Param("name", N_("name"), converters.text, greedy=True)],
    options=person_options(for_change=False),
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=(
        '!kontakt neu "Maria Müller" org="Gymnasium Am Park" funktion=Schulsozialarbeit '
        'email=m.mueller@gap.de felder="Übergang Schule–Beruf" gemeinde=Herford',
    ),
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
        fmt(
            ctx._(N_("Contact {number} recorded: {entry}")),
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
    params=[Param("number", N_("number"), converters.number)],
    options=person_options(for_change=True),
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=(
        '!kontakt ändern 12 tel="05221 59-1234" gemeinde=Herford',
        "!kontakt ändern 12 notiz=-",
    ),
)
async def contact_change(
    ctx: Context,
    number: int,
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
    person = await person_numbered(ctx, number, places=True)
    plain = {"name": name, "title": title, "email": email, "phone": phone, "matrix_id": matrix,
             "gemeinde": gemeinde, "notes": note, "source": source}  # fmt: skip
    values: dict[str, Any] = {key: value for key, value in plain.items() if value is not None}
    if not values and all(
        given is None for given in (organization, function, fields, legal_basis, consent_date)
    ):
        raise BadArgument(
            fmt(
                ctx._(N_("Nothing to change. Give what is new, e.g. {example}.")),
                example=code(
                    command_text(ctx, contact_change, f'{person.id} tel="05221 59-1234"')
                ),
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
            fmt(
                ctx._(N_("Nothing changed: contact {number} already reads like that.")),
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
        strong(
            fmt(
                ctx._(N_("Contact {number} changed:")),
                number=number_label(ctx, person.id),
            )
        )
    )
    reply.bullets(
        fmt(ctx._(N_("{label} changed")), label=ctx._(label))
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


# --------------------------------------------------------------------------- !wer


@command(
    "wer",
    english="who",
    help=N_(
        "Shows who is responsible for a topic or field, grouped by organisation, or who sits "
        "on a committee."
    ),
    params=[Param("topic", N_("topic or field"), converters.text, greedy=True)],
    options=[
        Option("gemeinde", "gemeinde", converters.text, aliases=("municipality",)),
        PAGE_OPTION,
    ],
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=(
        "!wer ÜSB",
        "!wer Sprachförderung gemeinde=Herford",
        "!wer Ganztag seite=2",
        "!wer Bildungsbeirat",
    ),
)
async def responsible_find(
    ctx: Context, topic: str, gemeinde: str | None, page: int | None
) -> Reply:
    shown = page_from(page)
    line = f"{declaration_of(responsible_find).name_in(ctx.t.language)} {topic}"
    if gemeinde:
        line += " " + option_text("gemeinde", gemeinde)
    committee = await ctx.store.committees.named(topic, seats=True)
    if committee is not None:
        # A committee's name or short name: its members with their roles, chair first.
        await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "search", "person", "*")
        return committee_who(ctx, committee, gemeinde, shown, line)
    field = await ctx.store.vocabulary.match(FIELD, topic)
    if field is not None:
        rows = await ctx.store.contacts.responsible_for_field(field, gemeinde)
        subject = term_label(ctx, field)
    else:
        # The Gemeinde is applied afterwards: a person counts for it through their own
        # Gemeinde or through their organisation's, which the search index cannot know.
        found = await ctx.store.search.search(
            topic, kinds=("person", "organization"), limit=WHO_SEARCH_LIMIT
        )
        rows = await ctx.store.contacts.responsible_among(
            [hit.id for hit in found.hits if hit.kind == "person"],
            [hit.id for hit in found.hits if hit.kind == "organization"],
            gemeinde,
        )
        subject = topic
    # Names and functions of many people at once: a bulk view, logged without the topic.
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "search", "person", "*")

    people = list(dict.fromkeys(row.person.id for row in rows))
    if not people:
        return nobody_for(ctx, subject, gemeinde)
    on_page = set(people[shown.offset : shown.offset + shown.size])
    if not on_page:
        raise beyond_end(ctx, shown, len(people))
    rows = [row for row in rows if row.person.id in on_page]
    roles = await ctx.store.contacts.roles_of([row.person for row in rows])

    if gemeinde:
        header = ctx.t.ngettext(
            "{count} person for {topic} in {gemeinde}:",
            "{count} persons for {topic} in {gemeinde}:",
            len(people),
        )
    else:
        header = ctx.t.ngettext(
            "{count} person for {topic}:", "{count} persons for {topic}:", len(people)
        )
    reply = Reply.of(
        strong(fmt(header, count=len(people), topic=subject, gemeinde=gemeinde or ""))
    )
    groups = itertools.groupby(rows, key=lambda row: row.organization)
    return reply.bullets(
        [
            responsible_group(ctx, organization, list(group), roles)
            for organization, group in groups
        ],
        more_note(ctx, shown, len(people), line),
    )


def responsible_group(
    ctx: Context,
    organization: Organization | None,
    rows: list[Responsible],
    roles: dict[int, list[PersonRole]],
) -> Text:
    """``Gymnasium Am Park: Nr. 12 Maria Müller (Schulsozialarbeit), also: …; Nr. 14 …``."""
    people = []
    for row in rows:
        entry = fmt(
            "{number} {name}",
            number=number_label(ctx, row.person.id),
            name=row.person.display_name,
        )
        if row.function:
            entry += fmt(" ({function})", function=row.function)
        elsewhere = [
            role
            for role in roles[row.person.id]
            if not (
                role.kind == "organization" and organization and role.body_id == organization.id
            )
        ]
        if elsewhere:
            entry += fmt(
                ctx._(N_(", also: {roles}")),
                roles=join("; ", (role_text(ctx, role) for role in elsewhere)),
            )
        people.append(entry)
    where = strong(organization.name) if organization else text(ctx._(N_("Without organisation")))
    return fmt("{where}: {people}", where=where, people=join("; ", people))


def nobody_for(ctx: Context, subject: str, gemeinde: str | None) -> Reply:
    """No one found: say so, and name the fields one can ask for."""
    if gemeinde:
        message = fmt(
            ctx._(N_("Nobody is recorded for {topic} in {gemeinde}.")),
            topic=strong(subject),
            gemeinde=gemeinde,
        )
    else:
        message = fmt(ctx._(N_("Nobody is recorded for {topic}.")), topic=strong(subject))
    reply = Reply.of(message)
    return reply.add(
        fmt(
            ctx._(N_("{search} searches all contacts by name; {new} records someone.")),
            search=code(command_text(ctx, contact_show, "<…>")),
            new=code(command_text(ctx, contact_create, '"…"')),
        )
    )


# --------------------------------------------------------------------------- !organisation


@command(
    "organisation",
    english="organization",
    aliases=("org",),
    help=N_("Searches organisations, or shows organisation No. N with its people and offers."),
    params=[Param("target", N_("search term or number"), number_or_query, greedy=True)],
    options=[PAGE_OPTION],
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=("!organisation vhs", "!organisation 3"),
)
async def organization_show(ctx: Context, target: int | str, page: int | None) -> Reply:
    if isinstance(target, int):
        return await organization_card(ctx, target)
    shown = page_from(page)
    found = await ctx.store.search.search(
        target, kinds=("organization",), limit=shown.size, offset=shown.offset
    )
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "search", "organization", "*")
    if found.total == 0:
        return Reply.of(
            fmt(
                ctx._(N_("No organisation matches {query}. {new} records one.")),
                query=strong(target),
                new=code(command_text(ctx, organization_create, '"…" art=… gemeinde=… felder=…')),
            )
        )
    if not found.hits:
        raise beyond_end(ctx, shown, found.total)
    organizations = await ctx.store.contacts.organizations_by_ids([hit.id for hit in found.hits])
    header = ctx.t.ngettext(
        "{count} organisation for {query}:", "{count} organisations for {query}:", found.total
    )
    reply = Reply.of(strong(fmt(header, count=hit_count(found), query=target)))
    name = declaration_of(organization_show).name_in(ctx.t.language)
    return reply.bullets(
        (organization_entry(ctx, organization) for organization in organizations),
        more_note(ctx, shown, found.total, f"{name} {target}"),
    )


async def organization_numbered(ctx: Context, number: int) -> Organization:
    """Organisation No. ``number`` with the people who work there."""
    organization = await ctx.store.contacts.organization(number, people=True)
    if organization is None:
        raise NotFound(
            fmt(
                ctx._(N_("There is no organisation with {number}. {search} searches by name.")),
                number=number_label(ctx, number),
                search=code(command_text(ctx, organization_show, "<…>")),
            )
        )
    return organization


async def organization_card(ctx: Context, number: int) -> Reply:
    """An organisation with its address, fields, people (name and function) and offers."""
    organization = await organization_numbered(ctx, number)
    await ctx.store.audit.record(
        ctx.clock.now(), ctx.sender, "view", "organization", organization.id
    )
    reply = Reply.of(
        strong(
            fmt(
                ctx._(N_("Organisation {number}: {name}")),
                number=number_label(ctx, organization.id),
                name=organization.name,
            )
        )
    )
    address = ", ".join(
        part
        for part in (
            organization.street,
            " ".join(p for p in (organization.postcode, organization.gemeinde) if p),
        )
        if part
    )
    contact = (organization.email, organization.phone, organization.notes)
    if not ctx.may_see_contact_data:
        contact = ("", "", "")
    lines = [
        labelled(ctx, N_("Kind"), term_label(ctx, organization.kind) if organization.kind else ""),
        labelled(ctx, N_("Fields"), terms_text(ctx, organization.fields)),
        *filled(
            ctx,
            (N_("Address"), address),
            (N_("Website"), organization.website),
            (N_("E-mail"), contact[0]),
            (N_("Phone"), contact[1]),
            (N_("Notes"), contact[2]),
        ),
        labelled(ctx, N_("Source"), organization.source),
        labelled(ctx, N_("Recorded"), ctx.t.date(organization.created_at)),
    ]
    reply.bullets(lines)

    memberships = sorted(organization.memberships, key=lambda m: m.person.name_key)
    reply.add(strong(ctx._(N_("People:"))))
    if memberships:
        reply.bullets(
            fmt(
                "{number} {name}{function}",
                number=number_label(ctx, m.person.id),
                name=m.person.display_name,
                function=f" ({m.function})" if m.function else "",
            )
            for m in memberships
        )
    else:
        reply.add(ctx._(N_("No people recorded yet.")))
    offers = await ctx.store.contacts.offers_of(organization)
    reply.add(strong(ctx._(N_("Offers:"))))
    if offers:
        reply.bullets(offer_entry(ctx, offer) for offer in offers)
    else:
        reply.add(ctx._(N_("No offers recorded yet.")))
    return reply


@command(
    "organisation neu",
    english="organization new",
    aliases=("org neu", "org new"),
    help=N_("Records a new organisation with its kind, municipality and fields."),
    params=[Param("name", N_("name"), converters.text, greedy=True)],
    options=[
        Option("kind", "art", organization_kind, aliases=("kind",)),
        Option("gemeinde", "gemeinde", converters.text, aliases=("municipality",)),
        Option("fields", "felder", field_list, aliases=("fields", "feld", "field")),
        Option("street", "strasse", converters.text, aliases=("street",)),
        Option("postcode", "plz", postcode, aliases=("postcode", "zip")),
        Option("website", "web", web_address, aliases=("website", "url")),
        Option("email", "email", email_address, aliases=("mail", "e-mail")),
        Option("phone", "tel", phone_number, aliases=("phone", "telefon")),
        Option("source", "quelle", converters.text, aliases=("source",)),
        Option("note", "notiz", converters.text, aliases=("note", "notes")),
    ],
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=(
        '!organisation neu "Gymnasium Am Park" art=Gymnasium gemeinde=Herford '
        'felder="Schule, Übergang Schule–Beruf"',
    ),
)
async def organization_create(
    ctx: Context,
    name: str,
    kind: TermNames | None,
    gemeinde: str | None,
    fields: TermNames | None,
    street: str | None,
    postcode: str | None,
    website: str | None,
    email: str | None,
    phone: str | None,
    source: str | None,
    note: str | None,
) -> Reply:
    absent = [key for key, value in (("art", kind), ("gemeinde", gemeinde), ("felder", fields))
              if value is None]  # fmt: skip
    if absent or kind is None or fields is None or gemeinde is None:
        raise missing(ctx, absent)
    term = await kind.resolve_one(ctx)
    terms = await fields.resolve(ctx)
    existing = await ctx.store.contacts.organization_named(name)
    if existing is not None:
        raise BadArgument(
            fmt(
                ctx._(N_("{name} is already recorded as organisation {number}.")),
                name=strong(existing.name),
                number=number_label(ctx, existing.id),
            )
        )
    organization = await ctx.store.contacts.add_organization(
        ctx.clock.now(),
        name,
        kind=term,
        fields=terms,
        gemeinde=gemeinde,
        street=street or "",
        postcode=postcode or "",
        website=website or "",
        email=email or "",
        phone=phone or "",
        notes=note or "",
        source=source or default_source(ctx),
    )
    await ctx.store.audit.record(
        ctx.clock.now(), ctx.sender, "create", "organization", organization.id
    )
    return Reply.of(
        fmt(
            ctx._(N_("Organisation {number} recorded: {entry}")),
            number=number_label(ctx, organization.id),
            entry=organization_entry(ctx, organization),
        )
    )


# --------------------------------------------------------------------------- !angebot


@command(
    "angebot",
    english="offer",
    help=N_(
        "Searches education offers by keyword, target group, field and municipality, "
        "or shows offer No. N."
    ),
    params=[Param("target", N_("keyword or number"), number_or_query, optional=True, greedy=True)],
    options=[
        Option(
            "target_groups",
            "zielgruppe",
            target_group_list,
            aliases=("target_group", "zielgruppen", "target_groups"),
        ),
        Option("fields", "feld", field_list, aliases=("field", "felder", "fields")),
        Option("gemeinde", "gemeinde", converters.text, aliases=("municipality",)),
        PAGE_OPTION,
    ],
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=("!angebot sprachkurs", "!angebot zielgruppe=Eltern gemeinde=Herford", "!angebot 5"),
)
async def offer_show(
    ctx: Context,
    target: int | str | None,
    target_groups: TermNames | None,
    fields: TermNames | None,
    gemeinde: str | None,
    page: int | None,
) -> Reply:
    if isinstance(target, int):
        return await offer_card(ctx, target)
    shown = page_from(page)
    groups = await target_groups.resolve(ctx) if target_groups is not None else []
    terms = await fields.resolve(ctx) if fields is not None else []
    # Without a keyword the search lists all offers that pass the filters, by title.
    found = await ctx.store.search.search(
        target or "",
        kinds=("offer",),
        gemeinde=gemeinde,
        field_ids=[term.id for term in terms],
        target_group_ids=[group.id for group in groups],
        limit=shown.size,
        offset=shown.offset,
    )
    offers = await ctx.store.contacts.offers_by_ids([hit.id for hit in found.hits])
    total = found.total
    if total == 0:
        return Reply.of(
            fmt(
                ctx._(
                    N_("No offer found. Try another keyword or fewer filters; {new} records one.")
                ),
                new=code(
                    command_text(ctx, offer_create, '"…" traeger=… feld=… zielgruppe=… ort=…')
                ),
            )
        )
    if not offers:
        raise beyond_end(ctx, shown, total)
    line = declaration_of(offer_show).name_in(ctx.t.language)
    for key, value in (
        ("", target),
        ("zielgruppe", target_groups and target_groups.text),
        ("feld", fields and fields.text),
        ("gemeinde", gemeinde),
    ):
        if value:
            line += " " + (option_text(key, value) if key else value)
    header = ctx.t.ngettext("{count} offer found:", "{count} offers found:", total)
    reply = Reply.of(strong(fmt(header, count=hit_count(found))))
    return reply.bullets(
        (offer_entry(ctx, offer) for offer in offers), more_note(ctx, shown, total, line)
    )


async def offer_card(ctx: Context, number: int) -> Reply:
    """Everything stored about one offer."""
    offer = await ctx.store.contacts.offer(number)
    if offer is None:
        raise NotFound(
            fmt(
                ctx._(N_("There is no offer with {number}. {search} searches by keyword.")),
                number=number_label(ctx, number),
                search=code(command_text(ctx, offer_show, "<…>")),
            )
        )
    reply = Reply.of(
        strong(
            fmt(
                ctx._(N_("Offer {number}: {title}")),
                number=number_label(ctx, offer.id),
                title=offer.title,
            )
        )
    )
    provider = (
        fmt(
            ctx._(N_("{name} (organisation {number})")),
            name=offer.provider.name,
            number=number_label(ctx, offer.provider.id),
        )
        if offer.provider is not None
        else text("")
    )
    return reply.bullets(
        [
            labelled(ctx, N_("Provider"), provider),
            labelled(ctx, N_("Fields"), terms_text(ctx, offer.fields)),
            labelled(ctx, N_("Target groups"), terms_text(ctx, offer.target_groups)),
            labelled(ctx, N_("Place"), offer.place),
            *filled(
                ctx,
                (N_("Municipality"), offer.gemeinde),
                (N_("Time"), offer.schedule),
                (N_("Cost"), offer.cost),
                (N_("Link"), offer.link),
                (N_("Description"), offer.description),
            ),
            labelled(ctx, N_("Source"), offer.source),
            labelled(ctx, N_("Recorded"), ctx.t.date(offer.created_at)),
        ]
    )


@command(
    "angebot neu",
    english="offer new",
    help=N_("Records a new education offer of a provider."),
    params=[Param("title", N_("title"), converters.text, greedy=True)],
    options=[
        Option("provider", "traeger", organization_ref, aliases=("provider",)),
        Option("fields", "feld", field_list, aliases=("field", "felder", "fields")),
        Option(
            "target_groups",
            "zielgruppe",
            target_group_list,
            aliases=("target_group", "zielgruppen", "target_groups"),
        ),
        Option("place", "ort", converters.text, aliases=("place",)),
        Option("gemeinde", "gemeinde", converters.text, aliases=("municipality",)),
        Option("schedule", "zeit", converters.text, aliases=("time", "schedule")),
        Option("cost", "kosten", converters.text, aliases=("cost",)),
        Option("link", "link", web_address, aliases=("url",)),
        Option("description", "beschreibung", converters.text, aliases=("description",)),
        Option("source", "quelle", converters.text, aliases=("source",)),
    ],
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=(
        '!angebot neu "Deutschkurs für Eltern" träger="VHS Kreis Herford" feld=Sprachbildung '
        'zielgruppe=Eltern ort="VHS, Raum 2" zeit="dienstags 9–11 Uhr"',
    ),
)
async def offer_create(
    ctx: Context,
    title: str,
    provider: OrganizationRef | None,
    fields: TermNames | None,
    target_groups: TermNames | None,
    place: str | None,
    gemeinde: str | None,
    schedule: str | None,
    cost: str | None,
    link: str | None,
    description: str | None,
    source: str | None,
) -> Reply:
    required = (("traeger", provider), ("feld", fields), ("zielgruppe", target_groups),
                ("ort", place))  # fmt: skip
    absent = [key for key, value in required if value is None]
    if absent or provider is None or fields is None or target_groups is None or place is None:
        raise missing(ctx, absent)
    terms = await fields.resolve(ctx)
    groups = await target_groups.resolve(ctx)
    organization = await provider.find(ctx)
    created_organization = None
    if organization is None:
        organization = created_organization = await create_organization(ctx, provider.name)
    offer = await ctx.store.contacts.add_offer(
        ctx.clock.now(),
        title,
        organization,
        terms,
        groups,
        place=place,
        gemeinde=gemeinde or organization.gemeinde,
        schedule=schedule or "",
        cost=cost or "",
        link=link or "",
        description=description or "",
        source=source or default_source(ctx),
    )
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "create", "offer", offer.id)
    reply = Reply.of(
        fmt(
            ctx._(N_("Offer {number} recorded: {entry}")),
            number=number_label(ctx, offer.id),
            entry=offer_entry(ctx, offer),
        )
    )
    if created_organization is not None:
        reply.add(new_organization_note(ctx, created_organization))
    return reply
