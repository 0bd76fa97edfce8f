"""Passwords, tokens and field encryption."""

from linkage.security import FieldCipher, Passwords, Tokens


def test_passwords_are_argon2id_hashes_that_verify_only_the_right_password():
    passwords = Passwords(time_cost=1, memory_kib=8192)
    stored = passwords.hash("s3cret-pass")
    assert stored.startswith("$argon2id$") and "s3cret-pass" not in stored
    assert passwords.verify(stored, "s3cret-pass")
    assert not passwords.verify(stored, "s3cret-pasS")
    assert not passwords.verify("garbage", "s3cret-pass")


def test_tokens_carry_the_user_and_fail_when_tampered_or_signed_elsewhere():
    tokens = Tokens("k1", ttl_seconds=60)
    token = tokens.issue(7, 2)
    assert tokens.read(token) == {"uid": 7, "v": 2}
    assert tokens.read(token + "x") is None
    assert Tokens("k2", ttl_seconds=60).read(token) is None


def test_expired_tokens_are_refused():
    assert Tokens("k1", ttl_seconds=-1).read(Tokens("k1", ttl_seconds=60).issue(1, 0)) is None


def test_field_cipher_round_trips_and_its_digest_is_keyed():
    cipher = FieldCipher("key-a")
    token = cipher.encrypt("11010519491231002X")
    assert "11010519491231002X" not in token
    assert cipher.decrypt(token) == "11010519491231002X"
    assert cipher.digest("x") == FieldCipher("key-a").digest("x") != FieldCipher("key-b").digest("x")
    assert FieldCipher("key-b").decrypt(token) == ""


def test_the_field_key_setting_lists_keys_newest_first_split_on_commas_or_whitespace():
    from linkage.security import field_keys

    assert field_keys("b") == ["b"]
    assert field_keys("new, old") == field_keys("new old") == field_keys(" new,\nold ,") == ["new", "old"]


def test_with_several_keys_the_newest_encrypts_and_digests_and_any_decrypts():
    old, both, new = FieldCipher("key-a"), FieldCipher("key-b,key-a"), FieldCipher("key-b")
    token = old.encrypt("13800000001")
    assert both.decrypt(token) == "13800000001" and new.decrypt(token) == ""
    assert not both.is_current(token)
    fresh = both.encrypt("13800000001")
    assert both.is_current(fresh) and new.decrypt(fresh) == "13800000001" and old.decrypt(fresh) == ""
    rotated = both.rotate(token)
    assert new.decrypt(rotated) == "13800000001"
    assert both.digest("x") == new.digest("x") != old.digest("x")
    assert both.digests("x") == [new.digest("x"), old.digest("x")]


def test_a_single_key_still_opens_what_it_encrypted_before_key_lists():
    # The derivation of a key is unchanged: ciphers stored before rotation existed still open.
    import base64
    import hashlib

    from cryptography.fernet import Fernet

    legacy = Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"linkage.fields:key-a").digest()))
    assert FieldCipher("key-a").decrypt(legacy.encrypt(b"secret").decode()) == "secret"
