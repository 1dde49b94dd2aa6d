"""Decisions of a committee: ``!beschluss`` and ``!beschlüsse`` (the Beschlusskontrolle)."""

from __future__ import annotations

from commands.decisions.recording import decision_create, decisions_list

__all__ = ["decision_create", "decisions_list"]
