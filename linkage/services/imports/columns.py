"""What each kind of import reads: its Chinese column headers, the API field each fills, the sample
row of its template, and how a cell becomes the value the API's schema takes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from linkage.notice import GUARDIAN_RELATIONS
from linkage.taxonomy import CERTIFICATE_LEVELS, REGISTRATION, RESOURCE_KINDS

LIST_SEPARATORS = re.compile(r"[、,，;；/]+")


@dataclass(frozen=True)
class Column:
    header: str  # as in the template; a trailing * there marks it required
    field: str  # the API schema's field ('' for a column the importer reads itself)
    required: bool = False
    how: str = "text"  # text | list | choice | yuan | community
    choices: dict[str, str] | None = None  # Chinese label -> code (codes are taken too)
    sample: str = ""


@dataclass(frozen=True)
class ImportKind:
    code: str
    label: str  # 志愿者, 社会组织, ...
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.header for c in self.columns if c.required]


def _labels(table: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {zh: code for code, (zh, _en) in table.items()}


_PLACE = (
    Column("所属社区", "community", how="community", sample="示例社区"),
    Column("纬度", "lat", sample=""),
    Column("经度", "lon", sample=""),
)

KINDS: dict[str, ImportKind] = {
    "volunteer": ImportKind(
        "volunteer",
        "志愿者",
        (
            Column("姓名", "name", True, sample="张三"),
            Column("手机号", "phone", True, sample="13812345678"),
            Column("身份证号", "id_number", True, sample="11010519491231002X"),
            *_PLACE,
            Column("技能", "skills", how="list", sample="陪护、理发"),
            Column("服务半径(公里)", "travel_radius_km", sample="3"),
            Column("监护人姓名", "guardian_name", sample=""),
            Column(
                "监护人关系",
                "guardian_relation",
                how="choice",
                choices=_labels({k: (v, v) for k, v in GUARDIAN_RELATIONS.items()}),
            ),
            Column("监护人手机号", "guardian_phone"),
        ),
    ),
    "organization": ImportKind(
        "organization",
        "社会组织",
        (
            Column("名称", "name", True, sample="示例社会工作服务中心"),
            Column("统一社会信用代码", "uscc", True, sample="91350100M000100Y43"),
            Column("登记类型", "registration", True, how="choice", choices=_labels(REGISTRATION), sample="登记"),
            Column("服务类别", "categories", how="list", sample="养老、助残"),
            Column("技能", "skills", how="list"),
            Column("简介", "description"),
            Column("所在区", "district", sample=""),
            *_PLACE,
            Column("服务半径(公里)", "service_radius_km", sample="5"),
            Column("承接能力", "capacity", sample="3"),
            Column("联系人", "contact_name", sample="李四"),
            Column("联系电话", "contact_phone", sample="022-25321234"),
        ),
    ),
    "social_worker": ImportKind(
        "social_worker",
        "社会工作者",
        (
            Column("姓名", "name", True, sample="王五"),
            Column(
                "证书等级",
                "certificate_level",
                True,
                how="choice",
                choices=_labels(CERTIFICATE_LEVELS),
                sample="社会工作师",
            ),
            Column("专长", "specialties", how="list", sample="老年社会工作"),
            *_PLACE,
            Column("服务半径(公里)", "service_radius_km", sample="10"),
        ),
    ),
    "resource": ImportKind(
        "resource",
        "慈善资源",
        (
            Column("名称", "name", True, sample="爱心米面"),
            Column("捐赠方", "donor", True, sample="某某公司"),
            Column("类型", "kind", True, how="choice", choices=_labels(RESOURCE_KINDS), sample="物资"),
            Column("简介", "description"),
            Column("标签", "tags", how="list"),
            Column("金额(元)", "amount_fen", how="yuan"),
            Column("数量", "quantity", sample="100"),
            Column("单位", "unit", sample="袋"),
            *_PLACE,
            Column("服务半径(公里)", "radius_km", sample="10"),
        ),
    ),
    # read by linkage.services.imports.hours (补录 by the organizing organization: 谁组织谁记录);
    # the sample names no volunteer (codes start at V00000001): a sample row left in is refused
    "hours": ImportKind(
        "hours",
        "志愿服务时长",
        (
            Column("志愿者编号", "volunteer_code", True, sample="V00000000"),
            Column("活动编号", "activity_id", True, sample="1"),
            Column("开始时间", "starts_at", True, sample="2026-11-02 09:00"),
            Column("结束时间", "ends_at", True, sample="2026-11-02 11:30"),
            Column("服务内容", "content", sample="陪伴老人读报"),
            Column("补录原因", "reason", True, sample="纸质签到表补录"),
        ),
    ),
}


def cell_to_value(column: Column, text: str) -> Any:
    """A non-blank cell as the schema's input (the schema still checks it); ValueError names a bad one."""
    if column.how == "list":
        return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]
    if column.how == "choice":
        choices = column.choices or {}
        if text in choices:
            return choices[text]
        if text in choices.values():
            return text
        raise ValueError("import.choose_one")
    if column.how == "yuan":
        try:
            fen = Decimal(text.replace(",", "")) * 100
        except InvalidOperation:
            raise ValueError("lib.number") from None
        if fen != fen.to_integral_value():
            raise ValueError("import.yuan_cents")
        return int(fen)
    return text
