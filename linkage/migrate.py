"""Schema migrations, driven from code so no alembic.ini is needed at the top level."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str, engine=None, field_key: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    if field_key:  # data migrations that encrypt; without it they read LINKAGE_FIELD_KEY as settings do
        cfg.attributes["field_key"] = field_key
    return cfg


def upgrade(database_url: str, engine=None, revision: str = "head", field_key: str | None = None) -> None:
    command.upgrade(alembic_config(database_url, engine, field_key), revision)


def downgrade(database_url: str, revision: str, field_key: str | None = None) -> None:
    command.downgrade(alembic_config(database_url, field_key=field_key), revision)


def revision(database_url: str, message: str) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
