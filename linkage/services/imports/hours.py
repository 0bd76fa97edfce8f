"""Hour records imported (补录 by the organizing organization: 谁组织谁记录): each row is checked by
the hours service's own rules (hours.plan_hours) and committed through hours.log_hours, exactly as
an organization's staff entering hours afterwards: pending honour hours, chained, announced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.errors import DomainError
from linkage.i18n import render_message, text
from linkage.models import STANDING, Activity, HourEntry, ImportBatch, Volunteer, records_with_status
from linkage.permissions import Actor, visible_volunteers
from linkage.policy.service import may_log_hours_for
from linkage.services import hours
from linkage.services.imports.batches import (
    LOCALE,
    CheckedRow,
    Outcome,
    _flatten,
    _is_number,
    _OneTransaction,
    _refusal,
    settled_outcome,
)
from linkage.services.imports.columns import KINDS
from linkage.spreadsheets import FORMULA_TRIGGERS
from linkage.uow import UnitOfWork
from schemas.hours import LogHoursSchema

KIND = "hours"
HEADERS = {
    "volunteer_code": "志愿者编号",
    "activity_id": "活动编号",
    "starts_at": "开始时间",
    "ends_at": "结束时间",
    "content": "服务内容",
    "reason": "补录原因",
}
_FIELDS = {header: name for name, header in HEADERS.items()}


@dataclass
class HourRowChecker:
    """Checks an hour sheet's rows: the volunteer by their code (among those the importer may see),
    the activity among those the importer's organization runs, then the hours service's rules."""

    session: Session
    actor: Actor
    schema: Any = field(default_factory=LogHoursSchema)
    seen: dict[tuple[int, int], int] = field(default_factory=dict)  # (volunteer, activity) -> first row
    volunteers: dict[str, int | None] = field(default_factory=dict)  # code -> id (None: not found)

    def check(self, number: int, headers: list[str], cells: list[Any]) -> CheckedRow:
        row = CheckedRow(number, None)
        data: dict[str, Any] = {}
        for header, cell in zip(headers, cells, strict=False):
            if cell is None or cell == "":
                continue
            value = str(cell)
            if value.startswith(FORMULA_TRIGGERS) and not _is_number(value):
                row.problems.append((header, text("import.formula", None, LOCALE)))
                continue
            data[_FIELDS[header]] = value.replace("/", "-") if header in ("开始时间", "结束时间") else value
        code = data.pop("volunteer_code", None)
        if code is not None:
            volunteer_id = self._volunteer(code)
            if volunteer_id is None:
                row.problems.append(("志愿者编号", text("import.unknown_volunteer", {"code": code}, LOCALE)))
            else:
                data["volunteer_id"] = volunteer_id
        if "activity_id" in data and not self._runs_activity(data["activity_id"]):
            row.problems.append(("活动编号", text("import.unknown_activity", {"id": data.pop("activity_id")}, LOCALE)))
        told = {header for header, _ in row.problems}
        try:
            loaded = self.schema.load(data)
        except ValidationError as exc:
            row.problems.extend(p for p in _problems(exc.messages) if p[0] not in told)
            return row
        if "volunteer_id" not in loaded and "志愿者编号" not in told:
            row.problems.append(("志愿者编号", text("import.volunteer_needed", None, LOCALE)))
        if row.problems:
            return row
        key = (loaded["volunteer_id"], loaded["activity_id"])
        if key in self.seen:
            row.problems.append(("活动编号", text("import.same_as_row", {"row": self.seen[key]}, LOCALE)))
            return row
        self.seen[key] = number
        row.existing_id = self._recorded(*key)
        if row.existing_id is None:
            try:
                hours.plan_hours(self.session, self.actor, loaded)
            except DomainError as exc:
                row.problems.extend(_refused(exc))
                return row
        row.payload = loaded
        return row

    def mark_registered(self, rows: list[CheckedRow]) -> None:
        """The batches' chunk hook: an hour row's existing record is found as it is checked."""

    def _volunteer(self, code: str) -> int | None:
        """The volunteer with this 志愿者编号 if the importer may see them: another's is unknown."""
        if code not in self.volunteers:
            query = select(Volunteer.id).where(Volunteer.code == code)
            if (visible := visible_volunteers(self.actor)) is not None:
                query = query.where(visible)
            self.volunteers[code] = self.session.scalar(query)
        return self.volunteers[code]

    def _runs_activity(self, value: str) -> bool:
        """An activity of a project the importer's organization runs; another's is as unknown."""
        if not value.isdigit() or len(value) > 12:
            return True  # not a number: the schema says so
        activity = self.session.get(Activity, int(value))
        return activity is not None and may_log_hours_for(self.actor, activity.project)

    def _recorded(self, volunteer_id: int, activity_id: int) -> int | None:
        """A standing record (pending, verified, disputed) of the volunteer in the activity."""
        query, status = records_with_status()
        standing: Any = status  # a SQL case expression
        found: Any = (
            query.with_only_columns(HourEntry.id)
            .where(
                HourEntry.volunteer_id == volunteer_id,
                HourEntry.activity_id == activity_id,
                standing.in_([s.value for s in STANDING]),
            )
            .limit(1)
        )
        recorded: int | None = self.session.scalar(found)
        return recorded


_COLUMN_OF = {**HEADERS, "volunteer_id": "志愿者编号", "minutes": "结束时间"}  # the fields the rules name


def _problems(messages: Any) -> list[tuple[str, str]]:
    """Field messages (the schema's or the service's) under the sheet's column; none named: ''."""
    return [
        (_COLUMN_OF.get(name.split(".")[0], ""), "；".join(str(m) for m in render_message(found, LOCALE)))
        for name, found in _flatten(messages)
    ]


def _refused(exc: DomainError) -> list[tuple[str, str]]:
    """The hours service's refusal as the row's problems: its field messages, else its own."""
    message = text(exc.code, exc.params, LOCALE)
    found = _problems(exc.errors) if exc.errors else []
    return [(column, f"{message}：{detail}") for column, detail in found] or [("", message)]


def store_rows(uow: UnitOfWork, actor: Actor, batch: ImportBatch, rows: Any, mode: str) -> list[list[Any]]:
    """Each valid row through hours.log_hours inside the import's one transaction. A record of the
    volunteer in the activity already standing is reported, never changed (update_existing does not
    apply: a record changes by a correction with its reason)."""
    inner: Any = _OneTransaction(uow)
    outcomes: list[list[Any]] = []
    bad = False
    for row in rows:
        if (settled := settled_outcome(row, bad, mode, update_existing=False)) is not None:
            outcomes.append(settled)
            bad = bad or settled[1] == Outcome.INVALID
        else:
            try:
                entry = hours.log_hours(inner, actor, row.payload)
            except DomainError as exc:  # refused before anything was written (the service checks first)
                bad = True
                outcomes.append([row.number, Outcome.INVALID, None, _refusal(exc)])
            else:
                outcomes.append([row.number, Outcome.CREATED, entry.id, ""])
    uow.session.flush()
    return outcomes


assert KIND in KINDS
