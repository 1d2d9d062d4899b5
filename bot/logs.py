"""Logging set-up with rules enforced on every line, acrbot's, Bolt's and gunicorn's alike.

- Secrets never reach a log line: tokens are masked in messages, arguments,
  tracebacks and stack dumps (:class:`RedactSecrets`).
- A log line cannot be forged or blown up from outside: CR, LF and other
  control characters are escaped, each argument (user text) is clipped to
  ``MAX_ARG`` characters and each message to ``MAX_MESSAGE``
  (:class:`NeutraliseText`), so a request body holding ``\\n<time> ERROR …``
  stays on its own line and a 1 MiB body adds a few hundred bytes.
- ``ACRBOT_LOG_FORMAT=json`` writes one JSON object per line (time, level,
  logger, message, request id); ``text`` (the default) is for people.
- A request id (:data:`request_id`, a context variable) ties together the
  lines of one Slack request; :class:`ContextExecutor` carries it into the
  threads that finish the work after the ack.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import random
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from bot.errors import ConfigError

FORMATS = ("text", "json")
MAX_ARG = 200  # characters of one argument (user text: queries, bodies, names)
MAX_MESSAGE = 1000  # characters of one message (libraries format user text into it)
MAX_TRACEBACK = 20_000
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s"

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "acrbot_request_id", default=None
)

_SECRET = re.compile(
    r"(xox[abeprs]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}"
    r"|(?:access|refresh)_token=[^&\s\"']+"
    r"|\"(?:access|refresh)_token\"\s*:\s*\"[^\"]*\")"
)
# C0 controls but tab, DEL, C1 controls, and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def redact(text: str) -> str:
    return _SECRET.sub("[redacted]", text)


def escape_controls(text: str) -> str:
    """CR and LF as ``\\r`` / ``\\n``, other control characters as ``\\xNN`` / ``\\uNNNN``."""
    return _CONTROL.sub(lambda m: _ESCAPES.get(m[0]) or _code(m[0]), text)


def clip(text: str, limit: int = MAX_ARG) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…[{len(text) - limit} more characters]"


def new_request_id() -> str:
    """Twelve hex digits to follow one request through the log; not a secret.

    ``random`` rather than ``secrets``: the system call behind ``secrets``
    lets go of the GIL on every request, and under load another thread takes
    it (about 5 % of an ack's time went there).
    """
    return f"{random.getrandbits(48):012x}"


@contextmanager
def bound_request_id(value: str | None = None) -> Iterator[str]:
    """Tag every line logged inside (in this thread and its :class:`ContextExecutor` jobs)."""
    value = value or new_request_id()
    token = request_id.set(value)
    try:
        yield value
    finally:
        request_id.reset(token)


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose jobs run in a copy of the submitter's context (the request id).

    It also counts the jobs not yet done, so that a shutdown can wait for
    them (:meth:`wait_idle`) before it writes what they leave behind.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unfinished = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        with self._idle:
            self._unfinished += 1
        try:
            future = super().submit(context.run, fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until no job is unfinished; whether none is.

        Jobs submitted during the wait count too (a shutdown submits none).
        """
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, max(0.0, timeout))

    def _finished(self, _future: Future[Any] | None) -> None:
        with self._idle:
            self._unfinished -= 1
            if not self._unfinished:
                self._idle.notify_all()


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


class NeutraliseText(logging.Filter):
    """Clips arguments and messages and escapes control characters (after redaction)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if args:
            if isinstance(args, Mapping):
                args = {k: _clip_arg(v) for k, v in args.items()}
            elif isinstance(args, tuple):
                args = tuple(_clip_arg(a) for a in args)
            try:
                message = str(record.msg) % args
            except Exception:
                message = f"{record.msg} {args!r}"
        else:
            message = str(record.msg)
        safe = clip(escape_controls(message), MAX_MESSAGE)
        if safe != message or args is not record.args:
            record.msg, record.args = safe, None
        if record.exc_text and len(record.exc_text) > MAX_TRACEBACK:
            record.exc_text = record.exc_text[:MAX_TRACEBACK] + "\n…[traceback clipped]"
        return True


class RequestIdFilter(logging.Filter):
    """Puts the current request id on the record (``request_id``, ``request_tag``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        value = request_id.get()
        record.request_id = value
        record.request_tag = f" [{value}]" if value else ""
        return True


class TextFormatter(logging.Formatter):
    """``time level logger [request]: message``; traceback lines are indented under it.

    Indenting every traceback line keeps an exception message that holds a
    newline (user text) from starting a line that looks like a record.
    """

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_tag"):
            RequestIdFilter().filter(record)
        saved = record.exc_text, record.stack_info
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(super().formatException(record.exc_info))
        if record.exc_text:
            record.exc_text = _indent(record.exc_text)
        if record.stack_info:
            record.stack_info = _indent(record.stack_info)
        try:
            return super().format(record)
        finally:
            record.exc_text, record.stack_info = saved


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id (+ exception)."""

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            RequestIdFilter().filter(record)
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": record.request_id,
            "pid": record.process,
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


_FORMATTER = logging.Formatter()


_chosen: str | None = None  # the format setup() installed; gunicorn's handlers follow it


def log_format(env: Mapping[str, str] | None = None) -> str:
    """``ACRBOT_LOG_FORMAT``: text (default) or json; anything else is a configuration error."""
    env = os.environ if env is None else env
    value = (env.get("ACRBOT_LOG_FORMAT") or "text").strip().lower()
    if value not in FORMATS:
        raise ConfigError("ACRBOT_LOG_FORMAT", "must be text or json")
    return value


def formatter(fmt: str | None = None) -> logging.Formatter:
    return JsonFormatter() if (fmt or _chosen or log_format()) == "json" else TextFormatter()


def early_format(env: Mapping[str, str] | None = None) -> str:
    """The format to log in before settings are read (their warnings): env's, or text."""
    try:
        return log_format(env)
    except ConfigError:
        return "text"  # the settings report the bad value with the others


def secure(handler: logging.Handler, fmt: str | None = None) -> logging.Handler:
    """Give ``handler`` acrbot's format and filters (redact, then neutralise, then tag)."""
    handler.setFormatter(formatter(fmt))
    for kind in (RedactSecrets, NeutraliseText, RequestIdFilter):
        if not any(isinstance(f, kind) for f in handler.filters):
            handler.addFilter(kind())
    return handler


def setup(level: str = "INFO", fmt: str | None = None) -> None:
    """One handler on the root logger, to stderr, in ``fmt`` (default: ACRBOT_LOG_FORMAT)."""
    global _chosen
    _chosen = fmt or log_format()
    handler = secure(logging.StreamHandler(sys.stderr), _chosen)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging._nameToLevel else "INFO")


def _clip_arg(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return clip(value)
    text = repr(value) if not isinstance(value, BaseException) else str(value)
    return clip(text) if len(text) > MAX_ARG else value


def _indent(text: str) -> str:
    lines = text.replace("\r", "\\r").split("\n")
    return "\n".join([lines[0], *("    " + line if line else line for line in lines[1:])])


def _code(char: str) -> str:
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
