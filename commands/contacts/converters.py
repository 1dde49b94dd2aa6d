"""Converters for the contact network: record numbers or search terms, e-mail addresses,
phone numbers, vocabulary lists, organisations and the legal basis of a contact.

Converters run before the handler and cannot reach the database, so values that must be looked
up (vocabulary terms, organisations) come out as a small reference whose ``resolve`` does the
look-up and raises the same kind of sentence a converter would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from commands.contacts.vocabulary import term_label
from commands.dates.when import When
from commands.framework import converters
from commands.framework.errors import BadArgument, NotFound
from commands.framework.i18n import N_
from commands.framework.registry import Converter, Option
from commands.framework.reply import Text, code, fmt, join
from storage.folding import fold_text
from storage.models import Organization, Person, VocabularyTerm
from storage.vocabulary import FIELD, ORG_KIND, TARGET_GROUP

if TYPE_CHECKING:
    from commands.framework.context import Context

# The shape only (name@domain.tld): what would end a list (, ;), a bracketed address (< >) or
# a quoted CSV cell (") cannot be part of an address that a person can write to.
_EMAIL = re.compile(r'^[^@\s,;<>"]+@[^@\s,;<>"]+\.[^@\s,;<>".]{2,}$')
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[\d\s()/.\-]+$")
_WEB = re.compile(r"^(?:https?://)?[^\s/]+\.[^\s/]{2,}(?:/\S*)?$", re.IGNORECASE)
_POSTCODE = re.compile(r"^\d{5}$")
_CLEARED = ("", "-")

# "Unknown …" sentences per vocabulary: (one unknown name, several unknown names).
_UNKNOWN_TERMS = {
    FIELD: (
        N_("Unknown field {unknown}. Known fields: {known}."),
        N_("Unknown fields {unknown}. Known fields: {known}."),
    ),
    TARGET_GROUP: (
        N_("Unknown target group {unknown}. Known target groups: {known}."),
        N_("Unknown target groups {unknown}. Known target groups: {known}."),
    ),
    ORG_KIND: (
        N_("Unknown kind of organisation {unknown}. Known kinds: {known}."),
        N_("Unknown kinds of organisation {unknown}. Known kinds: {known}."),
    ),
}


def number_label(ctx: Context, number: int) -> Text:
    """``No. 12`` / ``Nr. 12``: how records are numbered in every answer."""
    return ctx.say("No. {number}", number=number)


def number_or_query(ctx: Context, raw: str) -> int | str:
    """A record number (show that record) or a search term (search for it)."""
    number = converters.record_number(raw)
    return number if number is not None else converters.text(ctx, raw)


def plain_email(raw: str) -> str | None:
    """The e-mail address ``raw`` holds, without spaces around it or a ``mailto:`` link prefix
    (as Outlook copies it); None when it has not the shape name@domain.tld.

    The one rule for an e-mail address: the chat converter and the importer both use it.
    """
    value = _MAILTO.sub("", raw.strip())
    return value if _EMAIL.match(value) else None


def email_address(ctx: Context, raw: str) -> str:
    """An e-mail address, checked only for its shape (name@domain.tld)."""
    value = plain_email(raw)
    if value is None:
        raise BadArgument(
            ctx.say(
                "{raw} is not an e-mail address. Write it like anna.schulz@kreis.de.",
                raw=code(raw),
            )
        )
    return value


def phone_number(ctx: Context, raw: str) -> str:
    """A phone number: digits with the usual separators, at least five digits."""
    value = raw.strip()
    if not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 5:
        raise BadArgument(
            ctx.say("{raw} is not a phone number. Write it like 05221 59-1234.", raw=code(raw))
        )
    return value


def web_address(ctx: Context, raw: str) -> str:
    """A web address such as ``www.vhs-kreis.de`` or ``https://vhs-kreis.de/kurse``."""
    value = raw.strip()
    if not _WEB.match(value):
        raise BadArgument(
            ctx.say("{raw} is not a web address. Write it like www.vhs-kreis.de.", raw=code(raw))
        )
    return value


def postcode(ctx: Context, raw: str) -> str:
    """A German postcode: five digits."""
    value = raw.strip()
    if not _POSTCODE.match(value):
        raise BadArgument(
            ctx.say("{raw} is not a postcode. Write five digits, e.g. 32052.", raw=code(raw))
        )
    return value


# A municipality is the same column (and limit) on persons, organisations and offers.
GEMEINDE = converters.FieldText(Person, "gemeinde", N_("A municipality"))


def clearable(converter: Converter) -> Converter:
    """``converter``, except that an empty value or ``-`` means "remove this entry" ("")."""

    def convert(ctx: Context, raw: str) -> Any:
        return "" if raw.strip() in _CLEARED else converter(ctx, raw)

    return convert


# --------------------------------------------------------------------------- vocabularies


@dataclass(frozen=True)
class TermNames:
    """Comma-separated names of vocabulary terms as written; ``resolve`` looks them up."""

    vocabulary: str
    text: str

    async def resolve(self, ctx: Context) -> list[VocabularyTerm]:
        """The terms named, in any spelling or alias; BadArgument lists the known ones."""
        found, unknown = await ctx.store.vocabulary.match_list(self.vocabulary, self.text)
        if unknown:
            singular, plural = _UNKNOWN_TERMS[self.vocabulary]
            known = [
                term_label(term, ctx.t.language)
                for term in await ctx.store.vocabulary.terms(self.vocabulary)
            ]
            raise BadArgument(
                fmt(
                    ctx._(singular if len(unknown) == 1 else plural),
                    unknown=join(", ", map(code, unknown)),
                    known=", ".join(known),
                )
            )
        return found

    async def resolve_one(self, ctx: Context) -> VocabularyTerm:
        """The single term named (e.g. the kind of an organisation)."""
        terms = await self.resolve(ctx)
        if len(terms) != 1:
            raise BadArgument(ctx.say("Give one value only, not {raw}.", raw=code(self.text)))
        return terms[0]


@dataclass(frozen=True)
class TermList:
    """Converter for a vocabulary list; with ``allow_empty`` an empty value clears it."""

    vocabulary: str
    allow_empty: bool = False

    def __call__(self, ctx: Context, raw: str) -> TermNames:
        if self.allow_empty and raw.strip() in _CLEARED:
            return TermNames(self.vocabulary, "")
        return TermNames(self.vocabulary, converters.text(ctx, raw))


field_list = TermList(FIELD)


def fields_option(converter: Converter = field_list, *, required: bool = False) -> Option:
    """The Handlungsfelder of a record: ``feld=`` everywhere, with the plural and the English
    spellings as aliases."""
    return Option(
        "fields", "feld", converter, aliases=("felder", "field", "fields"), required=required
    )


FIELDS_OPTION = fields_option()
FIELDS_OPTION_REQUIRED = fields_option(required=True)
target_group_list = TermList(TARGET_GROUP)
organization_kind = TermList(ORG_KIND)


# --------------------------------------------------------------------------- organisations


@dataclass(frozen=True)
class OrganizationRef:
    """An organisation as written: its number or its name."""

    number: int | None
    name: str

    async def find(self, ctx: Context) -> Organization | None:
        """The organisation meant; None for a name nobody has recorded yet.

        An unknown *number* is an error: it cannot be meant as a new organisation.
        """
        if self.number is None:
            return await ctx.store.contacts.organization_named(self.name)
        organization = await ctx.store.contacts.organization(self.number)
        if organization is None:
            raise NotFound(
                ctx.say(
                    "There is no organisation with {number}.",
                    number=number_label(ctx, self.number),
                )
            )
        return organization


def organization_ref(ctx: Context, raw: str) -> OrganizationRef:
    """An organisation by number (``4``, ``Nr. 4``) or by name (``"VHS Kreis Herford"``)."""
    value = converters.text(ctx, raw)
    return OrganizationRef(converters.record_number(value), value)


# --------------------------------------------------------------------------- legal basis


class LegalBasis(Enum):
    """Why a contact may be stored (DSGVO Art. 6): public task, consent, or consent withdrawn."""

    PUBLIC_TASK = "public_task"
    CONSENT = "consent"
    WITHDRAWN = "withdrawn"


_LEGAL_BASIS_SPELLINGS = {
    LegalBasis.PUBLIC_TASK: {
        "oeffentliche aufgabe", "aufgabe", "oeffentlich", "public task", "public", "task",
        "art 6 1 e",
    },
    LegalBasis.CONSENT: {"einwilligung", "consent", "art 6 1 a"},
    LegalBasis.WITHDRAWN: {"widerrufen", "widerruf", "withdrawn", "consent withdrawn"},
}  # fmt: skip


def legal_basis_choice(ctx: Context, raw: str) -> LegalBasis:
    """``einwilligung``/``consent``, ``öffentliche Aufgabe``/``public_task`` or
    ``widerrufen``/``withdrawn``."""
    wanted = re.sub(r"[\s_\-.()/]+", " ", fold_text(raw)).strip()
    for basis, spellings in _LEGAL_BASIS_SPELLINGS.items():
        if wanted in spellings:
            return basis
    raise BadArgument(
        ctx.say(
            "Unknown legal basis {raw}. Write legal_basis=consent with "
            "consent_date=…, legal_basis=public_task, or legal_basis=withdrawn.",
            raw=code(raw),
        )
    )


_ANY_DAY = When(future=False)


def consent_day(ctx: Context, raw: str) -> datetime:
    """The day consent was given: today or earlier."""
    day = _ANY_DAY(ctx, raw).at
    if ctx.t.local(day).date() > ctx.t.local(ctx.clock.now()).date():
        raise BadArgument(
            ctx.say(
                "The consent date {date} is still to come. Give the day consent was given.",
                date=ctx.t.date(day),
            )
        )
    return day
