"""What every model shares: the declarative base, aware UTC times and enums stored as text."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import ClassVar, TypeAlias, TypeVar

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator, TypeEngine

# What a JSON column holds. Spelled out rather than ``Any``: a value read back is one of these.
JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
JsonObject: TypeAlias = dict[str, JsonValue]

_Enum = TypeVar("_Enum", bound=StrEnum)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in Python, naive UTC in the database (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class StoredEnum(TypeDecorator[_Enum]):
    """A ``StrEnum`` member in Python, its plain value in a VARCHAR: the database holds the same
    strings as before there was an enum, and a value outside it is refused before it is
    written."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[_Enum], length: int) -> None:
        super().__init__(length)
        # Named like the parameters: SQLAlchemy builds the statement cache key from them.
        self.enum = enum
        self.length = length

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> _Enum | None:
        return None if value is None else self.enum(value)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[object, type[TypeEngine[datetime]]]] = {
        datetime: UTCDateTime
    }


def column_limit(model: type[Base], attribute: str) -> int | None:
    """How many characters the column behind ``model.attribute`` holds (None: unbounded). The
    one limit of a field, for chat and import alike."""
    length = getattr(model.__table__.c[attribute].type, "length", None)
    return length if isinstance(length, int) else None
