"""Passwords (argon2id), bearer tokens, and encryption of personal data at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class Passwords:
    def __init__(self, time_cost: int, memory_kib: int):
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False


class Tokens:
    """Signed, expiring bearer tokens; a user's token_version in the payload allows revocation."""

    def __init__(self, secret_key: str, ttl_seconds: int):
        self._signer = URLSafeTimedSerializer(secret_key, salt="linkage.access-token")
        self.ttl_seconds = ttl_seconds

    def issue(self, user_id: int, token_version: int) -> str:
        return self._signer.dumps({"uid": user_id, "v": token_version})

    def read(self, token: str) -> dict | None:
        try:
            return self._signer.loads(token, max_age=self.ttl_seconds)
        except (BadSignature, SignatureExpired):
            return None


def field_keys(setting: str) -> list[str]:
    """LINKAGE_FIELD_KEY as a list of keys, newest first: separated by commas and/or whitespace."""
    return [key for key in re.split(r"[,\s]+", setting) if key]


class FieldCipher:
    """Encrypts personal fields (Fernet) and derives keyed digests for look-ups and uniqueness.

    With several keys (newest first) it encrypts and digests with the newest and decrypts with
    any (MultiFernet); `digests` gives a value's digest under every key, so a look-up still finds
    rows digested before a rotation, until `linkage keys rotate` has brought them to the newest.
    """

    def __init__(self, field_key: str):
        keys = field_keys(field_key)
        if not keys:
            raise ValueError("LINKAGE_FIELD_KEY holds no key")
        self._fernets = [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(("linkage.fields:" + key).encode()).digest()))
            for key in keys
        ]
        self._multi = MultiFernet(self._fernets)
        self._mac_keys = [hashlib.sha256(("linkage.digest:" + key).encode()).digest() for key in keys]

    @property
    def key_count(self) -> int:
        return len(self._fernets)

    def encrypt(self, value: str) -> str:
        return self._multi.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._multi.decrypt(token.encode()).decode()
        except InvalidToken:
            return ""

    def read(self, obj, name: str) -> str:
        """The plain value of `obj`'s encrypted field `name` (its model's ENCRYPTED): the one reader."""
        return self.decrypt(getattr(obj, type(obj).ENCRYPTED[name][0]))

    def write(self, obj, name: str, value: str) -> None:
        """Store `value` in `obj`'s encrypted field `name`: cipher text and keyed digest, newest key."""
        cipher_column, digest_column = type(obj).ENCRYPTED[name]
        setattr(obj, cipher_column, self.encrypt(value))
        if digest_column:  # a field nobody looks up by has no digest
            setattr(obj, digest_column, self.digest(value))

    def is_current(self, token: str) -> bool:
        """Whether `token` is already encrypted with the newest key."""
        try:
            self._fernets[0].decrypt(token.encode())
            return True
        except InvalidToken:
            return False

    def rotate(self, token: str) -> str:
        """`token` re-encrypted with the newest key; InvalidToken if no key opens it."""
        return self._multi.rotate(token.encode()).decode()

    def digest(self, value: str) -> str:
        return hmac.new(self._mac_keys[0], value.encode(), hashlib.sha256).hexdigest()

    def digests(self, value: str) -> list[str]:
        """The value's digest under every key, newest first: what a look-up compares with."""
        return [hmac.new(key, value.encode(), hashlib.sha256).hexdigest() for key in self._mac_keys]
