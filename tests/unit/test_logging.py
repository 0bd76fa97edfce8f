"""JSON log lines: one object per line, carrying the request, event and need ids that are bound."""
from __future__ import annotations

import io
import json
import logging
from datetime import timedelta
from types import SimpleNamespace

from linkage.observability.logs import REQUEST_ID_ATTRIBUTE, JsonFormatter, bind, configure_logging, event_context


def _line(logger_name="linkage.test", level=logging.INFO, message="hello %s", args=("world",),
          exc_info=None, **extra) -> dict:
    record = logging.LogRecord(logger_name, level, __file__, 1, message, args, exc_info)
    record.__dict__.update(extra)
    text = JsonFormatter().format(record)
    assert "\n" not in text  # one object per line, even with a traceback inside
    return json.loads(text)


def test_a_line_names_its_time_level_logger_and_message():
    line = _line()
    assert line["level"] == "INFO" and line["logger"] == "linkage.test" and line["message"] == "hello world"
    assert line["time"].endswith("Z") and "T" in line["time"]
    assert "request_id" not in line  # nothing bound, nothing claimed


def test_a_bound_request_id_reaches_every_line_until_the_block_ends():
    with bind(request_id="req-0001"):
        assert _line()["request_id"] == "req-0001"
    assert "request_id" not in _line()


def test_a_need_event_binds_its_request_event_and_need_ids():
    event = SimpleNamespace(id="ev-1", type="linkage.need.posted.v1", data={"id": 42},
                            raw={REQUEST_ID_ATTRIBUTE: "req-abc"})
    with event_context(event):
        line = _line()
    assert (line["request_id"], line["event_id"], line["need_id"]) == ("req-abc", "ev-1", 42)


def test_a_ranking_names_the_need_it_ranks_and_an_event_without_a_request_has_none():
    event = SimpleNamespace(id="ev-2", type="linkage.need.matched.v1", data={"need_id": 7}, raw={})
    with event_context(event):
        line = _line()
    assert line["need_id"] == 7 and line["event_id"] == "ev-2" and "request_id" not in line


def test_extra_fields_and_a_traceback_stay_inside_the_object():
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        import sys
        line = _line(exc_info=sys.exc_info(), status=201, path="/api/v1/needs")
    assert line["status"] == 201 and line["path"] == "/api/v1/needs"
    assert "ValueError: boom" in line["exception"]


def test_chinese_text_is_written_as_itself():
    assert _line(message="需求 %s", args=("陪诊",))["message"] == "需求 陪诊"


def test_configuring_twice_does_not_double_every_line():
    root = logging.getLogger()
    before = list(root.handlers), root.level
    stream = io.StringIO()
    try:
        configure_logging("INFO", fmt="json", stream=io.StringIO())
        configure_logging("INFO", fmt="json", stream=stream)
        logging.getLogger("linkage.once").info("only once")
        lines = [json.loads(x) for x in stream.getvalue().splitlines()]
        assert [x["message"] for x in lines] == ["only once"]
    finally:
        for handler in list(root.handlers):
            if handler not in before[0]:
                root.removeHandler(handler)
        root.setLevel(before[1])


def test_the_text_format_is_there_for_people_reading_a_terminal():
    root = logging.getLogger()
    before = list(root.handlers), root.level
    stream = io.StringIO()
    try:
        configure_logging("INFO", fmt="text", stream=stream)
        logging.getLogger("linkage.text").warning("plain")
        assert stream.getvalue().rstrip().endswith("WARNING linkage.text: plain")
    finally:
        for handler in list(root.handlers):
            if handler not in before[0]:
                root.removeHandler(handler)
        root.setLevel(before[1])


def test_gunicorn_access_lines_are_json_with_the_request_id(capsys):
    from gunicorn.config import Config

    from linkage.observability.access import JsonLogger

    cfg = Config()
    cfg.set("accesslog", "-")
    logger = JsonLogger(cfg)
    response = SimpleNamespace(status="201 CREATED", headers=[("X-Request-Id", "req-42"),
                                                               ("Content-Type", "application/json")], sent=17)
    environ = {"REMOTE_ADDR": "10.1.2.3", "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/needs",
               "QUERY_STRING": "token=secret", "HTTP_USER_AGENT": "curl/8"}
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["request_id"] == "req-42" and line["status"] == 201 and line["method"] == "POST"
    assert line["path"] == "/api/v1/needs" and line["duration_ms"] == 12.0 and line["logger"] == "gunicorn.access"
    assert "secret" not in json.dumps(line)  # query strings are left out of the access log
