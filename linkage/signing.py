"""The platform's signing key (Ed25519): it signs record-transfer exports (转移接续); anyone checks them
with the public key the platform publishes."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ALGORITHM = "Ed25519"
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def new_signing_key() -> str:
    """A fresh private key as LINKAGE_SIGNING_KEY takes it: its 32-byte seed, base64."""
    seed = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(seed).decode()


def _seed(signing_key: str, secret_key: str) -> bytes:
    """LINKAGE_SIGNING_KEY's seed; without one, a seed derived (HKDF-SHA256) from SECRET_KEY, so the
    key pair is made once and stays the same across restarts for as long as SECRET_KEY does."""
    if signing_key:
        try:
            seed = base64.b64decode(signing_key, validate=True)
        except binascii.Error as exc:
            raise ValueError("LINKAGE_SIGNING_KEY is not base64") from exc
        if len(seed) != 32:
            raise ValueError("LINKAGE_SIGNING_KEY must hold a 32-byte Ed25519 seed")
        return seed
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"linkage.transfer-signing-key").derive(
        secret_key.encode()
    )


def public_key_text(key: Ed25519PublicKey) -> str:
    """A public key as it is published and registered: its 32 raw bytes, base64."""
    return base64.b64encode(key.public_bytes(*_RAW)).decode()


def load_public_key(text: str) -> Ed25519PublicKey | None:
    """A published public key (base64 of 32 raw bytes); None when `text` is not one."""
    try:
        raw = base64.b64decode((text or "").strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw) if len(raw) == 32 else None
    except (binascii.Error, ValueError):
        return None


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hex, in groups of four: what a person compares by eye."""
    digest = hashlib.sha256(key.public_bytes(*_RAW)).hexdigest()
    return ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def verify(key: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is `key`'s signature of `message`."""
    try:
        key.verify(base64.b64decode((signature or "").strip(), validate=True), message)
        return True
    except (binascii.Error, ValueError, InvalidSignature):
        return False


class Signer:
    """The platform's key pair: signs with the private key, publishes the public one."""

    def __init__(self, signing_key: str, secret_key: str):
        self._private = Ed25519PrivateKey.from_private_bytes(_seed(signing_key, secret_key))
        self.public_key = self._private.public_key()

    @property
    def public_key_text(self) -> str:
        return public_key_text(self.public_key)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, message: bytes) -> str:
        """A detached signature of `message`, base64."""
        return base64.b64encode(self._private.sign(message)).decode()
