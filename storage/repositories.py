"""Where the repositories of a unit of work are found: :class:`~storage.store.Store` and the
bookkeeping of the connection (:mod:`storage.sync`) and of the audit log (:mod:`storage.audit`),
re-exported for the modules that import them from here."""

from storage.audit import AuditRepository
from storage.store import Arrival, Store
from storage.sync import INSTALLED_AT_KEY, SYNC_TOKEN_KEY, SyncStateRepository

__all__ = [
    "INSTALLED_AT_KEY",
    "SYNC_TOKEN_KEY",
    "Arrival",
    "AuditRepository",
    "Store",
    "SyncStateRepository",
]
