"""Field-key rotation (`linkage keys rotate`): every encrypted field re-encrypted with the newest key."""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable

from cryptography.fernet import InvalidToken
from sqlalchemy import select

from linkage.models import Base
from linkage.security import FieldCipher
from linkage.uow import UnitOfWork


def encrypted_models() -> list[type[Any]]:
    """Every model that declares ENCRYPTED fields (name -> (cipher column, digest column))."""
    # type[Any]: ENCRYPTED, id and __tablename__ are each such model's own, not Base's.
    return sorted((mapper.class_ for mapper in Base.registry.mappers if hasattr(mapper.class_, "ENCRYPTED")),
                  key=lambda model: model.__tablename__)


def _rotate_row(row: Any, cipher: FieldCipher, counts: dict[str, Counter[str]]) -> None:
    for name, (cipher_column, digest_column) in type(row).ENCRYPTED.items():
        tally = counts[f"{row.__tablename__}.{name}"]
        token = getattr(row, cipher_column)
        if not token:  # nothing held (an erased person, a consent without a guardian)
            continue
        if not cipher.is_current(token):
            try:
                token = cipher.rotate(token)
            except InvalidToken:  # no configured key opens it: left as it is, and reported
                tally["unreadable"] += 1
                continue
            setattr(row, cipher_column, token)
            tally["re-encrypted"] += 1
        digest = cipher.digest(cipher.decrypt(token)) if digest_column else None
        if digest_column and getattr(row, digest_column) != digest:
            setattr(row, digest_column, digest)
            tally["re-digested"] += 1
        tally["fields"] += 1


def rotate_keys(new_uow: Callable[[], UnitOfWork], cipher: FieldCipher,
                batch_size: int = 500) -> dict[str, Counter[str]]:
    """Bring every encrypted field to the newest key, `batch_size` rows a transaction.

    Idempotent: a field already encrypted and digested with the newest key is not written, so a
    second run (or a run after an interruption) changes only what is left. Returns, per
    table.field: fields seen, re-encrypted, re-digested, unreadable (no key opens it).
    """
    counts: dict[str, Counter[str]] = {}
    for model in encrypted_models():
        for name in model.ENCRYPTED:
            counts[f"{model.__tablename__}.{name}"] = Counter()
        last_id = 0
        while True:
            with new_uow() as uow:
                rows = list(uow.session.scalars(select(model).where(model.id > last_id).order_by(model.id)
                                                .limit(batch_size).with_for_update()))
                if not rows:
                    break
                for row in rows:
                    _rotate_row(row, cipher, counts)
                uow.commit()
                last_id = rows[-1].id
    return counts
