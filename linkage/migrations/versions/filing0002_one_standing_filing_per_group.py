"""one standing filing (备案) per group: a partial unique index on (community_id, name_key)

Revision ID: filing0002
Revises: consult0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'filing0002'
down_revision = 'consult0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'uq_filings_standing_group', 'filings', ['community_id', 'name_key'], unique=True,
        sqlite_where=sa.text("status != 'returned'"), postgresql_where=sa.text("status != 'returned'"),
    )


def downgrade() -> None:
    op.drop_index('uq_filings_standing_group', table_name='filings')
