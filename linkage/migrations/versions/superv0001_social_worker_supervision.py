"""social workers' supervision (督导): assignments, sessions, continuing-education trainings; certificate expiry

Revision ID: superv0001
Revises: target0001
"""
from alembic import op
import sqlalchemy as sa
import linkage.models.base


revision = 'superv0001'
down_revision = 'target0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('social_workers') as batch:
        batch.add_column(sa.Column('certificate_expires_on', sa.Date(), nullable=True))
    op.create_table(
        'supervisor_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('social_worker_id', sa.Integer(), nullable=False),
        sa.Column('supervisor_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('assigned_by', sa.Integer(), nullable=True),
        sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['social_worker_id'], ['social_workers.id'], name=op.f('fk_supervisor_assignments_social_worker_id_social_workers')),
        sa.ForeignKeyConstraint(['supervisor_id'], ['social_workers.id'], name=op.f('fk_supervisor_assignments_supervisor_id_social_workers')),
        sa.ForeignKeyConstraint(['assigned_by'], ['users.id'], name=op.f('fk_supervisor_assignments_assigned_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisor_assignments')),
    )
    op.create_index(op.f('ix_supervisor_assignments_social_worker_id'), 'supervisor_assignments', ['social_worker_id'], unique=False)
    op.create_index(op.f('ix_supervisor_assignments_supervisor_id'), 'supervisor_assignments', ['supervisor_id'], unique=False)
    op.create_table(
        'supervision_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('social_worker_id', sa.Integer(), nullable=False),
        sa.Column('supervisor_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('form', sa.String(length=12), nullable=False),
        sa.Column('topics', sa.Text(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('follow_ups', sa.Text(), nullable=False),
        sa.Column('supervisor_confirmed_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column('supervisee_status', sa.String(length=12), nullable=False),
        sa.Column('supervisee_answered_at', linkage.models.base.UTCDateTime(), nullable=True),
        sa.Column('dispute_reason', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.Integer(), nullable=True),
        sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['assignment_id'], ['supervisor_assignments.id'], name=op.f('fk_supervision_sessions_assignment_id_supervisor_assignments')),
        sa.ForeignKeyConstraint(['social_worker_id'], ['social_workers.id'], name=op.f('fk_supervision_sessions_social_worker_id_social_workers')),
        sa.ForeignKeyConstraint(['supervisor_id'], ['social_workers.id'], name=op.f('fk_supervision_sessions_supervisor_id_social_workers')),
        sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_supervision_sessions_recorded_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_sessions')),
    )
    op.create_index(op.f('ix_supervision_sessions_assignment_id'), 'supervision_sessions', ['assignment_id'], unique=False)
    op.create_index(op.f('ix_supervision_sessions_social_worker_id'), 'supervision_sessions', ['social_worker_id'], unique=False)
    op.create_index(op.f('ix_supervision_sessions_supervisor_id'), 'supervision_sessions', ['supervisor_id'], unique=False)
    op.create_table(
        'sw_trainings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('social_worker_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('provider', sa.String(length=200), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('recorded_by', sa.Integer(), nullable=True),
        sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['social_worker_id'], ['social_workers.id'], name=op.f('fk_sw_trainings_social_worker_id_social_workers')),
        sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_sw_trainings_recorded_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sw_trainings')),
    )
    op.create_index(op.f('ix_sw_trainings_social_worker_id'), 'sw_trainings', ['social_worker_id'], unique=False)
    op.create_index(op.f('ix_sw_trainings_held_on'), 'sw_trainings', ['held_on'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sw_trainings_held_on'), table_name='sw_trainings')
    op.drop_index(op.f('ix_sw_trainings_social_worker_id'), table_name='sw_trainings')
    op.drop_table('sw_trainings')
    op.drop_index(op.f('ix_supervision_sessions_supervisor_id'), table_name='supervision_sessions')
    op.drop_index(op.f('ix_supervision_sessions_social_worker_id'), table_name='supervision_sessions')
    op.drop_index(op.f('ix_supervision_sessions_assignment_id'), table_name='supervision_sessions')
    op.drop_table('supervision_sessions')
    op.drop_index(op.f('ix_supervisor_assignments_supervisor_id'), table_name='supervisor_assignments')
    op.drop_index(op.f('ix_supervisor_assignments_social_worker_id'), table_name='supervisor_assignments')
    op.drop_table('supervisor_assignments')
    with op.batch_alter_table('social_workers') as batch:
        batch.drop_column('certificate_expires_on')
