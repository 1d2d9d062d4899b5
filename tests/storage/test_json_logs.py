"""Log lines: JSON on request, forged lines impossible, user text clipped, secrets masked."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest

from bot import logs
from bot.errors import ConfigError
from bot.gunicorn_logs import GunicornLogger

BOT = "xoxb-1111-2222-abcdefABCDEF"
FORGED = "hello\n2026-11-29 23:00:00,000 ERROR bot.slack: forged line\r\nmore"


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO, callable]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.storage.json_logs")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)

    def use(fmt: str) -> None:
        logs.secure(handler, fmt)

    yield logger, stream, use
    logger.handlers[:] = []
    logger.propagate = True


def test_json_lines_carry_time_level_logger_message_and_request_id(capture) -> None:
    logger, stream, use = capture
    use("json")
    logger.info("outside any request")
    with logs.bound_request_id("abc123"):
        logger.warning("question from %s: %s", "U1", "镜像")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["request_id"] is None and first["level"] == "INFO"
    assert first["logger"] == "tests.storage.json_logs"
    assert first["time"].endswith("Z") and "T" in first["time"]
    assert second["message"] == "question from U1: 镜像"
    assert second["request_id"] == "abc123" and second["level"] == "WARNING"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_user_text_cannot_forge_a_line(capture, fmt: str) -> None:
    logger, stream, use = capture
    use(fmt)
    logger.info("query %s", FORGED)
    logger.info(f"library formatted it in: {FORGED}")  # as Bolt logs a bad-signature body
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    if fmt == "json":
        lines = [json.loads(line)["message"] for line in lines]
    assert all("forged line" in line for line in lines)
    assert "\\n2026-11-29 23:00:00,000 ERROR" in lines[0]
    assert "\\r\\n" in lines[1]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_large_user_text_is_clipped(capture, fmt: str) -> None:
    logger, stream, use = capture
    use(fmt)
    body = "A" * (1024 * 1024)
    logger.info("unsigned body %s", body)
    logger.info("Invalid request signature detected (body: " + body + ")")
    out = stream.getvalue()
    assert len(out) < 3000
    assert "more characters]" in out
    assert "A" * 201 not in out.split("unsigned body ")[1].split("\n")[0]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secrets_are_masked_in_both_formats(capture, fmt: str) -> None:
    logger, stream, use = capture
    use(fmt)
    logger.info("token %s", BOT)
    try:
        raise RuntimeError(f"401 for Bearer {BOT}\nforged: ERROR x")
    except RuntimeError:
        logger.exception("call failed")
    out = stream.getvalue()
    assert BOT not in out and "[redacted]" in out
    if fmt == "json":
        records = [json.loads(line) for line in out.splitlines()]
        assert "Traceback" in records[1]["exception"]
    else:
        # every traceback line is indented under its record: none can pass for a record
        tail = out.split("call failed\n", 1)[1]
        assert all(line.startswith("    ") for line in tail.splitlines()[1:])


def test_a_secret_cut_by_clipping_is_still_masked(capture) -> None:
    logger, stream, use = capture
    use("text")
    logger.info("value %s", "x" * 190 + f"Bearer {BOT}")
    assert "Bearer" not in stream.getvalue() and "1111" not in stream.getvalue()


def test_the_request_id_follows_work_into_executor_threads(capture) -> None:
    logger, stream, use = capture
    use("json")
    executor = logs.ContextExecutor(max_workers=2)
    with logs.bound_request_id("req-1"):
        executor.submit(logger.info, "lazy work").result()
    threading.Thread(target=logger.info, args=("unrelated",)).start()
    executor.shutdown()
    records = {
        json.loads(line)["message"]: json.loads(line)
        for line in stream.getvalue().splitlines()
        if line
    }
    assert records["lazy work"]["request_id"] == "req-1"


def test_the_format_is_text_json_or_a_clear_error() -> None:
    assert logs.log_format({}) == "text"
    assert logs.log_format({"ACRBOT_LOG_FORMAT": "JSON"}) == "json"
    with pytest.raises(ConfigError, match="ACRBOT_LOG_FORMAT"):
        logs.log_format({"ACRBOT_LOG_FORMAT": "xml"})


def test_gunicorn_lines_use_the_same_format(monkeypatch, capsys) -> None:
    from gunicorn.config import Config

    monkeypatch.setattr(logs, "_chosen", "json")  # as `acrbot serve` chose from the settings
    cfg = Config()
    cfg.set("errorlog", "-")
    glog = GunicornLogger(cfg)
    glog.error("Worker (pid:%s) was sent %s", 42, f"SIGKILL\n{BOT}")
    line = capsys.readouterr().err.strip()
    record = json.loads(line)
    assert record["logger"] == "gunicorn.error" and record["level"] == "ERROR"
    assert BOT not in line and "\\n" in record["message"]
