"""What every fake Azure route answers with: JSON or bytes, and Azure's two error shapes."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any


class Answers(BaseHTTPRequestHandler):
    """Handler plumbing the route mixins share: ARM errors and registry errors look apart."""

    def _arm_error(self, status: int, code: str, message: str) -> None:
        self._json(status, {"error": {"code": code, "message": message}})

    def _registry_error(self, status: int, code: str, message: str) -> None:
        self._json(status, {"errors": [{"code": code, "message": message}]})

    def _throttled(self) -> None:
        self._json(
            429,
            {"errors": [{"code": "TOOMANYREQUESTS", "message": "throttled"}]},
            {"Retry-After": "1"},
        )

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(body).encode(), "application/json", headers)

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
