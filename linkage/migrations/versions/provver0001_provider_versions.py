"""a version per provider, raised with each event that announces it (the matcher drops stale updates)

Revision ID: provver0001
Revises: filing0002
"""
from alembic import op
import sqlalchemy as sa


revision = 'provver0001'
down_revision = 'filing0002'
branch_labels = None
depends_on = None

TABLES = ('organizations', 'social_workers', 'volunteers', 'resources')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('version')
