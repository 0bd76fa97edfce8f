"""Personal data at rest over the API: phones stored encrypted and found by digest; the audit chain."""
from click.testing import CliRunner
from sqlalchemy import select, text

from linkage.cli import main
from linkage.models import AuditEntry, Volunteer
from tests.integration.api.conftest import need_body


def test_a_phone_is_stored_only_encrypted_and_found_by_its_digest(world):
    with world.platform.engine.connect() as conn:
        row = conn.execute(select(Volunteer).where(Volunteer.id == world.ids["volunteer"])).one()
        columns = {c.name for c in Volunteer.__table__.columns}
    assert "phone" not in columns and "13800000001" not in row.phone_cipher
    assert row.phone_digest == world.platform.cipher.digest("13800000001")
    found = world.call("GET", "/api/v1/volunteers?phone=13800000001", "admin").json
    assert [v["id"] for v in found["items"]] == [world.ids["volunteer"]] and found["total"] == 1
    assert found["items"][0]["phone"] == "138****0001"  # found by it, still masked (a reveal shows it)
    # The look-up goes through the same policy as every list: another community sees nothing.
    hidden = world.call("GET", "/api/v1/volunteers?phone=13800000001", "other_community_staff").json
    assert hidden == {**hidden, "items": [], "total": 0}
    assert world.call("GET", "/api/v1/volunteers?phone=13800000099", "admin").json["total"] == 0
    # A number of the documented shape that no carrier has allocated (174…) is a question, not an error.
    assert world.call("GET", "/api/v1/volunteers?phone=17465471331", "admin").json["total"] == 0
    bad = world.call("GET", "/api/v1/volunteers?phone=12345", "admin")
    assert bad.status_code == 422 and "phone" in str(bad.json)


def test_changing_a_phone_re_encrypts_it(world):
    path = f"/api/v1/volunteers/{world.ids['volunteer']}"
    assert world.call("PATCH", path, "volunteer", json={"phone": "13900000009"}).json["phone"] == "13900000009"
    assert world.call("GET", path, "auditor").json["phone"] == "139****0009"
    assert world.call("GET", "/api/v1/volunteers?phone=13900000009", "admin").json["total"] == 1
    assert world.call("GET", "/api/v1/volunteers?phone=13800000001", "admin").json["total"] == 0


def _audited_writes(world, n=3) -> list[int]:
    for i in range(n):
        assert world.call("POST", "/api/v1/needs", "community_staff",
                          json=need_body(world.ids["community"], title=f"需求{i}")).status_code == 201
    with world.platform.engine.connect() as conn:
        return list(conn.execute(select(AuditEntry.id).order_by(AuditEntry.seq)).scalars())


def _verify(world, who="auditor"):
    return world.call("GET", "/api/v1/audit/verify-chain", who)


def _cli_verify(world):
    return CliRunner().invoke(main, ["audit", "verify"], env={"DATABASE_URL": world.platform.settings.database_url},
                              catch_exceptions=False)


def test_the_audit_chain_verifies_for_auditors_and_admins_only(world):
    ids = _audited_writes(world)
    for who in ("auditor", "admin"):
        result = _verify(world, who)
        assert result.status_code == 200
        assert result.json["valid"] is True and result.json["entries"] == len(ids) == result.json["head_seq"]
        assert result.json["first_bad_entry_id"] is None
    for who in ("community_staff", "org_staff", "volunteer", "social_worker"):
        assert _verify(world, who).status_code == 403
    cli = _cli_verify(world)
    assert cli.exit_code == 0 and f"valid: {len(ids)} entries" in cli.output


def test_an_audit_row_changed_in_sql_is_named(world):
    ids = _audited_writes(world)
    victim = ids[len(ids) // 2]
    with world.platform.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET username = 'someone-else' WHERE id = :id"), {"id": victim})
    result = _verify(world).json
    assert result["valid"] is False and result["problem"] == "hash"
    assert result["first_bad_entry_id"] == victim
    cli = _cli_verify(world)
    assert cli.exit_code == 1 and f"first bad entry id {victim}" in cli.output


def test_a_removed_audit_row_is_named_and_so_is_a_cut_off_end(world):
    ids = _audited_writes(world, n=5)
    with world.platform.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[-1]})
    cut = _verify(world).json
    assert cut["valid"] is False and cut["problem"] == "head" and cut["first_bad_seq"] == len(ids)
    with world.platform.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[1]})
    gap = _verify(world).json
    assert gap["valid"] is False and gap["problem"] == "seq" and gap["first_bad_entry_id"] == ids[2]
    world.writes.clear()  # their audit rows were removed on purpose: the fixture's check does not apply
