"""consent records, erased volunteers, outbox tombstones

Revision ID: a4rights0001
Revises: a3reveal0001
"""
from alembic import op
import sqlalchemy as sa
import linkage.models.base


revision = 'a4rights0001'
down_revision = 'a3reveal0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('notice_version', sa.String(length=20), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', linkage.models.base.UTCDateTime(), nullable=False),
    sa.Column('guardian_name', sa.String(length=50), nullable=False),
    sa.Column('guardian_relation', sa.String(length=12), nullable=False),
    sa.Column('guardian_phone_cipher', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_consents_recorded_by_users')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_consents_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_volunteer_id'), ['volunteer_id'], unique=False)
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', linkage.models.base.UTCDateTime(), nullable=True))
    # A null envelope is a tombstone (a compacted topic's "forget this key").
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('envelope', existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE envelope IS NULL")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('envelope', existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_volunteer_id'))
    op.drop_table('consents')
