"""What a statement's result says beyond its rows."""

from __future__ import annotations

from typing import TypeVarTuple

from sqlalchemy import CursorResult, Result

_Row = TypeVarTuple("_Row")


def rowcount(result: Result[*_Row]) -> int:
    """How many rows the UPDATE or DELETE behind ``result`` matched (0 if the driver cannot
    say). The session types every result alike; only a cursor's result carries the count."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"no row count on a {type(result).__name__}; run a DML statement")
    return int(result.rowcount or 0)
