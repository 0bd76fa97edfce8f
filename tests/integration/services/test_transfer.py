"""Record transfer (转移接续) between two deployments, each on its own database: export, trust, import."""

from __future__ import annotations

import copy
import json
import shutil

import pytest
from sqlalchemy import func, select, update

from linkage import signing
from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import HourEntry, ImportedHours
from linkage.platform import build_platform
from linkage.services import transfer
from linkage.signing import Signer
from tests.conftest import _empty_all, settings_for_tests
from tests.factories import ADMIN, Build

BASE_A = "https://a.linkage.example.cn"


@pytest.fixture
def deployment_b(request, database_url, tmp_path):
    """A second deployment with its own secret (so its own signing key) on another database: PostgreSQL
    when A is on SQLite, a SQLite file when A is on PostgreSQL."""
    if database_url.startswith("sqlite"):
        url = request.getfixturevalue("postgres_url")
        _empty_all(url)
    else:
        path = tmp_path / "deployment-b.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    built = build_platform(settings_for_tests(url, secret_key="deployment-b-secret", platform_name="乙区平台"))
    yield built
    built.dispose()


@pytest.fixture
def exported(build, platform, read):
    """On deployment A: a volunteer with two verified records (and a pending one), their signed export."""
    community = build.community()
    volunteer = build.volunteer(community, name="李明")
    first = build.verified_hours(volunteer, minutes=120)
    second = build.verified_hours(volunteer, minutes=90)
    project = build.project(status="in_progress")
    build.hour_record(build.past_activity(project, ended_hours_ago=30), volunteer, minutes=60)  # pending
    me = build.volunteer_actor(volunteer)
    with read() as s:
        signed = transfer.build_export(s, me, platform.cipher, platform.signer, volunteer.id, "甲区平台", BASE_A)
    # What travels is a file: the document as JSON text, parsed again on the other side.
    return {
        "signed": json.loads(json.dumps(signed, ensure_ascii=False)),
        "volunteer": volunteer,
        "records": (first, second),
        "serial": _serial_of(platform, volunteer),
    }


def _serial_of(platform, volunteer) -> str:
    return platform.cipher.read(volunteer, "id_number")


def _b_world(deployment_b, id_number: str):
    """On B: the same person registered (same name and ID number), their community's staff, and
    A's public key trusted by the district."""
    build = Build(deployment_b)
    community = build.community()
    volunteer = build.volunteer(community, name="李明", id_number=id_number, phone="13900001111")
    return build, community, volunteer, build.community_staff(community)


def _imported_rows(platform) -> int:
    with platform.read_session() as s:
        return s.scalar(select(func.count()).select_from(ImportedHours))


def _trust(platform_b, key: str, name: str = "甲区平台"):
    with platform_b.uow() as uow:
        return transfer.add_trusted_platform(uow, ADMIN, name, key)


def _import(platform_b, actor, volunteer_id, document, signature):
    with platform_b.uow() as uow:
        return transfer.import_export(uow, actor, platform_b.cipher, volunteer_id, document, signature)


def test_the_export_holds_only_verified_records_signed_by_the_platform(exported, platform):
    signed = exported["signed"]
    document = signed["document"]
    assert document["format"] == "linkage.transfer.v1"
    assert [r["record_id"] for r in document["records"]] == [r.id for r in exported["records"]]
    assert [r["minutes"] for r in document["records"]] == [120, 90]
    assert document["totals"] == {"minutes": 210, "credit_minutes": 0, "honour_minutes": 210}
    assert {r["hash"] for r in document["records"]} == {r.hash for r in exported["records"]}
    assert document["volunteer"]["name"] == "李明" and "*" in document["volunteer"]["id_number_masked"]
    assert exported["serial"] not in json.dumps(signed)  # the ID number only masked
    assert signed["public_key"] == platform.signer.public_key_text
    assert signing.verify(platform.signer.public_key, transfer.document_bytes(document), signed["signature"])


def test_the_same_ledger_gives_the_same_export(exported, platform, read, build):
    me = build.volunteer_actor(exported["volunteer"])
    with read() as s:
        again = transfer.build_export(
            s, me, platform.cipher, platform.signer, exported["volunteer"].id, "甲区平台", BASE_A
        )
    assert again == exported["signed"]  # JSON, signature and PDF downloaded one by one match


def test_a_round_trip_between_two_databases(exported, platform, deployment_b):
    signed = exported["signed"]
    _build, _community, volunteer_b, staff_b = _b_world(deployment_b, exported["serial"])
    _trust(deployment_b, platform.signer.public_key_text)

    result = _import(deployment_b, staff_b, volunteer_b.id, signed["document"], signed["signature"])
    assert (result["imported"], result["already_imported"], result["minutes"]) == (2, 0, 210)
    with deployment_b.read_session() as s:
        rows = transfer.imported_hours(s, staff_b, volunteer_b.id)
        assert transfer.imported_minutes(s, volunteer_b.id) == 210
        # Kept apart: B's own ledger holds nothing for the volunteer.
        assert s.scalar(select(func.count()).select_from(HourEntry)) == 0
    # Oldest service first: the second record's activity was the earlier one.
    assert [(r["minutes"], r["platform"], r["kind"]) for r in rows] == [
        (90, "甲区平台", "honour"),
        (120, "甲区平台", "honour"),
    ]
    assert [r["original_hash"] for r in rows] == [r.hash for r in reversed(exported["records"])]

    doubled = copy.deepcopy(signed["document"])  # a record twice in one file counts once (no signature: refused)
    doubled["records"].append(doubled["records"][0])
    with pytest.raises(InvalidInput):
        _import(deployment_b, ADMIN, volunteer_b.id, doubled, signed["signature"])
    again = _import(deployment_b, ADMIN, volunteer_b.id, signed["document"], signed["signature"])
    assert (again["imported"], again["already_imported"], again["import_batch"]) == (0, 2, None)
    assert _imported_rows(deployment_b) == 2


@pytest.mark.parametrize("tamper", ["one_minute", "name", "dropped_record", "extra_field"])
def test_a_tampered_export_is_refused_and_nothing_is_stored(exported, platform, deployment_b, tamper):
    signed = exported["signed"]
    _build, _community, volunteer_b, staff_b = _b_world(deployment_b, exported["serial"])
    _trust(deployment_b, platform.signer.public_key_text)
    document = copy.deepcopy(signed["document"])
    if tamper == "one_minute":
        document["records"][0]["minutes"] += 1
    elif tamper == "name":
        document["issuer"]["name"] = "乙区平台"
    elif tamper == "dropped_record":
        document["records"].pop()
    else:
        document["records"][0]["note"] = "补充"
    with pytest.raises(InvalidInput) as caught:
        _import(deployment_b, staff_b, volunteer_b.id, document, signed["signature"])
    assert caught.value.code == "transfer.bad_signature" and "signature" in caught.value.errors
    assert _imported_rows(deployment_b) == 0


def test_an_export_of_an_unknown_platform_is_refused(exported, deployment_b):
    signed = exported["signed"]
    _build, _community, volunteer_b, staff_b = _b_world(deployment_b, exported["serial"])
    _trust(deployment_b, Signer("", "some-other-platform").public_key_text, "丙区平台")
    with pytest.raises(InvalidInput) as caught:
        _import(deployment_b, staff_b, volunteer_b.id, signed["document"], signed["signature"])
    assert caught.value.code == "transfer.unknown_platform"
    assert _imported_rows(deployment_b) == 0


def test_a_signature_by_another_key_claiming_a_trusted_platform_is_refused(exported, platform, deployment_b):
    signed = exported["signed"]
    _build, _community, volunteer_b, staff_b = _b_world(deployment_b, exported["serial"])
    _trust(deployment_b, platform.signer.public_key_text)
    forged = Signer("", "forger").sign(transfer.document_bytes(signed["document"]))
    for signature in (forged, "not base64 at all!", ""):
        with pytest.raises(InvalidInput) as caught:
            _import(deployment_b, staff_b, volunteer_b.id, signed["document"], signature)
        assert caught.value.code == "transfer.bad_signature"
    assert _imported_rows(deployment_b) == 0


@pytest.mark.parametrize("document", [[1, 2], "text", {}, {"format": "linkage.transfer.v1"}, "records"])
def test_a_malformed_file_is_refused(exported, platform, deployment_b, document):
    signed = exported["signed"]
    _build, _community, volunteer_b, staff_b = _b_world(deployment_b, exported["serial"])
    _trust(deployment_b, platform.signer.public_key_text)
    if document == "records":
        document = copy.deepcopy(signed["document"])
        document["records"][0]["minutes"] = "many"
    with pytest.raises(InvalidInput) as caught:
        _import(deployment_b, staff_b, volunteer_b.id, document, signed["signature"])
    assert caught.value.code == "transfer.malformed"
    assert _imported_rows(deployment_b) == 0


def test_an_export_of_another_person_is_refused(exported, platform, deployment_b):
    signed = exported["signed"]
    build_b, community, _volunteer_b, staff_b = _b_world(deployment_b, exported["serial"])
    someone_else = build_b.volunteer(community, name="李明")  # same name, another ID number
    _trust(deployment_b, platform.signer.public_key_text)
    with pytest.raises(Conflict) as caught:
        _import(deployment_b, staff_b, someone_else.id, signed["document"], signed["signature"])
    assert caught.value.code == "transfer.other_person"
    assert _imported_rows(deployment_b) == 0


def test_who_trusts_and_who_imports(exported, platform, deployment_b):
    signed = exported["signed"]
    build_b, _community, volunteer_b, _staff_b = _b_world(deployment_b, exported["serial"])
    with pytest.raises(Forbidden):
        with deployment_b.uow() as uow:
            transfer.add_trusted_platform(
                uow, build_b.community_staff(build_b.community()), "甲区平台", platform.signer.public_key_text
            )
    _trust(deployment_b, platform.signer.public_key_text)
    with pytest.raises(Conflict):  # the same key twice
        _trust(deployment_b, platform.signer.public_key_text, "又一次")
    with pytest.raises(InvalidInput):
        _trust(deployment_b, "not-a-key")
    other_staff = build_b.community_staff(build_b.community())
    with pytest.raises(NotFound):  # another community's volunteer is not told to exist
        _import(deployment_b, other_staff, volunteer_b.id, signed["document"], signed["signature"])
    with pytest.raises(Forbidden):  # the volunteer does not import their own hours
        _import(
            deployment_b, build_b.volunteer_actor(volunteer_b), volunteer_b.id, signed["document"], signed["signature"]
        )
    assert _imported_rows(deployment_b) == 0


def test_no_export_from_a_tampered_ledger_nor_of_another(build, platform, read):
    volunteer = build.volunteer(build.community())
    record = build.verified_hours(volunteer)
    me, someone = build.volunteer_actor(volunteer), build.volunteer_actor(build.volunteer())
    with read() as s, pytest.raises(NotFound):
        transfer.build_export(s, someone, platform.cipher, platform.signer, volunteer.id, "甲区平台", BASE_A)
    with read() as s, pytest.raises(NotFound):  # not even the district: the export is the volunteer's
        transfer.build_export(s, ADMIN, platform.cipher, platform.signer, volunteer.id, "甲区平台", BASE_A)
    with platform.write_sessions() as s:
        s.execute(update(HourEntry).where(HourEntry.id == record.id).values(minutes=900))
        s.commit()
    with read() as s, pytest.raises(Conflict) as caught:
        transfer.build_export(s, me, platform.cipher, platform.signer, volunteer.id, "甲区平台", BASE_A)
    assert caught.value.code == "transfer.ledger_broken" and "ledger" in caught.value.errors


def test_no_export_without_verified_hours(build, platform, read):
    volunteer = build.volunteer(build.community())
    with read() as s, pytest.raises(Conflict) as caught:
        transfer.build_export(
            s, build.volunteer_actor(volunteer), platform.cipher, platform.signer, volunteer.id, "甲区平台", BASE_A
        )
    assert caught.value.code == "transfer.no_hours"


def test_a_record_listed_twice_in_one_signed_file_is_imported_once(exported, platform, deployment_b):
    _build, _community, volunteer_b, staff_b = _b_world(deployment_b, exported["serial"])
    _trust(deployment_b, platform.signer.public_key_text)
    document = copy.deepcopy(exported["signed"]["document"])
    document["records"].append(document["records"][0])
    signature = platform.signer.sign(transfer.document_bytes(document))  # A signed it so (a faulty A)
    result = _import(deployment_b, staff_b, volunteer_b.id, document, signature)
    assert (result["imported"], result["already_imported"]) == (2, 1)
    assert _imported_rows(deployment_b) == 2
