"""Kümmerer test suite."""
