"""audit_log.reason: why a person's data was revealed

Revision ID: a3reveal0001
Revises: a1limits0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a3reveal0001"
down_revision = "a1limits0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=300), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("reason")
