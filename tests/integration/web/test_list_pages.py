"""Long lists on the pages come a page at a time with links to the next, never cut short."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from linkage.services import needs
from tests.integration.api.conftest import ADMIN, need_body


def test_the_101st_need_of_a_community_is_on_the_second_page(world, person):
    starts = datetime.now(timezone.utc) + timedelta(days=3)
    titles = []
    for n in range(101):
        with world.platform.uow() as uow:
            titles.append(
                needs.post_need(
                    uow,
                    ADMIN,
                    {
                        **need_body(world.ids["community"], title=f"需求{n:03d}"),
                        "starts_at": starts,
                        "ends_at": starts + timedelta(hours=2),
                    },
                ).title
            )
    staff = person("community_staff")
    first = staff.get("/needs").get_data(as_text=True)
    assert titles[-1] in first and titles[0] not in first and "第 1/2 页，共 101 条" in first
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = staff.get(following).get_data(as_text=True)
    assert titles[0] in second and titles[1] not in second and 'rel="prev"' in second
    assert 'rel="next"' not in second
