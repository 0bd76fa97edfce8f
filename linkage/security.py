"""Passwords (argon2id), bearer tokens, and encryption of personal data at rest."""
from __future__ import annotations

import base64
import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
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


class FieldCipher:
    """Encrypts personal fields (Fernet) and derives a keyed digest for uniqueness look-ups."""

    def __init__(self, field_key: str):
        material = hashlib.sha256(("linkage.fields:" + field_key).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(material))
        self._mac_key = hashlib.sha256(("linkage.digest:" + field_key).encode()).digest()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return ""

    def digest(self, value: str) -> str:
        return hmac.new(self._mac_key, value.encode(), hashlib.sha256).hexdigest()
