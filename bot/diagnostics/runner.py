"""Running a confirmed check: one read-only client, the check's steps, metrics and audit.

The service decides *whether* a check may run; this decides *how*: the
credential is made once and shared, each run gets its own client and
deadline, and the result is counted and appended to the audit log.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot import metrics
from bot.diagnostics.audit import AuditLog
from bot.diagnostics.azure_client import AzureClient
from bot.diagnostics.checks import Check, CheckContext, run_check
from bot.diagnostics.checks.base import OnStep, Resolver
from bot.diagnostics.clouds import Cloud, is_login_url_of
from bot.diagnostics.clusters import ClusterTarget
from bot.diagnostics.data_plane import DataPlane
from bot.diagnostics.deadline import Deadline
from bot.diagnostics.pull.image_ref import ImageRef
from bot.diagnostics.registry_location import RegistryTarget
from bot.diagnostics.report import CheckReport, Status
from bot.diagnostics.settings import DiagnosticsSettings
from bot.diagnostics.tokens import TokenCredential
from bot.faq_links import FaqSearch

if TYPE_CHECKING:
    import httpx

CredentialFactory = Callable[[], TokenCredential]

__all__ = ["CheckRunner", "CredentialFactory"]


class CheckRunner:
    """Opens read-only clients and runs checks with the configured wiring."""

    def __init__(
        self,
        settings: DiagnosticsSettings,
        audit: AuditLog,
        make_credential: CredentialFactory,
        *,
        faq_search: FaqSearch | None,
        resolver: Resolver,
        transport: httpx.BaseTransport | None,
    ) -> None:
        self.settings = settings
        self._audit = audit
        self._make_credential = make_credential
        self._faq_search = faq_search
        self._resolver = resolver
        self._transport = transport
        self._credential: TokenCredential | None = None
        self._credential_lock = threading.Lock()

    def credential(self) -> TokenCredential:
        """The one credential, made on first use (a broken config fails here, before a claim)."""
        with self._credential_lock:
            if self._credential is None:
                self._credential = self._make_credential()
            return self._credential

    def execute(
        self,
        check: Check,
        target: RegistryTarget,
        on_step: OnStep | None,
        record: dict[str, Any],
        repository: str | None = None,
        image: ImageRef | None = None,
        cluster: ClusterTarget | None = None,
    ) -> CheckReport:
        """Run ``check`` on ``target`` under a fresh deadline; count and audit the result."""
        started = time.monotonic()
        azure = self.settings.azure
        data_plane = DataPlane(target.name, target.cloud, azure.login_server_url)
        with self.open_client(target.cloud, login_hosts=data_plane.allows) as client:
            context = CheckContext(
                target=target,
                client=client,
                login_base=data_plane.base,
                resolve=self._resolver,
                tenant_id=azure.tenant_id,
                repository=repository,
                dns_timeout=self.settings.connect_timeout_seconds,
                storage_warning_percent=self.settings.storage_warning_percent,
                image=image,
                cluster=cluster,
                subscriptions=azure.subscriptions,
            )
            report = run_check(check, context, on_step, self._faq_search)
        codes = sorted({s.code for s in report.steps if s.code and s.status != Status.OK})
        metrics.diagnostic(check.name, "ok" if report.ok else "problems")
        self._audit.append(
            {
                **record,
                "event": "result",
                "outcome": "ok" if report.ok else "problems",
                "duration_ms": int((time.monotonic() - started) * 1000),
                "detail": report.summary + (f" [{', '.join(codes)}]" if codes else ""),
            }
        )
        return report

    def open_client(
        self, cloud: Cloud, login_hosts: Callable[[str], bool] | None = None
    ) -> AzureClient:
        """A read-only client with its own deadline; tokens go only to ``login_hosts``."""
        s = self.settings
        return AzureClient(
            self.credential(),
            arm_base=s.azure.arm_base(cloud),
            arm_scope=cloud.arm_scope,
            acr_scope=cloud.acr_scope,
            api_version=s.azure.api_version,
            deadline=Deadline(s.deadline_seconds),
            connect_timeout=s.connect_timeout_seconds,
            read_timeout=s.read_timeout_seconds,
            max_retries=s.max_retries,
            max_retry_wait=s.max_retry_wait_seconds,
            transport=self._transport,
            login_hosts=login_hosts or (lambda url: is_login_url_of(cloud, url)),
        )
