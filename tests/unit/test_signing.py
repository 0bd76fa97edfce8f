"""The platform's Ed25519 signing key: made once from the settings, the same on every start."""

from __future__ import annotations

import pytest

from linkage import signing
from linkage.signing import Signer


def test_the_key_is_derived_from_the_secret_and_stable():
    assert Signer("", "secret-a").public_key_text == Signer("", "secret-a").public_key_text
    assert Signer("", "secret-a").public_key_text != Signer("", "secret-b").public_key_text


def test_a_configured_key_wins_over_the_secret():
    key = signing.new_signing_key()
    assert Signer(key, "secret-a").public_key_text == Signer(key, "secret-b").public_key_text
    with pytest.raises(ValueError):
        Signer("c2hvcnQ=", "secret-a")  # base64 of 5 bytes


def test_a_signature_verifies_with_the_published_key_only_for_the_same_bytes():
    signer = Signer("", "secret-a")
    signature = signer.sign(b"record")
    key = signing.load_public_key(signer.public_key_text)
    assert key is not None and signing.verify(key, b"record", signature)
    assert not signing.verify(key, b"record!", signature)
    assert not signing.verify(key, b"record", "%%%")
    assert signing.load_public_key("short") is None
    assert len(signer.fingerprint.split(":")) == 16
