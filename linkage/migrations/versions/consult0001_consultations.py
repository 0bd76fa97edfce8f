"""residents' voice (议事协商): consultations, their one-time codes, items and votes

Revision ID: consult0001
Revises: superv0001
"""
from alembic import op
import sqlalchemy as sa
import linkage.models.base


revision = 'consult0001'
down_revision = 'superv0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'consultations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('opens_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column('closes_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column('max_proposals', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column('closed_at', linkage.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_consultations_community_id_communities')),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_consultations_created_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations')),
    )
    op.create_index(op.f('ix_consultations_community_id'), 'consultations', ['community_id'], unique=False)
    op.create_table(
        'consultation_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('code_digest', sa.String(length=64), nullable=False),
        sa.Column('issued_by', sa.Integer(), nullable=True),
        sa.Column('issued_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column('proposed_at', linkage.models.base.UTCDateTime(), nullable=True),
        sa.Column('voted_at', linkage.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_codes_consultation_id_consultations')),
        sa.ForeignKeyConstraint(['issued_by'], ['users.id'], name=op.f('fk_consultation_codes_issued_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_codes')),
        sa.UniqueConstraint('code_digest', name=op.f('uq_consultation_codes_code_digest')),
    )
    op.create_index(op.f('ix_consultation_codes_consultation_id'), 'consultation_codes', ['consultation_id'], unique=False)
    op.create_table(
        'consultation_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=True),
        sa.Column('converted_by', sa.Integer(), nullable=True),
        sa.Column('converted_at', linkage.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_items_consultation_id_consultations')),
        sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_consultation_items_need_id_needs')),
        sa.ForeignKeyConstraint(['converted_by'], ['users.id'], name=op.f('fk_consultation_items_converted_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_items')),
        sa.UniqueConstraint('need_id', name=op.f('uq_consultation_items_need_id')),
    )
    op.create_index(op.f('ix_consultation_items_consultation_id'), 'consultation_items', ['consultation_id'], unique=False)
    op.create_table(
        'consultation_votes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('receipt', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_votes_consultation_id_consultations')),
        sa.ForeignKeyConstraint(['item_id'], ['consultation_items.id'], name=op.f('fk_consultation_votes_item_id_consultation_items')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_votes')),
        sa.UniqueConstraint('receipt', name=op.f('uq_consultation_votes_receipt')),
    )
    op.create_index(op.f('ix_consultation_votes_consultation_id'), 'consultation_votes', ['consultation_id'], unique=False)
    op.create_index(op.f('ix_consultation_votes_item_id'), 'consultation_votes', ['item_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_consultation_votes_item_id'), table_name='consultation_votes')
    op.drop_index(op.f('ix_consultation_votes_consultation_id'), table_name='consultation_votes')
    op.drop_table('consultation_votes')
    op.drop_index(op.f('ix_consultation_items_consultation_id'), table_name='consultation_items')
    op.drop_table('consultation_items')
    op.drop_index(op.f('ix_consultation_codes_consultation_id'), table_name='consultation_codes')
    op.drop_table('consultation_codes')
    op.drop_index(op.f('ix_consultations_community_id'), table_name='consultations')
    op.drop_table('consultations')
