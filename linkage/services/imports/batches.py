"""Import batches: upload (the quick guards) -> preview in the background (every row validated by the
API's own schema, progress in the batch row) -> commit all valid rows or none, in one transaction,
through the provider registration service (so the outbox events reach the matcher as for a form)
-> a report of each row's outcome. Audited as one entry for the batch, with its row count."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from linkage.audit import AuditContext
from linkage.errors import Conflict, DomainError, Forbidden, InvalidInput, Message, NotFound
from linkage.i18n import render_message, text
from linkage.models import Community, ImportBatch, ImportStatus, Organization, Volunteer, utcnow
from linkage.notice import current_version
from linkage.permissions import Actor
from linkage.policy.imports import listed_batches, may_see_batch, require_importer
from linkage.policy.people import may_confirm_paper_consent
from linkage.security import FieldCipher
from linkage.services import providers
from linkage.services.imports.columns import KINDS, Column, ImportKind, cell_to_value
from linkage.services.imports.reading import open_table
from linkage.spreadsheets import FORMULA_TRIGGERS, Sheet, write_xlsx
from linkage.uow import UnitOfWork
from schemas.providers import SCHEMAS

LOCALE = "zh_CN"  # row messages are stored as the pages show them
PROGRESS_EVERY = 500  # rows between progress writes
STALE_AFTER = timedelta(minutes=2)  # a running batch without a heartbeat this long has died (a restart)
SHOWN_PROBLEMS = 200  # problems kept with the batch beyond the counts (the report has every row)


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    DUPLICATE = "duplicate"  # already registered, left as it was
    INVALID = "invalid"
    SKIPPED = "skipped"  # valid, but all-or-nothing found a bad row


OUTCOME_WORDS = {
    Outcome.CREATED: "已新增",
    Outcome.UPDATED: "已更新",
    Outcome.DUPLICATE: "重复，未更新",
    Outcome.INVALID: "有错误，未导入",
    Outcome.SKIPPED: "未导入（全部或全不）",
}
MODES = ("all_or_nothing", "valid_rows")


# --- reading and checking rows ------------------------------------------------------------------------


@dataclass
class CheckedRow:
    number: int
    payload: dict[str, Any] | None  # what register_provider takes; None when the row is invalid
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    existing_id: int | None = None  # the provider already registered with this ID number / USCC


@dataclass
class RowChecker:
    """Checks one kind's rows as the API would, plus the spreadsheet's own rules."""

    session: Session
    actor: Actor
    spec: ImportKind
    cipher: FieldCipher
    communities: dict[str, Community]
    seen: dict[str, int] = field(default_factory=dict)  # unique key -> first row with it
    schema: Any = None  # the API's schema, made once (marshmallow copies its fields per instance)
    own: Community | None = None  # the actor's community (a staff member's rows default to it), looked up once

    @classmethod
    def open(cls, session: Session, actor: Actor, kind: str, cipher: FieldCipher) -> RowChecker:
        places: dict[str, Community] = {}
        for community in session.scalars(select(Community)):
            places[community.name] = community
            places[community.code] = community
        own = session.get(Community, actor.community_id) if actor.community_id is not None else None
        return cls(session, actor, KINDS[kind], cipher, places, schema=SCHEMAS[kind](), own=own)

    def check(self, number: int, headers: list[str], cells: list[Any]) -> CheckedRow:
        row = CheckedRow(number, None)
        columns = {c.header: c for c in self.spec.columns}
        data: dict[str, Any] = {}
        for header, cell in zip(headers, cells, strict=False):
            column = columns[header]
            if cell is None or cell == "":
                continue
            value = str(cell)
            if value.startswith(FORMULA_TRIGGERS) and not _is_number(value):
                row.problems.append((header, text("import.formula", None, LOCALE)))
                continue
            try:
                data[column.field] = cell_to_value(column, value)
            except ValueError as exc:
                row.problems.append((header, text(str(exc), None, LOCALE)))
        self._place(data, row)
        unplaced = "lat" not in data and "lon" not in data and not row.problems
        if unplaced:
            row.problems.append(("所属社区", text("import.place_needed", None, LOCALE)))
        payload = self._payload(data)
        try:
            loaded = self.schema.load(payload)
        except ValidationError as exc:
            told = {header for header, _ in row.problems}  # a cell refused above is not "required" too
            row.problems.extend(
                (header, message)
                for header, message in self._field_problems(exc.messages)
                if header not in told and not (unplaced and header in ("纬度", "经度"))
            )
            return row
        if row.problems:
            return row
        self._unique(loaded, row)
        if not row.problems:
            row.payload = loaded
        return row

    def _place(self, data: dict[str, Any], row: CheckedRow) -> None:
        """A community name or code -> its id (volunteers, organizations) and, with no coordinates
        given, its coordinates. A community's staff import into their own community by default."""
        name = data.pop("community", None)
        community = None
        if name is not None:
            community = self.communities.get(name)
            if community is None:
                row.problems.append(("所属社区", text("import.unknown_community", {"name": name}, LOCALE)))
                return
        else:
            community = self.own
        if community is not None:
            if self.spec.code in ("volunteer", "organization"):
                data["community_id"] = community.id
            if "lat" not in data and "lon" not in data:
                data["lat"], data["lon"] = community.lat, community.lon
        if self.spec.code == "social_worker" and self.actor.organization_id is not None:
            data["organization_id"] = self.actor.organization_id

    def _payload(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.spec.code != "volunteer":
            return data
        guardian = {
            key: data.pop(f"guardian_{key}") for key in ("name", "relation", "phone") if f"guardian_{key}" in data
        }
        consent: dict[str, Any] = {"notice_version": current_version(), "method": "paper"}
        if guardian:
            consent["guardian"] = guardian
        return {**data, "consent": consent}

    def _field_problems(self, messages: Any) -> Iterator[tuple[str, str]]:
        by_field = {c.field: c.header for c in self.spec.columns}
        by_field.update(community_id="所属社区", organization_id="所属社区")
        for name, found in _flatten(messages):
            first = name.split(".")[0]
            if first == "consent":
                header = {
                    "consent.guardian.name": "监护人姓名",
                    "consent.guardian.relation": "监护人关系",
                    "consent.guardian.phone": "监护人手机号",
                }.get(name, "监护人姓名")
            else:
                header = by_field.get(first, first)
            yield header, "；".join(str(m) for m in render_message(found, LOCALE))

    def _unique(self, data: dict[str, Any], row: CheckedRow) -> None:
        """A second row with the same ID number / USCC is a problem (the registered ones are looked
        up a chunk of rows at a time: `mark_registered`)."""
        key = self.key_of(data)
        if key is None:
            return
        header = "身份证号" if self.spec.code == "volunteer" else "统一社会信用代码"
        if key in self.seen:
            row.problems.append((header, text("import.same_as_row", {"row": self.seen[key]}, LOCALE)))
        else:
            self.seen[key] = row.number

    def key_of(self, data: dict[str, Any]) -> str | None:
        if self.spec.code == "volunteer":
            return self.cipher.digest(data["id_number"].upper())
        if self.spec.code == "organization":
            return str(data["uscc"])
        return None

    def mark_registered(self, rows: list[CheckedRow]) -> None:
        """Set `existing_id` on the rows whose ID number (digest under any key) or USCC is registered:
        one query for the chunk."""
        wanted: dict[str, CheckedRow] = {}
        for row in rows:
            if row.payload is None:
                continue
            if self.spec.code == "volunteer":
                for digest in self.cipher.digests(row.payload["id_number"].upper()):
                    wanted[digest] = row
            elif self.spec.code == "organization":
                wanted[row.payload["uscc"]] = row
        if not wanted:
            return
        if self.spec.code == "volunteer":
            found = self.session.execute(
                select(Volunteer.id_number_digest, Volunteer.id).where(Volunteer.id_number_digest.in_(list(wanted)))
            )
        else:
            found = self.session.execute(
                select(Organization.uscc, Organization.id).where(Organization.uscc.in_(list(wanted)))
            )
        for key, provider_id in found:
            wanted[key].existing_id = provider_id


def _is_number(value: str) -> bool:
    """-3 or +8.5 in a number column is a number, not a formula."""
    try:
        float(value)
    except ValueError:
        return False
    return True


def _flatten(messages: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                yield from _flatten(value, name)
            else:
                yield name, value if isinstance(value, list) else [value]
    else:
        yield prefix or "_schema", messages


def checked_rows(
    session: Session, actor: Actor, batch: ImportBatch, cipher: FieldCipher
) -> tuple[Any, Iterator[CheckedRow]]:
    """The batch's file read and each row checked (a refusal of the file raises InvalidInput)."""
    spec = KINDS[batch.kind]
    table = open_table(batch.content or b"", spec.headers, spec.required)
    checker: Any = (
        RowChecker.open(session, actor, batch.kind, cipher)
        if batch.kind in SCHEMAS
        else _hour_rows().HourRowChecker(session, actor)
    )  # hour records: their own checker
    return checker, _chunked(checker, table.headers, table.rows)


def _hour_rows() -> Any:
    from linkage.services.imports import hours  # it builds on this module

    return hours


CHUNK = 500  # rows whose registered duplicates are looked up in one query


def _chunked(checker: Any, headers: list[str], cells: Iterator[tuple[int, list[Any]]]) -> Iterator[CheckedRow]:
    chunk: list[CheckedRow] = []
    for number, row in cells:
        chunk.append(checker.check(number, headers, row))
        if len(chunk) == CHUNK:
            checker.mark_registered(chunk)
            yield from chunk
            chunk = []
    checker.mark_registered(chunk)
    yield from chunk


# --- the batch's life -------------------------------------------------------------------------------------


def start_import(uow: UnitOfWork, actor: Actor, kind: str, filename: str, body: bytes) -> ImportBatch:
    """Take an upload: the file's quick guards now (a refusal stores nothing), the rows later."""
    if kind not in KINDS:
        raise InvalidInput("import.unknown_kind", {"kind": ["lib.one_of"]})
    require_importer(actor, kind)
    if actor.user_id is None:  # a batch is its creator's: only a person imports
        raise Forbidden("import.forbidden")
    spec = KINDS[kind]
    table = open_table(body, spec.headers, spec.required)  # size, format, zip bomb, headers
    del table
    batch = ImportBatch(
        kind=kind,
        created_by=actor.user_id,
        filename=filename[:200],
        content=body,
        status=ImportStatus.RUNNING.value,
        problems=[],
        outcomes=[],
    )
    uow.session.add(batch)
    uow.commit()
    return batch


def run_preview(
    reads: sessionmaker[Session], sessions: sessionmaker[Session], actor: Actor, batch_id: int, cipher: FieldCipher
) -> None:
    """Check every row of the batch, writing progress as it goes (any web worker answers the poll).
    Runs in a background thread: rows read in a read session, the batch's findings written in short
    write transactions of their own; nothing else is stored."""
    with reads() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            return
        counts = {"total": 0, "valid": 0, "error": 0, "duplicate": 0}
        problems: list[dict[str, Any]] = []
        try:
            _checker, rows = checked_rows(session, actor, batch, cipher)
            for row in rows:
                _count(counts, row, problems)
                if counts["total"] % PROGRESS_EVERY == 0:
                    _progress(sessions, batch_id, counts)
        except DomainError as exc:
            _finish(sessions, batch_id, ImportStatus.FAILED, counts, [], text(exc.code, exc.params, LOCALE))
            return
        except Exception:
            _finish(sessions, batch_id, ImportStatus.FAILED, counts, [], text("import.failed", None, LOCALE))
            raise
        _finish(sessions, batch_id, ImportStatus.READY, counts, problems, "")


def _count(counts: dict[str, int], row: CheckedRow, problems: list[dict[str, Any]]) -> None:
    counts["total"] += 1
    if row.payload is None:
        counts["error"] += 1
        for column, message in row.problems:
            problems.append({"row": row.number, "column": column, "message": message})
    else:
        counts["valid"] += 1
        if row.existing_id is not None:
            counts["duplicate"] += 1


def _progress(sessions: sessionmaker[Session], batch_id: int, counts: dict[str, int]) -> None:
    with sessions() as session:
        session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(
                total_rows=counts["total"],
                valid_rows=counts["valid"],
                error_rows=counts["error"],
                duplicate_rows=counts["duplicate"],
                touched_at=utcnow(),
            )
        )
        session.commit()


def _finish(
    sessions: sessionmaker[Session],
    batch_id: int,
    status: ImportStatus,
    counts: dict[str, int],
    problems: list[dict[str, Any]],
    message: str,
) -> None:
    with sessions() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            return
        batch.status, batch.message = status.value, message[:500]
        batch.total_rows, batch.valid_rows = counts["total"], counts["valid"]
        batch.error_rows, batch.duplicate_rows = counts["error"], counts["duplicate"]
        batch.problems = problems
        batch.touched_at = batch.finished_at = utcnow()
        if status is ImportStatus.FAILED:
            batch.content = None  # a refused file is not kept
        session.commit()


def read_batch(session: Session, actor: Actor, batch_id: int) -> ImportBatch:
    """A batch its creator (or the district) may see; anyone else's is a 404. A batch whose
    background work stopped (the process restarted) is shown as failed."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or not may_see_batch(actor, batch):
        raise NotFound("import.not_found", id=batch_id)
    if batch.status == ImportStatus.RUNNING.value and utcnow() - batch.touched_at > STALE_AFTER:
        batch.status, batch.message = ImportStatus.FAILED.value, text("import.stopped", None, LOCALE)
    return batch


def list_batches(session: Session, actor: Actor, limit: int = 50) -> list[ImportBatch]:
    """The actor's own batches, newest first (the district's too: only their own here)."""
    return list(
        session.scalars(select(ImportBatch).where(listed_batches(actor)).order_by(ImportBatch.id.desc()).limit(limit))
    )


def commit_import(
    uow: UnitOfWork,
    actor: Actor,
    batch_id: int,
    cipher: FieldCipher,
    *,
    mode: str,
    update_existing: bool = False,
    paper_consents_held: bool = False,
) -> ImportBatch:
    """Store the previewed rows in one transaction: every valid row (valid_rows), or all of them
    only if none is invalid (all_or_nothing). Each row goes through the provider service."""
    batch = read_batch(uow.session, actor, batch_id)
    if batch.status != ImportStatus.READY.value:
        raise Conflict("import.not_ready", status=batch.status)
    if mode not in MODES:
        raise InvalidInput("import.unknown_mode", {"mode": ["lib.one_of"]})
    if batch.kind == "volunteer" and not (paper_consents_held and may_confirm_paper_consent(actor)):
        raise InvalidInput("import.paper_consents", {"paper_consents_held": ["import.paper_consents"]})
    require_importer(actor, batch.kind)
    audit = uow.session.info.pop("audit", None)  # rows are audited as the batch, below
    try:
        outcomes = _store_rows(uow, actor, batch, cipher, mode, update_existing)
    except _RowBroke:
        uow.rollback()
        raise Conflict("import.changed_meanwhile") from None
    finally:
        if audit is not None:
            uow.session.info["audit"] = audit
            uow.session.info.pop("audit_notes", None)
    if mode == "all_or_nothing" and any(o[1] == Outcome.INVALID for o in outcomes):
        uow.rollback()
        batch = read_batch(uow.session, actor, batch_id)
        outcomes = [
            [o[0], Outcome.INVALID if o[1] == Outcome.INVALID else Outcome.SKIPPED, None, o[3]] for o in outcomes
        ]
    stored = sum(1 for o in outcomes if o[1] in (Outcome.CREATED, Outcome.UPDATED))
    batch.status, batch.committed_rows, batch.outcomes = ImportStatus.COMMITTED.value, stored, outcomes
    batch.content, batch.finished_at = None, utcnow()
    if isinstance(audit, AuditContext):
        uow.session.info.setdefault("audit_reasons", {})[("import_batches", str(batch.id), "update")] = (
            f"导入{KINDS[batch.kind].label} {stored} 行（批次 {batch.id}，{mode}）"
        )
    uow.commit()
    return batch


class _RowBroke(Exception):
    """A row's flush failed inside the import's transaction (another registered the same person meanwhile)."""


class _OneTransaction:
    """The unit of work as the provider service sees it inside an import: its commit only flushes
    (the import commits once), its rollback undoes the row's savepoint only."""

    def __init__(self, uow: UnitOfWork):
        self._uow = uow
        self.session = uow.session
        self.source = uow.source

    def commit(self) -> None:
        pass  # the import's one commit flushes everything (inserts of many rows go out together)

    def rollback(self) -> None:
        raise _RowBroke  # a failed flush (a race on a unique key) spoils the transaction: stop the batch

    def emit(self, **kwargs: Any) -> dict[str, Any]:
        return self._uow.emit(**kwargs)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._uow.after_commit(callback)


def _store_rows(
    uow: UnitOfWork, actor: Actor, batch: ImportBatch, cipher: FieldCipher, mode: str, update_existing: bool
) -> list[list[Any]]:
    if batch.kind not in SCHEMAS:  # hour records go through the hours service (update_existing does not apply)
        return list(
            _hour_rows().store_rows(uow, actor, batch, checked_rows(uow.session, actor, batch, cipher)[1], mode)
        )
    inner: Any = _OneTransaction(uow)
    outcomes: list[list[Any]] = []
    waiting: list[tuple[list[Any], dict[str, Any]]] = []  # new rows: (their outcome, to fill in; payload)
    _checker, rows = checked_rows(uow.session, actor, batch, cipher)
    bad = False
    for row in rows:
        if (settled := settled_outcome(row, bad, mode, update_existing)) is not None:
            outcomes.append(settled)
            bad = bad or settled[1] == Outcome.INVALID
        elif row.existing_id is not None:
            outcomes.append(_update_row(uow, inner, actor, batch.kind, row, cipher))
            bad = bad or outcomes[-1][1] == Outcome.INVALID
        else:
            assert row.payload is not None  # settled_outcome took the invalid rows
            outcomes.append([row.number, Outcome.CREATED, None, ""])
            waiting.append((outcomes[-1], row.payload))
            if len(waiting) == CHUNK:
                bad = _register(inner, actor, batch.kind, waiting, cipher) or bad
                waiting = []
    bad = _register(inner, actor, batch.kind, waiting, cipher) or bad
    uow.session.flush()  # the rows' last writes, while their audit is the batch's
    return outcomes


def settled_outcome(row: CheckedRow, bad: bool, mode: str, update_existing: bool) -> list[Any] | None:
    """A row's outcome when nothing is to be written for it: invalid; skipped, after an invalid row,
    when all or nothing was asked; a duplicate not to be updated. None: the row is to be written."""
    if row.payload is None:
        return [row.number, Outcome.INVALID, None, _joined(row.problems)]
    if bad and mode == "all_or_nothing":
        return [row.number, Outcome.SKIPPED, None, ""]
    if row.existing_id is not None and not update_existing:
        return [row.number, Outcome.DUPLICATE, row.existing_id, ""]
    return None


def _register(
    inner: Any, actor: Actor, kind: str, waiting: list[tuple[list[Any], dict[str, Any]]], cipher: FieldCipher
) -> bool:
    """Register a chunk of new rows through the provider service; True if one was refused."""
    if not waiting:
        return False
    made = providers.register_providers(inner, actor, kind, [payload for _, payload in waiting], cipher)
    refused = False
    for (outcome, _payload), obj in zip(waiting, made, strict=True):
        if isinstance(obj, DomainError):
            outcome[1], outcome[3], refused = Outcome.INVALID, _refusal(obj), True
        else:
            outcome[2] = obj.id
    return refused


def _update_row(
    uow: UnitOfWork, inner: Any, actor: Actor, kind: str, row: CheckedRow, cipher: FieldCipher
) -> list[Any]:
    """An asked-for update of a registered provider: in a savepoint (a refusal may come after a
    field was set)."""
    assert row.payload is not None and row.existing_id is not None
    changes = {k: v for k, v in row.payload.items() if k not in ("consent", "id_number", "uscc")}
    savepoint = uow.session.begin_nested()
    try:
        obj = providers.update_provider(inner, actor, kind, row.existing_id, changes, cipher)
        savepoint.commit()
    except DomainError as exc:
        savepoint.rollback()
        return [row.number, Outcome.INVALID, None, _refusal(exc)]
    return [row.number, Outcome.UPDATED, obj.id, ""]


def _refusal(exc: DomainError) -> str:
    message = text(exc.code, exc.params, LOCALE)
    if exc.errors:
        message += "：" + "；".join(f"{k} {v}" for k, v in _flatten(render_message(exc.errors, LOCALE)))
    return message


def _joined(problems: list[tuple[str, str]]) -> str:
    return "；".join(f"{column}：{message}" for column, message in problems)


# --- templates and reports -------------------------------------------------------------------------------


def template_xlsx(kind: str) -> bytes:
    """The kind's template: Chinese headers (required ones starred) and one sample row."""
    spec = KINDS[kind]
    headers = [c.header + ("*" if c.required else "") for c in spec.columns]
    return write_xlsx(
        [
            Sheet(
                title=f"{spec.label}导入",
                headers=headers,
                rows=[[c.sample for c in spec.columns]],
                widths=[_width(c) for c in spec.columns],
            )
        ]
    )


def _width(column: Column) -> int:
    return max(10, 2 * len(column.header) + 4, len(column.sample) + 4)


def report_xlsx(batch: ImportBatch) -> bytes:
    """Each row's outcome: committed batches from their outcomes, previewed ones from their problems."""
    if batch.status == ImportStatus.COMMITTED.value:
        rows: list[list[Any]] = [[n, OUTCOME_WORDS.get(o, o), pid or "", msg] for n, o, pid, msg in batch.outcomes]
    else:
        rows = [
            [p["row"], OUTCOME_WORDS[Outcome.INVALID], "", f"{p['column']}：{p['message']}"] for p in batch.problems
        ]
    summary: list[list[Any]] = [
        ["类型", KINDS[batch.kind].label],
        ["文件", batch.filename],
        ["状态", STATUS_WORDS[batch.status]],
        ["总行数", batch.total_rows],
        ["有效行", batch.valid_rows],
        ["错误行", batch.error_rows],
        ["重复行", batch.duplicate_rows],
        ["已导入", batch.committed_rows],
    ]
    return write_xlsx(
        [
            Sheet("导入结果", ["行号", "结果", "编号", "说明"], rows, widths=(8, 16, 10, 80)),
            Sheet("汇总", ["项目", "值"], summary, widths=(12, 40)),
        ]
    )


STATUS_WORDS = {
    ImportStatus.RUNNING.value: "检查中",
    ImportStatus.READY.value: "待确认",
    ImportStatus.FAILED.value: "失败",
    ImportStatus.COMMITTED.value: "已导入",
}


__all__ = [
    "Message",
    "MODES",
    "Outcome",
    "commit_import",
    "list_batches",
    "read_batch",
    "report_xlsx",
    "run_preview",
    "start_import",
    "template_xlsx",
]
