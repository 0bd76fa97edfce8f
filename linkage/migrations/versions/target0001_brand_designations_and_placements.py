"""growth records behind the seeds' targets: brand designations (品牌社会组织) and social workers' placements

Revision ID: target0001
Revises: incub0001
"""
from alembic import op
import sqlalchemy as sa
import linkage.models.base


revision = 'target0001'
down_revision = 'incub0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'brand_designations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('designated_by', sa.Integer(), nullable=True),
        sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column('revoked_at', linkage.models.base.UTCDateTime(), nullable=True),
        sa.Column('revoked_by', sa.Integer(), nullable=True),
        sa.Column('revoke_reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_brand_designations_organization_id_organizations')),
        sa.ForeignKeyConstraint(['designated_by'], ['users.id'], name=op.f('fk_brand_designations_designated_by_users')),
        sa.ForeignKeyConstraint(['revoked_by'], ['users.id'], name=op.f('fk_brand_designations_revoked_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_brand_designations')),
    )
    op.create_index(op.f('ix_brand_designations_organization_id'), 'brand_designations', ['organization_id'],
                    unique=False)
    op.create_table(
        'social_worker_placements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('social_worker_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('placed_on', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('recorded_by', sa.Integer(), nullable=True),
        sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['social_worker_id'], ['social_workers.id'],
                                name=op.f('fk_social_worker_placements_social_worker_id_social_workers')),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_social_worker_placements_organization_id_organizations')),
        sa.ForeignKeyConstraint(['recorded_by'], ['users.id'],
                                name=op.f('fk_social_worker_placements_recorded_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_social_worker_placements')),
        sa.UniqueConstraint('social_worker_id', 'organization_id', 'placed_on', name='uq_placement_worker_org_day'),
    )
    op.create_index(op.f('ix_social_worker_placements_social_worker_id'), 'social_worker_placements',
                    ['social_worker_id'], unique=False)
    op.create_index(op.f('ix_social_worker_placements_organization_id'), 'social_worker_placements',
                    ['organization_id'], unique=False)
    op.create_index(op.f('ix_social_worker_placements_placed_on'), 'social_worker_placements', ['placed_on'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_social_worker_placements_placed_on'), table_name='social_worker_placements')
    op.drop_index(op.f('ix_social_worker_placements_organization_id'), table_name='social_worker_placements')
    op.drop_index(op.f('ix_social_worker_placements_social_worker_id'), table_name='social_worker_placements')
    op.drop_table('social_worker_placements')
    op.drop_index(op.f('ix_brand_designations_organization_id'), table_name='brand_designations')
    op.drop_table('brand_designations')
