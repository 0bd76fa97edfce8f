"""Alembic migrations; run with `linkage db upgrade`."""
