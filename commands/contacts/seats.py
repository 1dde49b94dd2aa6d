"""The roles of a seat on a committee, as a person's card and the committee's member list
name them. A seat links a contact to a committee; the contact network shows it on the card,
so its wording lives here, below the committees feature."""

from __future__ import annotations

from commands.framework.context import Context
from commands.framework.i18n import N_

# Roles of a seat: the stored (German) value and its label in the reader's language.
ROLE_LABELS = {
    "Vorsitz": N_("chair"),
    "Stellvertretung": N_("deputy chair"),
    "Mitglied": N_("member"),
    "Geschäftsführung": N_("secretary"),
}


def role_label(ctx: Context, role: str) -> str:
    """A seat's role in the reader's language: ``chair`` / ``Vorsitz``."""
    return ctx._(ROLE_LABELS[role]) if role in ROLE_LABELS else role
