"""pinyin search keys (name_pinyin, name_initials) on the named tables, backfilled; a community's contact phone

Revision ID: pinyin0001
Revises: transfer0001
"""
from alembic import op
import sqlalchemy as sa

from linkage.pinyin import INITIALS_LENGTH, PINYIN_LENGTH, pinyin_keys


revision = 'pinyin0001'
down_revision = 'transfer0001'
branch_labels = None
depends_on = None

# table -> (the searched field, a person's name?)
TABLES = {
    'organizations': ('name', False), 'social_workers': ('name', True), 'volunteers': ('name', True),
    'resources': ('name', False), 'communities': ('name', False), 'needs': ('title', False),
}


def upgrade() -> None:
    bind = op.get_bind()
    for table, (field, person) in TABLES.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('name_pinyin', sa.String(length=PINYIN_LENGTH), nullable=False, server_default=''))
            batch.add_column(sa.Column('name_initials', sa.String(length=INITIALS_LENGTH), nullable=False, server_default=''))
        rows = sa.table(table, sa.column('id', sa.Integer), sa.column(field, sa.String),
                        sa.column('name_pinyin', sa.String), sa.column('name_initials', sa.String))
        keyed = [{'key': row.id, 'p': keys[0], 'i': keys[1]}
                 for row in bind.execute(sa.select(rows.c.id, rows.c[field]))
                 for keys in [pinyin_keys(row[1], person)]]
        if keyed:
            bind.execute(rows.update().where(rows.c.id == sa.bindparam('key'))
                         .values(name_pinyin=sa.bindparam('p'), name_initials=sa.bindparam('i')), keyed)
        for column in ('name_pinyin', 'name_initials'):
            op.create_index(f'ix_{table}_{column}', table, [column], unique=False,
                            postgresql_ops={column: 'varchar_pattern_ops'})
    with op.batch_alter_table('communities') as batch:
        batch.add_column(sa.Column('contact_phone', sa.String(length=30), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('communities') as batch:
        batch.drop_column('contact_phone')
    for table in TABLES:
        for column in ('name_pinyin', 'name_initials'):
            op.drop_index(f'ix_{table}_{column}', table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column('name_initials')
            batch.drop_column('name_pinyin')
