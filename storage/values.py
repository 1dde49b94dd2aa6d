"""The columns a write may set, per record: the typed keyword arguments of the repositories'
``add_*``, ``new_*`` and ``update*`` methods.

Every key is optional: a new record takes the model's default for a key left out, and a change
touches only the keys it gives (``quorum=None`` removes the quorum; leaving ``quorum`` out keeps
it). The checks at run time catch the keys of a dictionary built at run time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TypedDict

from storage.models import VocabularyTerm


class PersonValues(TypedDict, total=False):
    """A person's columns besides its name."""

    title: str
    email: str
    phone: str
    matrix_id: str
    gemeinde: str
    notes: str
    source: str
    legal_basis: str
    consent_at: datetime | None
    consent_withdrawn_at: datetime | None
    last_activity_at: datetime | None


class PersonChange(PersonValues, total=False):
    """What a change of a person may set: its columns, its name and its fields."""

    name: str
    fields: Sequence[VocabularyTerm]


class OrganizationValues(TypedDict, total=False):
    """An organisation's columns besides its name, kind and fields."""

    street: str
    postcode: str
    gemeinde: str
    website: str
    email: str
    phone: str
    notes: str
    source: str


class OfferValues(TypedDict, total=False):
    """An offer's columns besides its title, provider, fields and target groups."""

    place: str
    gemeinde: str
    schedule: str
    cost: str
    link: str
    description: str
    source: str


class CommitteeSettings(TypedDict, total=False):
    """A committee's settings besides its name and room."""

    short_name: str
    kind: str
    notice_days: int
    item_deadline_days: int
    default_duration_minutes: int
    default_place: str
    reminder_offsets_minutes: list[int]
    allow_room_mention: bool
    feed_token: str
    opening_items: list[str]
    quorum: int | None


class CommitteeChange(CommitteeSettings, total=False):
    """What a change of a committee may set: its settings and its name."""

    name: str


class TaskLinks(TypedDict, total=False):
    """Where a task comes from: a committee, a decision, a meeting and its agenda item."""

    committee_id: int | None
    decision_id: int | None
    meeting_id: int | None
    agenda_item_id: int | None


def refuse_unknown(values: Mapping[str, object], allowed: frozenset[str], what: str) -> None:
    """Raise ``ValueError`` for a key of ``values`` that is no key of ``allowed``."""
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"unknown {what} fields: {sorted(unknown)}")
