"""A filing (备案) body as a group of residents posts it."""

from __future__ import annotations

from tests.factories import valid_id_number


def filing_body(community: int, **over) -> dict:
    body = {
        "community_id": community,
        "name": "海棠舞蹈队",
        "field": "文体",
        "members": [
            {"name": "李秀英", "phone": "13812345601"},
            {"name": "张桂兰", "phone": "13812345602"},
            {"name": "王淑珍", "phone": "13812345603"},
        ],
        "responsible_name": "刘玉梅",
        "responsible_phone": "13912345678",
        "responsible_id_number": valid_id_number(77),
        "activity_place": "新华里社区文化广场",
    }
    body.update(over)
    return body
