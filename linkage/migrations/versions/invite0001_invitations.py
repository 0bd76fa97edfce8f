"""invitations sent from a need's ranked matches

Revision ID: invite0001
Revises: quals0001
"""
from alembic import op
import sqlalchemy as sa
import linkage.models.base


revision = 'invite0001'
down_revision = 'quals0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('invitee_kind', sa.String(length=20), nullable=False),
    sa.Column('invitee_id', sa.Integer(), nullable=False),
    sa.Column('invitee_user_id', sa.Integer(), nullable=True),
    sa.Column('inviter_user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('pending_key', sa.String(length=80), nullable=True),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('signup_id', sa.Integer(), nullable=True),
    sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
    sa.Column('answered_at', linkage.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_invitations_activity_id_activities')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_invitations_claim_id_claims')),
    sa.ForeignKeyConstraint(['invitee_user_id'], ['users.id'], name=op.f('fk_invitations_invitee_user_id_users')),
    sa.ForeignKeyConstraint(['inviter_user_id'], ['users.id'], name=op.f('fk_invitations_inviter_user_id_users')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_invitations_need_id_needs')),
    sa.ForeignKeyConstraint(['signup_id'], ['signups.id'], name=op.f('fk_invitations_signup_id_signups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('pending_key', name=op.f('uq_invitations_pending_key'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_invitee_user_id'), ['invitee_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_status'))
        batch_op.drop_index(batch_op.f('ix_invitations_need_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_invitee_user_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_activity_id'))
    op.drop_table('invitations')
