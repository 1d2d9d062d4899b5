"""Gunicorn's own log lines in acrbot's format, with acrbot's filters.

Gunicorn logs through its own handlers (not the root logger), so
``ACRBOT_LOG_FORMAT=json`` would otherwise leave its start-up, worker and
timeout lines as plain text. ``serve`` passes this class as gunicorn's
``logger_class``.
"""

from __future__ import annotations

from typing import Any

from gunicorn import glogging

from bot import logs


class GunicornLogger(glogging.Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                logs.secure(handler)
