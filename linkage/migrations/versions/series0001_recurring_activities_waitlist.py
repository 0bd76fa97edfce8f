"""recurring activities (activity_series) and shifts: activities.series_id, occurrence_start, role,
qualification_required; sign-ups gain the statuses waitlisted and no_show (no schema change)

Revision ID: series0001
Revises: a5atrest0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import linkage.models.base

revision = "series0001"
down_revision = "a5atrest0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("rrule", sa.Text(), nullable=False),
        sa.Column("dtstart", linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("exdates", sa.JSON(), nullable=False),
        sa.Column("shifts", sa.JSON(), nullable=False),
        sa.Column("materialized_until", linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column("created_at", linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ['projects.id'], name=op.f("fk_activity_series_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_series")),
    )
    with op.batch_alter_table("activity_series") as batch:
        batch.create_index(batch.f("ix_activity_series_project_id"), ["project_id"], unique=False)
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("occurrence_start", linkage.models.base.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("role", sa.String(length=50), nullable=False, server_default=""))
        batch.add_column(sa.Column("qualification_required", sa.String(length=50), nullable=False,
                                   server_default=""))
        batch.create_foreign_key(batch.f("fk_activities_series_id_activity_series"), "activity_series",
                                 ["series_id"], ['id'])
        batch.create_index(batch.f("ix_activities_series_id"), ["series_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.drop_index(batch.f("ix_activities_series_id"))
        batch.drop_constraint(batch.f("fk_activities_series_id_activity_series"), type_="foreignkey")
        batch.drop_column("qualification_required")
        batch.drop_column("role")
        batch.drop_column("occurrence_start")
        batch.drop_column("series_id")
    with op.batch_alter_table("activity_series") as batch:
        batch.drop_index(batch.f("ix_activity_series_project_id"))
    op.drop_table("activity_series")
