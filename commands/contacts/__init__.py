"""The contact network: persons, organisations, offers, responsibilities, fields and
privacy, with the import and export of contact files."""

from __future__ import annotations

from commands.contacts.network import network_show
from commands.contacts.offers import offer_create, offer_show
from commands.contacts.organizations import organization_create, organization_show
from commands.contacts.persons import contact_change, contact_create, contact_show
from commands.contacts.privacy import contact_access, contact_delete
from commands.contacts.transfer import contact_export
from commands.contacts.vocabulary import term_create, terms_list

__all__ = [
    "contact_access",
    "contact_change",
    "contact_create",
    "contact_delete",
    "contact_export",
    "contact_show",
    "network_show",
    "offer_create",
    "offer_show",
    "organization_create",
    "organization_show",
    "term_create",
    "terms_list",
]
