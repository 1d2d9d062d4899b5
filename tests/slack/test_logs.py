"""Secrets never reach a log line (bot/logs.py)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import RedactSecrets, redact, setup

BOT = "xoxb-1111-2222-abcdefABCDEF"
APP = "xapp-1-A0123-4567-89abcdef"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"token={BOT} ok", "token=[redacted] ok"),
        (f"app token {APP}.", "app token [redacted]."),
        ("xoxp-1-user-token and xoxa-2-x", "[redacted] and [redacted]"),
        ("Authorization: Bearer eyJhbGciOi.JIUzI1N-iIsInR5c_CI6", "Authorization: [redacted]"),
        ("authorization: bearer abcdefgh12345678", "authorization: [redacted]"),
        ("BEARER abc+/=~defgh", "[redacted]"),
        ("grant_type=x&access_token=eyJ0eXAi.abc&scope=y", "grant_type=x&[redacted]&scope=y"),
        ("refresh_token=0.AAAA-bbb_ccc expires_in=3600", "[redacted] expires_in=3600"),
        ("access_token='quoted'", "access_token='quoted'"),  # not a form field value
        (f"{BOT} {APP} {BOT}", "[redacted] [redacted] [redacted]"),
        ("a bearer of bad news", "a bearer of bad news"),  # too short to be a token
        ("xoxb- alone", "xoxb- alone"),
        ("no secrets here: xox, xapp, bearer", "no secrets here: xox, xapp, bearer"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("tests.slack.logs")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, stream
    logger.handlers[:] = []
    logger.propagate = True


def record(msg: str, *args: object, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args or None, exc_info)


def test_filter_masks_secrets_passed_as_arguments() -> None:
    rec = record("calling %s with %s", "auth.test", BOT)
    assert RedactSecrets().filter(rec) is True
    assert rec.getMessage() == "calling auth.test with [redacted]"
    assert rec.args is None


def test_filter_masks_secrets_in_mapping_arguments() -> None:
    rec = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "h=%(h)s", ({"h": f"Bearer {BOT}"},), None
    )
    RedactSecrets().filter(rec)
    assert rec.getMessage() == "h=[redacted]"


def test_filter_leaves_clean_records_untouched() -> None:
    args = ("auth.test", 200)
    rec = record("calling %s: %d", *args)
    assert RedactSecrets().filter(rec) is True
    assert rec.msg == "calling %s: %d" and rec.args == args


def test_logged_line_has_no_secret(captured) -> None:
    logger, stream = captured
    logger.info("posting with token %s to %s", BOT, "chat.postMessage")
    logger.warning("header %r", {"Authorization": f"Bearer {BOT}"})
    out = stream.getvalue()
    assert BOT not in out
    assert "INFO posting with token [redacted] to chat.postMessage\n" in out
    assert "WARNING header {'Authorization': '[redacted]'}" in out


def test_traceback_of_a_logged_exception_has_no_secret(captured) -> None:
    logger, stream = captured
    try:
        raise RuntimeError(f"401 from Slack for Bearer {BOT}; refresh_token=abc123")
    except RuntimeError:
        logger.exception("call failed")
    out = stream.getvalue()
    assert "call failed\nTraceback (most recent call last):" in out
    assert "RuntimeError: 401 from Slack for [redacted]; [redacted]" in out
    assert BOT not in out and "abc123" not in out


def test_stack_info_has_no_secret(captured) -> None:
    logger, stream = captured
    logger.info("here", stack_info=True)  # the stack quotes this line: xoxb-9999-in-source
    out = stream.getvalue()
    assert "Stack (most recent call last)" in out
    assert "# the stack quotes this line: [redacted]" in out
    assert "xoxb-9999" not in out


def test_a_malformed_log_call_does_not_raise_or_leak(captured) -> None:
    logger, stream = captured
    logger.info("two %s %s but one", BOT)  # must not raise into the caller
    out = stream.getvalue()
    assert "two %s %s but one" in out
    assert BOT not in out


def test_setup_installs_one_redacting_handler(capsys) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup("debug")
        assert root.level == logging.DEBUG
        (handler,) = root.handlers
        assert any(isinstance(f, RedactSecrets) for f in handler.filters)
        logging.getLogger("x").info("token %s", APP)
        assert APP not in capsys.readouterr().err
        setup("nonsense")
        assert root.level == logging.INFO
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def test_rotation_tokens_and_json_token_fields_are_masked() -> None:
    from bot.logs import redact

    text = 'xoxe-1-refresh {"access_token": "eyJhbGciOi", "refresh_token":"r-123"}'
    cleaned = redact(text)
    assert "xoxe-1-refresh" not in cleaned
    assert "eyJhbGciOi" not in cleaned and "r-123" not in cleaned
