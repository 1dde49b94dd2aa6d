"""Kümmerer's persistence: typed models, repositories that own all SQL, Alembic migrations."""
