"""filings (备案) of community social organizations by groups of residents

Revision ID: filing0001
Revises: filedorg0001
"""
from alembic import op
import sqlalchemy as sa
import linkage.models.base


revision = 'filing0001'
down_revision = 'filedorg0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'filings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('name_key', sa.String(length=100), nullable=False),
        sa.Column('field', sa.String(length=20), nullable=False),
        sa.Column('members', sa.JSON(), nullable=False),
        sa.Column('responsible_name', sa.String(length=50), nullable=False),
        sa.Column('responsible_phone_cipher', sa.Text(), nullable=False),
        sa.Column('responsible_id_number_cipher', sa.Text(), nullable=False),
        sa.Column('activity_place', sa.String(length=200), nullable=False),
        sa.Column('lat', sa.Double(), nullable=True),
        sa.Column('lon', sa.Double(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('return_reason', sa.Text(), nullable=False),
        sa.Column('receipt_nonce', sa.String(length=32), nullable=False),
        sa.Column('reviewed_by', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', linkage.models.base.UTCDateTime(), nullable=True),
        sa.Column('confirmed_by', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', linkage.models.base.UTCDateTime(), nullable=True),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column('updated_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_filings_community_id_communities')),
        sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_filings_reviewed_by_users')),
        sa.ForeignKeyConstraint(['confirmed_by'], ['users.id'], name=op.f('fk_filings_confirmed_by_users')),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_filings_organization_id_organizations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_filings')),
    )
    op.create_index(op.f('ix_filings_community_id'), 'filings', ['community_id'], unique=False)
    op.create_index(op.f('ix_filings_name_key'), 'filings', ['name_key'], unique=False)
    op.create_index(op.f('ix_filings_status'), 'filings', ['status'], unique=False)
    op.create_index(op.f('ix_filings_organization_id'), 'filings', ['organization_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_filings_organization_id'), table_name='filings')
    op.drop_index(op.f('ix_filings_status'), table_name='filings')
    op.drop_index(op.f('ix_filings_name_key'), table_name='filings')
    op.drop_index(op.f('ix_filings_community_id'), table_name='filings')
    op.drop_table('filings')
