"""Where a registry's data plane lives, and the rule that tokens go nowhere else.

ARM's ``loginServer`` is data, not an instruction: a registry resource (or
whatever answers as ARM) could name any host, and the check-health steps
send an Azure AD token to the login server. So a login server is used only
when it is a registry host of the configured cloud (``NAME.azurecr.io`` for
the public cloud), or when an operator pinned the data plane with the
``azure.login_server_url`` template; anything else is refused before a token
leaves the process.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.diagnostics.clouds import Cloud, is_login_server_of, is_login_url_of
from bot.diagnostics.errors import UntrustedLoginServer


@dataclass(frozen=True)
class DataPlane:
    """The data-plane rule for one check: the registry, its cloud and the optional template."""

    name: str
    cloud: Cloud
    template: str | None = None

    def base(self, login_server: str) -> str:
        """The registry's data-plane base URL; raises when ``login_server`` is not trusted."""
        if self.template:
            return self.template.replace("{name}", self.name).rstrip("/")
        if not is_login_server_of(self.cloud, login_server):
            raise UntrustedLoginServer(
                f"Azure named '{login_server[:80]}' as the login server, which is not a "
                f"{self.cloud.name}-cloud registry host (*{self.cloud.login_suffix}); "
                "no token was sent to it."
            )
        return f"https://{login_server.lower()}"

    def allows(self, url: str) -> bool:
        """May a token go to ``url``? The pinned template, or a registry host of the cloud."""
        if self.template:
            pinned = self.template.replace("{name}", self.name).rstrip("/")
            return url == pinned or url.startswith(pinned + "/")
        return is_login_url_of(self.cloud, url)
