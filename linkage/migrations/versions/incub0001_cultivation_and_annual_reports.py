"""the incubation track (cohorts, members, records, capacity assessments) and annual reports

Revision ID: incub0001
Revises: filing0001
"""
from alembic import op
import sqlalchemy as sa
import linkage.models.base


revision = 'incub0001'
down_revision = 'filing0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'cohorts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('street', sa.String(length=100), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cohorts')),
    )
    op.create_index(op.f('ix_cohorts_street'), 'cohorts', ['street'], unique=False)
    op.create_table(
        'cohort_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('admitted_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column('left_at', linkage.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_members_cohort_id_cohorts')),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_cohort_members_organization_id_organizations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_members')),
        sa.UniqueConstraint('cohort_id', 'organization_id', name='uq_cohort_members_cohort_organization'),
    )
    op.create_index(op.f('ix_cohort_members_cohort_id'), 'cohort_members', ['cohort_id'], unique=False)
    op.create_index(op.f('ix_cohort_members_organization_id'), 'cohort_members', ['organization_id'], unique=False)
    op.create_table(
        'cultivation_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['cohort_members.id'],
                                name=op.f('fk_cultivation_records_member_id_cohort_members')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cultivation_records')),
    )
    op.create_index(op.f('ix_cultivation_records_member_id'), 'cultivation_records', ['member_id'], unique=False)
    op.create_table(
        'capacity_assessments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('assessed_on', sa.Date(), nullable=False),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.Column('total', sa.Double(), nullable=False),
        sa.Column('pass_mark', sa.Integer(), nullable=False),
        sa.Column('passed', sa.Boolean(), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['cohort_members.id'],
                                name=op.f('fk_capacity_assessments_member_id_cohort_members')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_assessments')),
    )
    op.create_index(op.f('ix_capacity_assessments_member_id'), 'capacity_assessments', ['member_id'], unique=False)
    op.create_table(
        'annual_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('activities_count', sa.Integer(), nullable=False),
        sa.Column('members', sa.Integer(), nullable=False),
        sa.Column('income_fen', sa.Integer(), nullable=False),
        sa.Column('spending_fen', sa.Integer(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('submitted_by', sa.Integer(), nullable=True),
        sa.Column('submitted_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_annual_reports_organization_id_organizations')),
        sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_annual_reports_submitted_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_reports')),
        sa.UniqueConstraint('organization_id', 'year', name='uq_annual_reports_organization_year'),
    )
    op.create_index(op.f('ix_annual_reports_organization_id'), 'annual_reports', ['organization_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_annual_reports_organization_id'), table_name='annual_reports')
    op.drop_table('annual_reports')
    op.drop_index(op.f('ix_capacity_assessments_member_id'), table_name='capacity_assessments')
    op.drop_table('capacity_assessments')
    op.drop_index(op.f('ix_cultivation_records_member_id'), table_name='cultivation_records')
    op.drop_table('cultivation_records')
    op.drop_index(op.f('ix_cohort_members_organization_id'), table_name='cohort_members')
    op.drop_index(op.f('ix_cohort_members_cohort_id'), table_name='cohort_members')
    op.drop_table('cohort_members')
    op.drop_index(op.f('ix_cohorts_street'), table_name='cohorts')
    op.drop_table('cohorts')
