"""Search over persons, organisations and offers.

Placeholder implementation (substring match on folded text); to be replaced by an indexed,
typo-tolerant search. The interface is what the rest of the bot relies on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Offer, Organization, Person


@dataclass(frozen=True)
class Hit:
    kind: str  # person | organization | offer
    id: int
    score: float


@dataclass
class SearchIndex:
    """Keeps the search index in step with the records and answers queries."""

    session: AsyncSession

    async def index_person(self, person: Person) -> None:
        return None

    async def index_organization(self, organization: Organization) -> None:
        return None

    async def index_offer(self, offer: Offer) -> None:
        return None

    async def remove(self, kind: str, record_id: int) -> None:
        return None
