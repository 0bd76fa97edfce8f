"""record transfer (trusted platforms, imported hours) and safety at sign-up (insurance, guardian consent)

Revision ID: transfer0001
Revises: notify0001
"""
from alembic import op
import sqlalchemy as sa
import linkage.models.base


revision = 'transfer0001'
down_revision = 'notify0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'trusted_platforms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('public_key', sa.String(length=64), nullable=False),
        sa.Column('fingerprint', sa.String(length=80), nullable=False),
        sa.Column('added_by', sa.Integer(), nullable=True),
        sa.Column('added_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_trusted_platforms_added_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trusted_platforms')),
        sa.UniqueConstraint('fingerprint', name=op.f('uq_trusted_platforms_fingerprint')),
        sa.UniqueConstraint('public_key', name=op.f('uq_trusted_platforms_public_key')),
    )
    op.create_table(
        'imported_hours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.Column('original_record_id', sa.Integer(), nullable=False),
        sa.Column('original_hash', sa.String(length=64), nullable=False),
        sa.Column('service_date', sa.Date(), nullable=False),
        sa.Column('starts_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column('ends_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('organization_name', sa.String(length=100), nullable=False),
        sa.Column('activity_title', sa.Text(), nullable=False),
        sa.Column('source_kind', sa.String(length=10), nullable=False),
        sa.Column('import_batch', sa.String(length=32), nullable=False),
        sa.Column('imported_by', sa.Integer(), nullable=True),
        sa.Column('imported_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['imported_by'], ['users.id'], name=op.f('fk_imported_hours_imported_by_users')),
        sa.ForeignKeyConstraint(['platform_id'], ['trusted_platforms.id'],
                                name=op.f('fk_imported_hours_platform_id_trusted_platforms')),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'],
                                name=op.f('fk_imported_hours_volunteer_id_volunteers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_hours')),
        sa.UniqueConstraint('platform_id', 'original_hash', name='uq_imported_hours_platform_hash'),
    )
    op.create_index(op.f('ix_imported_hours_volunteer_id'), 'imported_hours', ['volunteer_id'])
    op.create_index(op.f('ix_imported_hours_platform_id'), 'imported_hours', ['platform_id'])
    op.create_index(op.f('ix_imported_hours_import_batch'), 'imported_hours', ['import_batch'])
    op.create_table(
        'insurances',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('insurer', sa.String(length=100), nullable=False),
        sa.Column('policy_number', sa.String(length=50), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('updated_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_insurances_volunteer_id_volunteers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_insurances')),
        sa.UniqueConstraint('volunteer_id', name=op.f('uq_insurances_volunteer_id')),
    )
    op.create_table(
        'guardian_consents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('guardian_name', sa.String(length=50), nullable=False),
        sa.Column('relation', sa.String(length=12), nullable=False),
        sa.Column('phone_cipher', sa.Text(), nullable=False),
        sa.Column('given_on', sa.Date(), nullable=False),
        sa.Column('updated_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'],
                                name=op.f('fk_guardian_consents_volunteer_id_volunteers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_guardian_consents')),
        sa.UniqueConstraint('volunteer_id', name=op.f('uq_guardian_consents_volunteer_id')),
    )
    with op.batch_alter_table('activities') as batch_op:
        batch_op.add_column(sa.Column('requires_insurance', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('activities') as batch_op:
        batch_op.drop_column('requires_insurance')
    op.drop_table('guardian_consents')
    op.drop_table('insurances')
    op.drop_index(op.f('ix_imported_hours_import_batch'), table_name='imported_hours')
    op.drop_index(op.f('ix_imported_hours_platform_id'), table_name='imported_hours')
    op.drop_index(op.f('ix_imported_hours_volunteer_id'), table_name='imported_hours')
    op.drop_table('imported_hours')
    op.drop_table('trusted_platforms')
