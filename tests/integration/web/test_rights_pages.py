"""下载我的数据 on each person's home page: the same export as the API, only ever one's own."""

from __future__ import annotations

import json
import re

from tests.integration.api.conftest import volunteer_body


def test_a_volunteer_downloads_their_data_from_their_home_page(person, world):
    volunteer = person("volunteer")
    home = volunteer.get("/").get_data(as_text=True)
    assert "下载我的数据" in home and 'href="/me/export"' in home
    assert re.search(r'href="/privacy"', home)
    download = volunteer.get("/me/export")
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    data = json.loads(download.get_data(as_text=True))
    mine = volunteer_body(1, world.ids["community"])
    assert data["volunteer"]["id"] == world.ids["volunteer"]
    assert data["volunteer"]["phone"] == mine["phone"] and data["volunteer"]["id_number"] == mine["id_number"]


def test_staff_download_their_account_and_no_one_downloads_without_logging_in(person, world):
    staff = person("org_staff").get("/me/export")
    data = json.loads(staff.get_data(as_text=True))
    assert data["account"]["username"] == "org_staff" and data["volunteer"] is None
    anonymous = person().get("/me/export")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
