"""The logging channel: one line per delivery id, never two, also across processes and after a torn write."""

from __future__ import annotations

import json

from events.channels import LoggingChannel


def _ids(path) -> list[int]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            found.append(json.loads(line)["delivery_id"])
        except ValueError:
            continue
    return found


def test_a_delivery_id_is_sent_once_even_by_a_second_channel_on_the_same_file(tmp_path):
    log = tmp_path / "sent.jsonl"
    first, second = LoggingChannel("sms", log), LoggingChannel("sms", log)
    assert first.send(1, 7, "reminder_24h", "明天的服务提醒") is True
    assert first.send(1, 7, "reminder_24h", "again") is False
    assert second.send(1, 7, "reminder_24h", "another process after a crash") is False
    assert second.send(2, 7, "reminder_2h", "即将开始") is True
    assert first.send(2, 7, "reminder_2h", "again") is False
    assert _ids(log) == [1, 2]


def test_a_line_torn_by_a_crash_is_skipped_and_does_not_swallow_the_next(tmp_path):
    log = tmp_path / "sent.jsonl"
    LoggingChannel("sms", log).send(1, 7, "reminder_24h", "ok")
    with log.open("a", encoding="utf-8") as torn:
        torn.write('{"delivery_id": 2, "chan')  # the process died mid-write: delivery 2 was not sent
    channel = LoggingChannel("sms", log)
    assert channel.send(2, 7, "reminder_2h", "sent now") is True
    assert _ids(log) == [1, 2]
    assert LoggingChannel("sms", log).send(2, 7, "reminder_2h", "again") is False
