"""Pinyin search keys for names (张三 -> "zhangsan", "zs"): how they are made, kept and searched."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pypinyin import Style, lazy_pinyin
from sqlalchemy import Index, String, and_, case, event, literal, or_
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from linkage.privacy import surname_of

PINYIN_LENGTH = 200  # longer keys are cut: nobody types 200 letters into a search box
INITIALS_LENGTH = 100
QUERY_LENGTH = 50  # what a `q=` may be (schemas.common.SearchText)

# 多音字 as surnames: pypinyin reads the character as in ordinary words (单 dan, 曾 ceng, 解 jie);
# as a surname it is read otherwise. A person's name takes the surname reading (docs/search.md).
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "缪": "miao",
    "翟": "zhai",
    "覃": "qin",
    "员": "yun",
    "种": "chong",
    "召": "shao",
    "秘": "bi",
    "宓": "fu",
    "繁": "po",
    "黑": "he",
    "过": "guo",
    "折": "she",
    "尉迟": "yu chi",
    "万俟": "mo qi",
    "长孙": "zhang sun",
    "单于": "chan yu",
    "乐正": "yue zheng",
}

_NOT_KEY = re.compile(r"[^a-z0-9]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _syllables(text: str, style: Style) -> list[str]:
    return [_NOT_KEY.sub("", part.lower()) for part in lazy_pinyin(text, style=style, errors="default")]


def pinyin_keys(name: str | None, person: bool = False) -> tuple[str, str]:
    """(full pinyin without tones or spaces, initials) of `name`: 张三 -> ("zhangsan", "zs"). Letters
    and digits in the name are kept lowercased (A区 -> "aqu", "aq"). A person's surname takes its
    surname reading (单雄信 -> "shanxiongxin"; pypinyin alone says "danxiongxin")."""
    name = unicodedata.normalize("NFKC", name or "").strip()  # full-width ＡＢＣ１ as ABC1
    full, initials = "", ""
    if person and name:
        surname = surname_of(name)
        reading = SURNAME_READINGS.get(surname)
        if reading is not None:
            full, initials = reading.replace(" ", ""), "".join(part[0] for part in reading.split())
            name = name[len(surname) :]
    full += "".join(_syllables(name, Style.NORMAL))
    initials += "".join(_syllables(name, Style.FIRST_LETTER))
    return full[:PINYIN_LENGTH], initials[:INITIALS_LENGTH]


# table name -> (name field, a person's name?): what the insert defaults below read
_TRACKED: dict[str, tuple[str, bool]] = {}


def _insert_default(which: int) -> Any:
    """The pinyin key `which` (0 full, 1 initials) of the row a Core insert is writing."""

    def make(context: Any) -> str:
        field, person = _TRACKED[context.current_column.table.name]
        return pinyin_keys(context.get_current_parameters().get(field), person)[which]

    return make


class Searchable:
    """A mixin: the pinyin key columns of a model's name (or `SEARCH_FIELD`). They are set whenever
    the name is set on an object (constructor, setattr: every service, the imports), and by the
    columns' insert default for a Core bulk insert that gives the name but not the keys."""

    SEARCH_FIELD = "name"
    SEARCH_PERSON = False  # a person's name: the surname reading of 多音字

    name_pinyin: Mapped[str] = mapped_column(String(PINYIN_LENGTH), default=_insert_default(0))
    name_initials: Mapped[str] = mapped_column(String(INITIALS_LENGTH), default=_insert_default(1))


def track(model: Any) -> None:
    """Keep `model`'s pinyin columns right on every set of its name attribute."""
    field, person = model.SEARCH_FIELD, model.SEARCH_PERSON
    _TRACKED[model.__tablename__] = (field, person)

    @event.listens_for(getattr(model, field), "set")
    def _renamed(target: Any, value: Any, old: Any, initiator: Any) -> None:
        target.name_pinyin, target.name_initials = pinyin_keys(value, person)


def normalised_query(q: str) -> str:
    """A typed pinyin query as the keys are stored: lowercase letters and digits ("Zhang San" -> "zhangsan")."""
    return _NOT_KEY.sub("", unicodedata.normalize("NFKC", q).lower().replace("ü", "v"))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prefix(column: Any, key: str, dialect: str) -> ColumnElement[bool]:
    """`column` starts with `key` (lowercase letters and digits only), in a form the index serves:
    PostgreSQL's LIKE 'key%' on a varchar_pattern_ops index, SQLite's case-sensitive GLOB 'key*'."""
    if dialect == "sqlite":
        return column.op("GLOB")(key + "*")
    return column.like(key + "%")


def search(model: Any, q: str, dialect: str) -> tuple[ColumnElement[bool], ColumnElement[int]] | None:
    """(where, rank) for the search `q` over `model`'s name, or None for an empty one. A query with
    Chinese characters matches a substring of the name; any other a prefix of the full pinyin or
    of the initials (both index-served: no scan of the table). Rank 0 the exact name, 1 the exact
    pinyin or initials, 2 a prefix, 3 a substring; callers then order by id."""
    q = (q or "").strip()[:QUERY_LENGTH]
    if not q:
        return None
    name = getattr(model, model.SEARCH_FIELD)
    if _HAN.search(q):
        where = name.like("%" + _escape(q) + "%", escape="\\")
        rank = case((name == q, literal(0)), (name.like(_escape(q) + "%", escape="\\"), literal(2)), else_=literal(3))
        return where, rank
    key = normalised_query(q)
    if not key:
        return and_(literal(False)), literal(3)  # punctuation only: nothing is named that
    full, initials = model.name_pinyin, model.name_initials
    rank = case((name == q, literal(0)), (or_(full == key, initials == key), literal(1)), else_=literal(2))
    return or_(_prefix(full, key, dialect), _prefix(initials, key, dialect)), rank


def searched(session: Session, model: Any, q: str | None) -> tuple[ColumnElement[bool], ColumnElement[int]] | None:
    """`search` in the dialect of the database `session` is bound to."""
    return search(model, q or "", session.get_bind().dialect.name)


def pinyin_indexes(table: str) -> tuple[Index, Index]:
    """The two key indexes of `table`; on PostgreSQL with varchar_pattern_ops, so LIKE 'key%' uses
    them whatever the database's collation."""
    return tuple(
        Index(f"ix_{table}_{column}", column, postgresql_ops={column: "varchar_pattern_ops"})
        for column in ("name_pinyin", "name_initials")
    )  # type: ignore[return-value]
