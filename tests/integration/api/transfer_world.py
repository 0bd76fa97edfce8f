"""Signed transfer exports of another platform for the API tests: its key pair, trusted here, and documents."""

from __future__ import annotations

import uuid
from typing import Any

from linkage.privacy import mask_id_number
from linkage.services.transfer import document_bytes
from linkage.signing import Signer
from tests.factories import valid_id_number

OTHER_PLATFORM = Signer("", "another-linkage-deployment")  # 甲区平台, the one the exports come from


def document(name: str = "李明", serial: int = 1, minutes: int = 120, records: int = 1) -> dict[str, Any]:
    """An export of volunteer `serial` (tests.factories.valid_id_number) by OTHER_PLATFORM; every call
    names new records (new hashes), so each import of one imports something."""
    items = [
        {
            "record_id": 100 + i,
            "hash": uuid.uuid4().hex + uuid.uuid4().hex,
            "date": "2025-05-0" + str(i + 1),
            "starts_at": f"2025-05-0{i + 1}T09:00:00+08:00",
            "ends_at": f"2025-05-0{i + 1}T11:00:00+08:00",
            "minutes": minutes,
            "organization": "甲区乐龄中心",
            "project": "助老",
            "activity": "陪诊",
            "kind": "credit",
        }
        for i in range(records)
    ]
    return {
        "format": "linkage.transfer.v1",
        "export_id": uuid.uuid4().hex,
        "as_of": "2025-06-01T10:00:00+08:00",
        "issuer": {"name": "甲区平台", "url": "https://a.example.cn", "key_fingerprint": OTHER_PLATFORM.fingerprint},
        "volunteer": {
            "platform_id": "V0001",
            "name": name,
            "id_number_masked": mask_id_number(valid_id_number(serial)),
        },
        "ledger_head": {"seq": 3, "hash": "0" * 64},
        "totals": {"minutes": minutes * records, "credit_minutes": minutes * records, "honour_minutes": 0},
        "records": items,
    }


def signed(doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """The import body: a document and OTHER_PLATFORM's signature of it."""
    doc = doc or document()
    return {"document": doc, "signature": OTHER_PLATFORM.sign(document_bytes(doc))}


def trust(scene: Any) -> None:
    """The district of the scene's deployment trusts OTHER_PLATFORM (once per scene)."""
    if "trusted" not in scene.cache:
        scene.cache["trusted"] = scene.must(
            "POST", "/trusted-platforms", "admin", {"name": "甲区平台", "public_key": OTHER_PLATFORM.public_key_text}
        )
