"""Logging set-up with one rule enforced everywhere: secrets never reach a log line."""

from __future__ import annotations

import logging
import re
import sys

_SECRET = re.compile(
    r"(xox[abeprs]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}"
    r"|(?:access|refresh)_token=[^&\s\"']+"
    r"|\"(?:access|refresh)_token\"\s*:\s*\"[^\"]*\")"
)


def redact(text: str) -> str:
    return _SECRET.sub("[redacted]", text)


class RedactSecrets(logging.Filter):
    """Rewrites each record's final message with tokens masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the format: keep them, masked, not raise
            message = f"{record.msg} {record.args!r}"
            record.msg, record.args = message, None
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Formatters fill exc_text only after the filters ran: render it now to mask it.
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FORMATTER = logging.Formatter()


def setup(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging._nameToLevel else "INFO")
