"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from linkage.models import Base


def _differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    finally:
        engine.dispose()


def test_migrated_sqlite_matches_the_models(sqlite_template):
    assert _differences(f"sqlite:///{sqlite_template}") == []


def test_migrated_postgresql_matches_the_models(postgres_url):
    assert _differences(postgres_url) == []
