"""personal data at rest: volunteers' phones encrypted, the audit trail hash-chained

Revision ID: a5atrest0001
Revises: a4rights0001

Data steps, in the migration's transaction:
- each volunteer's plain `phone` becomes `phone_cipher` (Fernet) and `phone_digest` (keyed hash).
  The key is the caller's (`linkage db upgrade` / `linkage run` pass the settings' field key),
  else LINKAGE_FIELD_KEY read as the settings read it (the development default outside
  production; production refuses to start without one). The newest key of a list is used.
- the existing audit rows are chained in id order (seq 1..n), and ledger_heads gets the head.
"""
from alembic import context, op
import sqlalchemy as sa
import linkage.models.base


revision = 'a5atrest0001'
down_revision = 'a4rights0001'
branch_labels = None
depends_on = None

BATCH = 1000
# The audit fields hashed when this migration was written (AuditEntry.HASHED less seq and
# prev_hash); `reason` (AuditEntry.HASHED_IF_SET) only where that column exists and is set.
AUDIT_FIELDS = ("at", "user_id", "username", "role", "action", "object_type", "object_id", "change",
                "fields", "remote_addr", "request_id")


def _cipher():
    from linkage.config import settings_from_env
    from linkage.security import FieldCipher
    return FieldCipher(context.config.attributes.get("field_key") or settings_from_env().field_key)


def _in_batches(conn, table, columns):
    last = 0
    while True:
        rows = conn.execute(sa.select(table.c.id, *columns).where(table.c.id > last)
                            .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _encrypt_phones(conn) -> None:
    volunteers = sa.table('volunteers', sa.column('id', sa.Integer), sa.column('phone', sa.String),
                          sa.column('phone_cipher', sa.Text), sa.column('phone_digest', sa.String))
    cipher = _cipher()
    update = (volunteers.update().where(volunteers.c.id == sa.bindparam('vid'))
              .values(phone_cipher=sa.bindparam('c'), phone_digest=sa.bindparam('d')))
    for rows in _in_batches(conn, volunteers, [volunteers.c.phone]):
        conn.execute(update, [{'vid': r.id, 'c': cipher.encrypt(r.phone), 'd': cipher.digest(r.phone)}
                              for r in rows])


def _decrypt_phones(conn) -> None:
    volunteers = sa.table('volunteers', sa.column('id', sa.Integer), sa.column('phone', sa.String),
                          sa.column('phone_cipher', sa.Text))
    cipher = _cipher()
    update = volunteers.update().where(volunteers.c.id == sa.bindparam('vid')).values(phone=sa.bindparam('p'))
    for rows in _in_batches(conn, volunteers, [volunteers.c.phone_cipher]):
        conn.execute(update, [{'vid': r.id, 'p': cipher.decrypt(r.phone_cipher)[:11]} for r in rows])


def _chain_audit(conn) -> None:
    from linkage import ledger
    has_reason = 'reason' in {c['name'] for c in sa.inspect(conn).get_columns('audit_log')}
    types = {'at': linkage.models.base.UTCDateTime(), 'fields': sa.JSON(), 'user_id': sa.Integer()}
    audit = sa.table('audit_log', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
                     sa.column('prev_hash', sa.String), sa.column('hash', sa.String),
                     *(sa.column(name, types.get(name, sa.String)) for name in AUDIT_FIELDS),
                     *([sa.column('reason', sa.String)] if has_reason else []))
    update = (audit.update().where(audit.c.id == sa.bindparam('eid'))
              .values(seq=sa.bindparam('s'), prev_hash=sa.bindparam('p'), hash=sa.bindparam('h')))
    seq, previous = 0, ledger.GENESIS
    hashed = [audit.c[name] for name in AUDIT_FIELDS] + ([audit.c.reason] if has_reason else [])
    for rows in _in_batches(conn, audit, hashed):
        params = []
        for row in rows:
            seq += 1
            payload = {name: getattr(row, name) for name in AUDIT_FIELDS}
            if has_reason and row.reason not in (None, ''):
                payload['reason'] = row.reason
            payload.update(seq=seq, prev_hash=previous)
            digest = ledger.entry_hash(payload)
            params.append({'eid': row.id, 's': seq, 'p': previous, 'h': digest})
            previous = digest
        conn.execute(update, params)
    heads = sa.table('ledger_heads', sa.column('name', sa.String), sa.column('seq', sa.Integer),
                     sa.column('hash', sa.String))
    conn.execute(heads.insert().values(name='audit', seq=seq, hash=previous))


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_cipher', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('phone_digest', sa.String(length=64), nullable=True))
    _encrypt_phones(conn)
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.alter_column('phone_cipher', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('phone_digest', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f('ix_volunteers_phone_digest'), ['phone_digest'], unique=False)
        batch_op.drop_column('phone')

    op.create_table('ledger_heads',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_ledger_heads'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    _chain_audit(conn)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_log_seq'), ['seq'])


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_log_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
    op.drop_table('ledger_heads')

    conn = op.get_bind()
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=11), nullable=True))
    _decrypt_phones(conn)
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.String(length=11), nullable=False)
        batch_op.drop_index(batch_op.f('ix_volunteers_phone_digest'))
        batch_op.drop_column('phone_cipher')
        batch_op.drop_column('phone_digest')
