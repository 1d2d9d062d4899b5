"""The fake login server's token endpoints: the ``/v2/`` challenge, the exchange, the token.

As ACR does: ``GET /v2/`` answers 401 with a Bearer challenge, ``POST
/oauth2/exchange`` trades an AAD access token for a refresh token, and
``POST /oauth2/token`` trades that for an access token whose ``access``
claim holds the scope asked for, less any repository the registry denies.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from tests.fakes.fake_http import Answers

if TYPE_CHECKING:
    from tests.fakes.azure_api import FakeAzure, FakeRegistry


class TokenRoutes(Answers):
    """Handler mixin for the login server's token dance."""

    fake: FakeAzure

    def _challenge(self, registry: FakeRegistry | None, _q: dict, _f: dict, name: str) -> None:
        if registry is None:
            self._send(404, b"", "text/plain")
            return
        if registry.forbidden:
            body = {"errors": [{"code": "DENIED", "message": "client is not allowed access"}]}
            self._json(403, body)
            return
        if registry.challenge_throttled:
            self._throttled()
            return
        base = f"{self.fake.url}/registry/{name}"
        headers = {}
        if registry.basic_challenge:
            headers["WWW-Authenticate"] = f'Basic realm="{base}"'
        elif not registry.no_challenge:
            headers["WWW-Authenticate"] = (
                f'Bearer realm="{base}/oauth2/token",service="{registry.login_server}"'
            )
        body = {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}
        self._json(401, body, headers)

    def _exchange(self, registry: FakeRegistry | None, _q: dict, form: dict, _n: str) -> None:
        if not self._form_ok(registry, form, "access_token", ("access_token",)):
            return
        assert registry is not None
        if self.fake.require_tenant and not form.get("tenant"):
            self._registry_error(400, "BAD_REQUEST", "tenant is required")
        elif form.get("access_token") != self.fake.token:
            self._registry_error(401, "UNAUTHORIZED", "invalid AAD access token")
        elif registry.exchange_throttled:
            self._throttled()
        elif registry.exchange_denied:
            self._registry_error(401, "UNAUTHORIZED", "the identity has no access")
        else:
            self._json(200, {"refresh_token": self.fake.issue("fake-refresh")})

    def _token(self, registry: FakeRegistry | None, _q: dict, form: dict, _n: str) -> None:
        if not self._form_ok(registry, form, "refresh_token", ("refresh_token", "scope")):
            return
        assert registry is not None
        if form.get("refresh_token") not in self.fake.issued:
            self._registry_error(401, "UNAUTHORIZED", "invalid refresh token")
        elif registry.token_throttled:
            self._throttled()
        elif registry.token_denied:
            self._registry_error(401, "UNAUTHORIZED", "access denied for the requested scope")
        else:
            access = _granted(registry, form["scope"])
            self._json(200, {"access_token": _jwt(access, self.fake.issue("fake-access"))})

    def _form_ok(
        self, registry: FakeRegistry | None, form: dict, grant: str, required: tuple[str, ...]
    ) -> bool:
        if registry is None:
            self._registry_error(404, "NAME_UNKNOWN", "registry unknown")
            return False
        content_type = self.headers.get("Content-Type", "")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            self._registry_error(400, "BAD_REQUEST", "form encoding required")
            return False
        if form.get("grant_type") != grant or form.get("service") != registry.login_server:
            self._registry_error(400, "BAD_REQUEST", "bad grant_type or service")
            return False
        missing = [name for name in required if not form.get(name)]
        if missing:
            self._registry_error(400, "BAD_REQUEST", f"missing {', '.join(missing)}")
            return False
        return True


def _granted(registry: FakeRegistry, scope: str) -> list[dict[str, Any]]:
    """The ``access`` claim ACR puts in a token: what was asked, minus what is not allowed."""
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    if kind == "repository" and name in registry.pull_denied:
        return []
    return [{"type": kind, "name": name, "actions": actions.split(",")}]


def _jwt(access: list[dict[str, Any]], signature: str) -> str:
    """An unsigned JWT-shaped access token; the 'signature' is the issued secret."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'access': access})}.{signature}"
