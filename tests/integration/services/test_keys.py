"""Field-key rotation at the service: every encrypted field brought to the newest key, idempotently."""

from __future__ import annotations

from sqlalchemy import select

from linkage.models import Volunteer
from linkage.security import FieldCipher
from linkage.services.keys import encrypted_models, rotate_keys

NEW_KEY = "the-new-field-key-2027"


def _volunteers(read):
    with read() as s:
        return list(s.scalars(select(Volunteer).order_by(Volunteer.id)))


def test_every_model_with_encrypted_fields_is_rotated():
    assert "volunteers" in [m.__tablename__ for m in encrypted_models()]


def test_rotation_re_encrypts_and_re_digests_with_the_newest_key_then_has_nothing_left(build, platform, read):
    community = build.community()
    volunteers = [build.volunteer(community) for _ in range(3)]
    phones = [platform.cipher.read(v, "phone") for v in volunteers]
    rotating = FieldCipher(f"{NEW_KEY},{platform.settings.field_key}")
    counts = rotate_keys(platform.uow, rotating, batch_size=2)
    assert counts["volunteers.phone"]["re-encrypted"] == 3
    assert counts["volunteers.phone"]["re-digested"] == 3
    assert counts["volunteers.id_number"]["fields"] == 3
    newest_only = FieldCipher(NEW_KEY)
    stored = _volunteers(read)
    assert [newest_only.read(v, "phone") for v in stored] == phones
    assert [v.phone_digest for v in stored] == [newest_only.digest(p) for p in phones]
    again = rotate_keys(platform.uow, rotating)
    assert again["volunteers.phone"]["re-encrypted"] == again["volunteers.phone"]["re-digested"] == 0
    assert again["volunteers.phone"]["fields"] == 3


def test_a_field_no_key_opens_is_left_alone_and_reported(build, platform, read):
    volunteer = build.volunteer(build.community())
    before = _volunteers(read)[0].phone_cipher
    counts = rotate_keys(platform.uow, FieldCipher("a-key-that-never-was,another-unknown-key"))
    assert counts["volunteers.phone"]["unreadable"] == 1
    assert _volunteers(read)[0].phone_cipher == before
    assert platform.cipher.read(_volunteers(read)[0], "phone") == platform.cipher.read(volunteer, "phone")
