"""volunteers' qualifications, leave dates, and the qualification a need requires

Revision ID: quals0001
Revises: series0001
"""
from alembic import op
import sqlalchemy as sa
import linkage.models.base


revision = 'quals0001'
down_revision = 'series0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'qualifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('level', sa.String(length=12), nullable=False),
        sa.Column('number_cipher', sa.Text(), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=True),
        sa.Column('created_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.Column('updated_at', linkage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_qualifications_volunteer_id_volunteers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_qualifications')),
    )
    op.create_index(op.f('ix_qualifications_volunteer_id'), 'qualifications', ['volunteer_id'], unique=False)
    op.create_index(op.f('ix_qualifications_expires_on'), 'qualifications', ['expires_on'], unique=False)
    with op.batch_alter_table('volunteers') as batch:
        batch.add_column(sa.Column('leave', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('needs') as batch:
        batch.add_column(sa.Column('qualification_required', sa.String(length=30), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('needs') as batch:
        batch.drop_column('qualification_required')
    with op.batch_alter_table('volunteers') as batch:
        batch.drop_column('leave')
    op.drop_index(op.f('ix_qualifications_expires_on'), table_name='qualifications')
    op.drop_index(op.f('ix_qualifications_volunteer_id'), table_name='qualifications')
    op.drop_table('qualifications')
