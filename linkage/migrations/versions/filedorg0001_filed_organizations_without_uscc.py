"""filed organizations: a community social organization filed (备案) has no USCC yet

Revision ID: filedorg0001
Revises: import0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'filedorg0001'
down_revision = 'import0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite rebuilds the table; the unique constraint stays (NULLs never collide)
    with op.batch_alter_table('organizations') as batch:
        batch.alter_column('uscc', existing_type=sa.String(length=18), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('organizations') as batch:
        batch.alter_column('uscc', existing_type=sa.String(length=18), nullable=False)
