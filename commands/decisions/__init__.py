"""Decisions of a committee: ``!beschluss``, ``!beschluss ändern`` and ``!beschlüsse`` (the
Beschlusskontrolle), with what they accept (:mod:`~commands.decisions.converters`)."""

from __future__ import annotations

from commands.decisions.recording import decision_change, decision_create, decisions_list

__all__ = ["decision_change", "decision_create", "decisions_list"]
